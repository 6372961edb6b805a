package flaghint

import (
	"errors"
	"flag"
	"strings"
	"testing"
)

func flags() *flag.FlagSet {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	for _, n := range []string{"segment-size", "segments", "seed", "steps-per-stage", "mem-tokens", "out"} {
		fs.String(n, "", "usage of "+n)
	}
	return fs
}

// A misspelt flag gets one line naming the closest flags and -h; -h
// prints the usage; a bad value keeps the flag package's message.
func TestParse(t *testing.T) {
	var usage strings.Builder
	err := Parse(flags(), []string{"--segmnt-size", "64"}, "train", &usage)
	want := "unknown flag --segmnt-size; did you mean --segment-size? (train -h lists every flag)"
	if err == nil || err.Error() != want || usage.Len() != 0 {
		t.Errorf("got %v and usage %q, want %q and no usage", err, usage.String(), want)
	}
	err = Parse(flags(), []string{"-steps", "3"}, "train", &usage)
	if err == nil || !strings.Contains(err.Error(), "did you mean --steps-per-stage?") {
		t.Errorf("--steps: %v", err)
	}
	err = Parse(flags(), []string{"--zzzzzzzz"}, "train", &usage)
	if err == nil || err.Error() != "unknown flag --zzzzzzzz (train -h lists every flag)" {
		t.Errorf("--zzzzzzzz: %v", err)
	}
	err = Parse(flags(), []string{"-h"}, "train", &usage)
	if !errors.Is(err, flag.ErrHelp) || !strings.Contains(usage.String(), "usage of segment-size") {
		t.Errorf("-h: %v, usage %q", err, usage.String())
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		d    int
	}{{"", "abc", 3}, {"kitten", "sitting", 3}, {"seed", "seed", 0}, {"segmnt-size", "segment-size", 1}} {
		if got := distance(c.a, c.b); got != c.d {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}
