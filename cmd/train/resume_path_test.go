package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
)

// shortRun is a run of a few steps: one stage of four.
var shortRun = []string{"--curriculum", "1", "--steps-per-stage", "4", "--batch", "2", "--segment-size", "72",
	"--mem-tokens", "2", "--eval-every", "2", "--eval-samples", "2", "--checkpoint-every", "2", "--warmup", "1", "--keep", "2"}

// TestResumeByAnyPath: a run is known by its id, not the spelling of
// --out: a relative path, the same with ./, the absolute path and the
// folder after mv all resume it (the move with a note); a checkpoint of
// another run copied in is refused.
func TestResumeByAnyPath(t *testing.T) {
	bin := buildTrain(t)
	work := t.TempDir()
	train := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = work
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := train(append(append([]string{}, shortRun...), "--out", "o/run")...); err != nil {
		t.Fatalf("first run: %v\n%s", err, out)
	}
	info, found, err := checkpoints.ReadRunInfo(filepath.Join(work, "o/run"))
	if err != nil || !found || info.Dir != filepath.Join(work, "o/run") {
		t.Fatalf("run.json = %+v, %v, %v; want the run's id and absolute folder", info, found, err)
	}
	moved := filepath.Join(work, "elsewhere")
	for _, out := range []string{"o/run", "./o/run", filepath.Join(work, "o", "run"), moved} {
		if out == moved {
			if err := os.Rename(filepath.Join(work, "o/run"), moved); err != nil {
				t.Fatal(err)
			}
		}
		log, err := train("--out", out, "--resume")
		if err != nil {
			t.Fatalf("--resume --out %s: %v\n%s", out, err, log)
		}
		if !strings.Contains(log, "resuming ") {
			t.Errorf("--resume --out %s did not say it resumed:\n%s", out, log)
		}
		if note := "was in " + filepath.Join(work, "o/run") + " and is now in " + moved; (out == moved) != strings.Contains(log, note) {
			t.Errorf("--resume --out %s: note of the move %q present %v:\n%s", out, note, out == moved, log)
		}
	}
	// A second run's checkpoint copied into the first is not the first's.
	if out, err := train(append(append([]string{}, shortRun...), "--out", "other")...); err != nil {
		t.Fatalf("second run: %v\n%s", err, out)
	}
	if err := os.Rename(filepath.Join(work, "other", "run.json"), filepath.Join(work, "other", "run.json.bak")); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(filepath.Join(moved, "run.json"))
	os.WriteFile(filepath.Join(work, "other", "run.json"), raw, 0o644)
	log, err := train("--out", "other", "--resume")
	if err == nil || !strings.Contains(log, "belongs to run") {
		t.Errorf("resume of a folder whose checkpoints belong to another run: %v\n%s\nwant a refusal naming both runs", err, log)
	}
}
