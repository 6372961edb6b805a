package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/train"
)

// Every flag of bind names a config option: SetFrom takes each one.
func TestEveryFlagIsAConfigOption(t *testing.T) {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	c := train.DefaultConfig()
	bind(fs, &c)
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if len(names) < 30 {
		t.Fatalf("bind declared %d flags, want the whole config", len(names))
	}
	for _, n := range names {
		dst := train.DefaultConfig()
		if err := dst.SetFrom(c, []string{n}); err != nil {
			t.Errorf("SetFrom(--%s) = %v", n, err)
		}
	}
}

// Defaults, then the config file, then the flags given explicitly; a flag
// given with its default value still overrides the file.
func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.json")
	if err := os.WriteFile(file, []byte(`{"segment_size": 64, "mem_tokens": 4, "lr": 0.005, "batch": 3}`), 0o644); err != nil {
		t.Fatal(err)
	}
	def := train.DefaultConfig()
	cfg, resume, _, err := resolveFlags([]string{"--config", file, "--mem-tokens", "6", "--batch", "8", "--seed", "9"})
	if err != nil {
		t.Fatal(err)
	}
	if resume {
		t.Error("resume = true, want false")
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"segment_size (file)", cfg.SegmentSize, 64},
		{"lr (file)", cfg.LR, 0.005},
		{"mem_tokens (flag over file)", cfg.MemTokens, 6},
		{"batch (flag at its default over file)", cfg.Batch, def.Batch},
		{"seed (flag)", cfg.Seed, int64(9)},
		{"curriculum (default)", cfg.Curriculum, def.Curriculum},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if len(cfg.Stages) == 0 {
		t.Error("stages not resolved")
	}
}
