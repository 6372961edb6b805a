package flaghint

import (
	"fmt"
	"testing"

	"github.com/rmtgo/rmt/internal/field"
)

// Names maps a field to the flag of the flag set that spells it with
// dashes, else to an exception, else keeps the field (no flag sets it).
func TestNames(t *testing.T) {
	fs := flags()
	fs.Bool("noise-filter", true, "")
	name := Names(map[string]string{"noise_unfiltered": "--noise-filter"}, fs)
	for f, want := range map[string]string{
		"segment_size": "--segment-size", "mem_tokens": "--mem-tokens", "out": "--out",
		"noise_unfiltered": "--noise-filter", "stages": "stages",
	} {
		if got := name(f); got != want {
			t.Errorf("name(%q) = %q, want %q", f, got, want)
		}
	}
}

// Message names fields as flags, except the fields a config file set,
// which keep their names and say which file set them.
func TestMessage(t *testing.T) {
	name := Names(nil, flags())
	err := fmt.Errorf("train: %w", field.Errorf("segment_size", "%d, want at least 1", 0))
	if got, want := Message(err, name), "train: --segment-size 0, want at least 1"; got != want {
		t.Errorf("Message = %q, want %q", got, want)
	}
	fromFile := &FileError{Err: err, File: "--config run.json", Fields: []string{"segment_size"}}
	if got, want := Message(fromFile, name), "train: segment_size 0, want at least 1 (set by --config run.json)"; got != want {
		t.Errorf("Message from a file = %q, want %q", got, want)
	}
	// A file that set other fields leaves the flag's name.
	other := &FileError{Err: err, File: "--config run.json", Fields: []string{"seed"}}
	if got, want := Message(other, name), "train: --segment-size 0, want at least 1"; got != want {
		t.Errorf("Message, file set other fields = %q, want %q", got, want)
	}
}
