package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/train"
)

// TestCommandFlagsAreValues: the flags that are not run config (--resume,
// --check-every, the sweep's) come back from resolveFlags as values, one
// parse not leaking into the next.
func TestCommandFlagsAreValues(t *testing.T) {
	out := t.TempDir()
	saved, err := json.Marshal(train.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "config.json"), saved, 0o644); err != nil {
		t.Fatal(err)
	}
	_, o, err := resolveFlags([]string{"--out", out, "--resume=auto", "--check-every", "7"})
	if err != nil {
		t.Fatal(err)
	}
	if o.resume != "auto" || o.checkEvery != 7 || o.sweep.curricula != "" {
		t.Errorf("--resume=auto --check-every 7: %+v", o)
	}
	_, o, err = resolveFlags([]string{"--out", t.TempDir(), "--curricula", "1;1,2", "--seeds", "3,4", "--budget-steps", "6"})
	if err != nil {
		t.Fatal(err)
	}
	if o.resume != "" || o.checkEvery != 100 || o.sweep.curricula != "1;1,2" || o.sweep.seeds != "3,4" || o.sweep.budget != 6 {
		t.Errorf("a sweep after a resumed run: %+v, want no resume, --check-every 100 and the sweep's flags", o)
	}
	if _, o, err = resolveFlags([]string{"--out", t.TempDir()}); err != nil || o.sweep.curricula != "" {
		t.Errorf("a plain run after a sweep: %+v, %v; want no sweep", o, err)
	}
}
