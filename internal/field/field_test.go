package field

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

func dashes(f string) string { return Flag(f) }

// An Error reads as its field for the Go API and a config file, and as
// the command's flag through Rename, through wrapping, in its cause and in
// the other fields its message names.
func TestRename(t *testing.T) {
	for _, tc := range []struct {
		name       string
		err        error
		plain, cmd string
	}{
		{"value", Errorf("segment_size", "%d, want at least 1", 0),
			"segment_size 0, want at least 1", "--segment-size 0, want at least 1"},
		{"wrapped", fmt.Errorf("train: %w", Errorf("segment_size", "%d, want at least 1", 0)),
			"train: segment_size 0, want at least 1", "train: --segment-size 0, want at least 1"},
		{"other fields", Errorf("", "{eval_every} and {log_every} must be at least 1"),
			"eval_every and log_every must be at least 1", "--eval-every and --log-every must be at least 1"},
		{"referenced", Errorf("mem_noise", "perturbs rmt memory tokens; {memory} %s takes none", "armt"),
			"mem_noise perturbs rmt memory tokens; memory armt takes none", "--mem-noise perturbs rmt memory tokens; --memory armt takes none"},
		{"cause", Wrap("resume", "checkpoint c", fs.ErrNotExist),
			"resume checkpoint c: file does not exist", "--resume checkpoint c: file does not exist"},
		{"cause placed", Wrap("resume", "latest {err}; pass {resume}=auto", fs.ErrNotExist),
			"resume latest file does not exist; pass resume=auto", "--resume latest file does not exist; pass --resume=auto"},
		{"field error in the cause", fmt.Errorf("train: %w", Wrap("story_share", "", fmt.Errorf("data: %w", Errorf("babi_dir", "is empty")))),
			"train: story_share: data: babi_dir is empty", "train: --story-share: data: --babi-dir is empty"},
		{"no field error", fmt.Errorf("train: %w", fs.ErrNotExist), "train: file does not exist", "train: file does not exist"},
	} {
		if got := tc.err.Error(); got != tc.plain {
			t.Errorf("%s: Error() = %q, want %q", tc.name, got, tc.plain)
		}
		if got := Rename(tc.err, dashes); got != tc.cmd {
			t.Errorf("%s: Rename = %q, want %q", tc.name, got, tc.cmd)
		}
	}
}

// errors.As finds the Error through wrapping, and errors.Is its cause.
func TestAsAndIs(t *testing.T) {
	err := fmt.Errorf("train: %w", fmt.Errorf("outer: %w", Wrap("out", "/x", fs.ErrPermission)))
	e, ok := errors.AsType[*Error](err)
	if !ok || e.Field != "out" {
		t.Fatalf("errors.As(%v) = %v, %v; want the Error of field out", err, e, ok)
	}
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("errors.Is(%v, fs.ErrPermission) = false", err)
	}
}

func TestFlag(t *testing.T) {
	for f, want := range map[string]string{"segment_size": "--segment-size", "lr": "--lr", "armt_features": "--armt-features"} {
		if got := Flag(f); got != want {
			t.Errorf("Flag(%q) = %q, want %q", f, got, want)
		}
	}
}
