package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Each bad input is refused with one clear error naming the flag, file or
// line, before the run directory holds anything: no config.json, no
// metrics.jsonl, no checkpoints.
func TestBadInputRefusedBeforeWriting(t *testing.T) {
	bin := buildTrain(t)
	work := t.TempDir()
	babi := filepath.Join(work, "babi")
	os.Mkdir(babi, 0o755)
	os.WriteFile(filepath.Join(babi, "qa1_single-supporting-fact_train.txt"),
		[]byte("1 Mary went to the garden.\n2 John went to the hallway.\n3 Where is Mary?\n"), 0o644)
	noise := filepath.Join(work, "noise")
	os.Mkdir(noise, 0o755)
	book := strings.Repeat("The rain came down over the hills and the road ran on to the sea. ", 400)
	for _, n := range []string{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"} {
		os.WriteFile(filepath.Join(noise, n), []byte(book), 0o644)
	}
	os.WriteFile(filepath.Join(noise, "g.txt"), []byte("\x7fELF\x02\x01\x01\x00\x00binary"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bAbI question without answer", []string{"--task", "babi", "--babi-dir", babi},
			"line 3: a question without its answer and supporting ids"},
		{"binary file in the noise folder", []string{"--noise-dir", noise}, filepath.Join(noise, "g.txt") + " is not UTF-8 text (a NUL byte at byte 7)"},
		{"lr NaN", []string{"--lr", "NaN"}, "--lr NaN, want a finite number"},
		{"lr Inf", []string{"--lr", "Inf"}, "--lr +Inf, want a finite number"},
		{"warmup -1", []string{"--warmup", "-1"}, "--warmup -1, want 0 or more"},
		{"clip-norm -1", []string{"--clip-norm", "-1"}, "--clip-norm -1, want 0 (off)"},
		{"threads 0", []string{"--threads", "0"}, "want a whole number of threads, at least 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			msg, err := exec.Command(bin, append(append(append([]string{}, tinyRun...), "--out", out), tc.args...)...).CombinedOutput()
			if err == nil {
				t.Fatalf("train %v succeeded", tc.args)
			}
			// The error line, once (the log of the data's splits before it
			// may show the same problem).
			n := 0
			for l := range strings.Lines(string(msg)) {
				if strings.HasPrefix(l, "train: ") && strings.Contains(l, tc.want) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("train %v said (%d error lines):\n%s\nwant %q once", tc.args, n, msg, tc.want)
			}
			if strings.Contains(string(msg), "Usage") {
				t.Errorf("train %v printed the usage with its error:\n%s", tc.args, msg)
			}
			for _, f := range []string{"config.json", "metrics.jsonl", "checkpoints", "run.json"} {
				if _, err := os.Stat(filepath.Join(out, f)); err == nil {
					t.Errorf("train %v wrote %s before refusing", tc.args, f)
				}
			}
		})
	}
}

// eval's flag errors are printed once too (by the flag package, with the
// usage), not a second time by main.
func TestEvalFlagErrorOnce(t *testing.T) {
	out, err := exec.Command(buildCmd(t, "eval"), "accuracy", "--threads", "0").CombinedOutput()
	if err == nil {
		t.Fatal("eval accuracy --threads 0 succeeded")
	}
	if n := strings.Count(string(out), "want a whole number of threads"); n != 1 {
		t.Errorf("eval accuracy --threads 0 printed its error %d times:\n%s", n, out)
	}
}
