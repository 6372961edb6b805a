package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
)

// TestSecondTrainerRefused: while one trainer runs on a folder, a second
// trainer and a --resume of the same folder are refused naming the holder,
// write nothing, and the first finishes with its own files.
func TestSecondTrainerRefused(t *testing.T) {
	bin := buildTrain(t)
	dir := filepath.Join(t.TempDir(), "run")
	long := append(append([]string{}, tinyRun...), "--out", dir, "--steps-per-stage", "40", "--checkpoint-every", "4")
	first := exec.Command(bin, long...)
	var log bytes.Buffer
	first.Stdout, first.Stderr = &log, &log
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- first.Wait() }()
	// Wait for its first checkpoint, so that every file of the run exists.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := (checkpoints.Run{Dir: dir}).Latest(); err == nil {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the first trainer ended before its first checkpoint: %v\n%s", err, log.String())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint after 60 s:\n%s", log.String())
		}
	}
	config, err := os.ReadFile(filepath.Join(dir, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	holder := fmt.Sprintf("in use by train (pid %d on host", first.Process.Pid)
	for _, extra := range [][]string{{"--seed", "7"}, {"--resume"}} {
		metrics, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl"))
		out, err := exec.Command(bin, append(append(append([]string{}, tinyRun...), "--out", dir), extra...)...).CombinedOutput()
		if err == nil {
			t.Fatalf("a second trainer %v on a running folder succeeded:\n%s", extra, out)
		}
		if !strings.Contains(string(out), holder) {
			t.Errorf("second trainer %v said:\n%s\nwant it to name the holder %q", extra, out, holder)
		}
		if now, _ := os.ReadFile(filepath.Join(dir, "config.json")); !bytes.Equal(now, config) {
			t.Errorf("second trainer %v changed config.json", extra)
		}
		if now, _ := os.ReadFile(filepath.Join(dir, "metrics.jsonl")); !bytes.HasPrefix(now, metrics) {
			t.Errorf("second trainer %v rewrote metrics.jsonl", extra)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("the first trainer failed: %v\n%s", err, log.String())
	}
	// Its metrics are its own: steps 1, 2, ... once each.
	steps := 0
	for _, l := range stepLosses(t, dir) {
		if strings.Contains(l, `"type":"step"`) {
			steps++
			if want := fmt.Sprintf(`"step":%d,`, steps); !strings.Contains(l, want) {
				t.Fatalf("metrics.jsonl step record %d is %s; want %s (one writer)", steps, l, want)
			}
		}
	}
	if steps == 0 {
		t.Fatal("metrics.jsonl has no step records")
	}
	if raw, _ := os.ReadFile(filepath.Join(dir, checkpoints.LockFile)); len(raw) != 0 {
		t.Errorf("run.lock still names a holder after the run ended: %s", raw)
	}
}
