package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// TestARMTFeaturesFlags: stream streams RMT and one ARMT per feature
// map asked; an unknown map, or a map with --memory rmt, is refused.
func TestARMTFeaturesFlags(t *testing.T) {
	out := captureStdout(t, func() error {
		return runStream(job{}, []string{"--segment-size", "16", "--mem-tokens", "2", "--d-mem", "2", "--segments", "2", "--rounds", "1",
			"--armt-features", "dpfp,dpfp-normalized", "--threads", "1"})
	})
	for _, want := range []string{"RMT, 2 tokens", "ARMT, d_mem 2, 2 rows, dpfp ", "ARMT, d_mem 2, 2 rows, dpfp-normalized"} {
		if !strings.Contains(out, want) {
			t.Errorf("stream table lacks %q:\n%s", want, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--armt-features", "elu"}, `--armt-features "elu"`},
		{[]string{"--memory", "armt", "--d-mem", "2", "--armt-features", "relu", "--runs", "1"}, `--armt-features "relu"`},
		{[]string{"--armt-features", "dpfp", "--runs", "1"}, "it needs --memory armt"},
	} {
		run := runSpeed
		if tc.args[0] == "--armt-features" && tc.args[1] == "elu" {
			run = runStream
		}
		if err := run(job{}, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error naming %q", tc.args, err, tc.want)
		}
	}
}

// captureStdout runs f with os.Stdout sent to a pipe and returns what it
// wrote.
func captureStdout(t *testing.T, f func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	ferr := f()
	os.Stdout = old
	w.Close()
	out := <-done
	if ferr != nil {
		t.Fatal(ferr)
	}
	return out
}
