package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A bad value given as a flag is named by its flag; the same value given
// in a --config file is named by the file's field, and the message says
// which file; a flag given over the file is named as the flag again.
func TestBadValueNamedWhereGiven(t *testing.T) {
	bin := buildTrain(t)
	cfg := filepath.Join(t.TempDir(), "run.json")
	if err := os.WriteFile(cfg, []byte(`{"segment_size": 0, "lr": 1e-3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"flag", []string{"--segment-size", "0"}, "train: --segment-size 0, want at least 1\n"},
		{"config file", []string{"--config", cfg}, "train: segment_size 0, want at least 1 (set by --config " + cfg + ")\n"},
		{"flag over the file", []string{"--config", cfg, "--segment-size", "-2"}, "train: --segment-size -2, want at least 1\n"},
		{"field the message names", []string{"--task", "babi"}, "train: --task babi needs --babi-dir\n"},
		{"unmapped hint", []string{"--eval-every", "0"}, "train: --eval-every, --checkpoint-every and --log-every must be at least 1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "run")
			msg, err := exec.Command(bin, append([]string{"--out", out}, tc.args...)...).CombinedOutput()
			if err == nil {
				t.Fatalf("train %v succeeded", tc.args)
			}
			if !strings.Contains(string(msg), tc.want) {
				t.Errorf("train %v said:\n%s\nwant %q", tc.args, msg, tc.want)
			}
		})
	}
}

// Every config field maps to a flag of train by the mechanical rule or
// the one exception, so that no error of a run named by the command line
// speaks of a field the user cannot find among the flags.
func TestFieldsAreFlags(t *testing.T) {
	name := flagNames()
	for _, f := range []string{"segment_size", "mem_tokens", "d_mem", "armt_features", "memory", "resume", "out", "model",
		"noise_dir", "text_dir", "babi_dir", "babi_task", "data", "val_data", "val_share", "story_share", "curriculum", "config",
		"noise_unfiltered", "batch", "eval_every", "log_every", "checkpoint_every", "decay", "lr"} {
		if got := name(f); !strings.HasPrefix(got, "--") {
			t.Errorf("field %s has no flag (named %q)", f, got)
		}
	}
}
