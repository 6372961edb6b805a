package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Bad sweep input is refused before any training starts: nothing is
// written under --out.
func TestSweepBadInput(t *testing.T) {
	bin := buildTrain(t)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"empty curriculum", []string{"--curricula", "1;;1,2"}, `--curricula: curriculum 2 of "1;;1,2" is empty`},
		{"non-rising curriculum", []string{"--curricula", "1;1,4,2"}, "--curricula: curriculum 2 (1,4,2) does not rise"},
		{"repeated seeds", []string{"--curricula", "1;1,2", "--seeds", "3,4,3"}, "--seeds: seed 3 is given twice"},
		{"budget below stages", []string{"--curricula", "1;1,2,4", "--budget-steps", "2"}, "budget steps, curriculum 1,2,4: a budget of 2 steps is less than the 3 stages"},
		{"curriculum with curricula", []string{"--curricula", "1", "--curriculum", "1,2"}, "--curriculum and --curricula"},
		{"sweep flag alone", []string{"--seeds", "1,2"}, "--seeds is for a sweep; give --curricula too"},
		{"resume", []string{"--curricula", "1", "--resume"}, "--resume with --curricula"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "sweep")
			b, err := exec.Command(bin, append(tc.args, "--out", out)...).CombinedOutput()
			if err == nil || !strings.Contains(string(b), tc.want) {
				t.Errorf("train %v said (%v):\n%s\nwant %q", tc.args, err, b, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("--out %s was made before the input was checked", out)
			}
		})
	}
}

// train --curricula runs a sweep end to end and prints its table.
func TestSweepCommand(t *testing.T) {
	bin := buildTrain(t)
	out := filepath.Join(t.TempDir(), "sweep")
	args := []string{"--curricula", "1;1,2", "--budget-steps", "4", "--eval-segments", "1,3", "--sweep-samples", "2", "--out", out,
		"--batch", "2", "--segment-size", "72", "--mem-tokens", "2", "--eval-every", "2", "--eval-samples", "2", "--warmup", "1", "--threshold", "0"}
	cmd := exec.Command(bin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("train %v: %v\n%s", args, err, stderr.String())
	}
	for _, f := range []string{"sweep.json", "sweep.txt", "sweep.png", "1-s1/config.json", "1-2-s1/sweep-done.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	if !strings.Contains(stdout.String(), "1,2") || !strings.Contains(stdout.String(), "216") {
		t.Errorf("table on stdout:\n%s", stdout.String())
	}
}
