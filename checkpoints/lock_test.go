package checkpoints

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A second lock of a run directory is refused naming the holder; once the
// first is released the directory can be locked again.
func TestLockRunRefusesASecondHolder(t *testing.T) {
	dir := t.TempDir()
	first, err := LockRun(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if first.Stale != nil {
		t.Errorf("a fresh lock reports a stale holder %v", first.Stale)
	}
	_, err = LockRun(dir, "eval")
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second LockRun = %v, want ErrLocked", err)
	}
	if want := fmt.Sprintf("train (pid %d on host", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("second LockRun error %q does not name the holder %q", err, want)
	}
	if err := first.Unlock(); err != nil {
		t.Fatal(err)
	}
	again, err := LockRun(dir, "eval")
	if err != nil {
		t.Fatalf("LockRun after Unlock: %v", err)
	}
	if again.Stale != nil {
		t.Errorf("a cleanly released lock reads as stale: %v", again.Stale)
	}
	again.Unlock()
}

// A lock file that names a holder while no process holds the lock was left
// by a killed process: it is taken over and reported.
func TestLockRunTakesOverAStaleLock(t *testing.T) {
	dir := t.TempDir()
	stale := `{"pid": 999999, "host": "gone", "command": "train", "since": "2026-01-02T03:04:05Z"}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, LockFile), []byte(stale), 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := LockRun(dir, "train")
	if err != nil {
		t.Fatalf("LockRun over a stale lock file: %v", err)
	}
	defer l.Unlock()
	if l.Stale == nil || l.Stale.PID != 999999 || l.Stale.Host != "gone" {
		t.Errorf("Stale = %v, want the killed holder pid 999999 on host gone", l.Stale)
	}
}

func TestRunDirOf(t *testing.T) {
	run := t.TempDir()
	ck := filepath.Join(run, "checkpoints", "step-000001")
	if err := os.MkdirAll(ck, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := RunDirOf(ck); got != "" {
		t.Errorf("RunDirOf(%s) without config.json = %q, want \"\"", ck, got)
	}
	os.WriteFile(filepath.Join(run, "config.json"), []byte("{}"), 0o644)
	if got := RunDirOf(ck); got != run {
		t.Errorf("RunDirOf(%s) = %q, want %q", ck, got, run)
	}
	if got := RunDirOf(run); got != "" {
		t.Errorf("RunDirOf(%s) = %q, want \"\" (a run directory is no checkpoint)", run, got)
	}
}
