package eval

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
)

// Results written into a checkpoint of a run take the run's lock: while a
// trainer holds it the write is refused naming it, and nothing is written;
// once it is free the write goes through.
func TestSaveResultsTakesTheRunLock(t *testing.T) {
	run := t.TempDir()
	ck := filepath.Join(run, "checkpoints", "step-000004")
	if err := os.MkdirAll(ck, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(run, "config.json"), []byte("{}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	trainer, err := checkpoints.LockRun(run, "train")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := SaveAccuracy(ck, "accuracy-memorize.json", fakeAccuracy()); !errors.Is(err, checkpoints.ErrLocked) {
		t.Fatalf("SaveAccuracy into a locked run = %v, want an error wrapping ErrLocked", err)
	}
	if _, err := SavePerplexity(ck, fakePerplexity()); !errors.Is(err, checkpoints.ErrLocked) {
		t.Fatalf("SavePerplexity into a locked run = %v, want an error wrapping ErrLocked", err)
	}
	if _, err := os.Stat(filepath.Join(ck, ResultsDir)); err == nil {
		t.Errorf("a refused write left %s behind", filepath.Join(ck, ResultsDir))
	}
	trainer.Unlock()
	if _, err := SaveAccuracy(ck, "accuracy-memorize.json", fakeAccuracy()); err != nil {
		t.Fatalf("SaveAccuracy once the run is free: %v", err)
	}
}
