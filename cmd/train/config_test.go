package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/curriculum"
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
	cfg, resume, err := resolveConfig([]string{"--config", file, "--mem-tokens", "6", "--batch", "8", "--seed", "9"})
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

// Stage options on the command line win over a config file's explicit
// stages: --curriculum rebuilds them, the others are set in every stage.
func TestFlagsWinOverConfigStages(t *testing.T) {
	file := filepath.Join(t.TempDir(), "c.json")
	stages := `{"stages": [{"segments": 1, "bptt_depth": -1, "steps": 30, "lr": 0.002, "threshold": 0.9, "patience": 0},
		{"segments": 3, "bptt_depth": -1, "steps": 30, "lr": 0.002, "threshold": 0.9, "patience": 0}]}`
	if err := os.WriteFile(file, []byte(stages), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := resolveFlags([]string{"--config", file})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Stages) != 2 || cfg.Stages[1].Segments != 3 || cfg.Stages[0].Steps != 30 {
		t.Fatalf("without flags the file's stages run, got %+v", cfg.Stages)
	}
	cfg, _, err = resolveFlags([]string{"--config", file, "--curriculum", "1,2,4", "--steps-per-stage", "40"})
	if err != nil {
		t.Fatal(err)
	}
	if got := segmentsOf(cfg.Stages); got != "[1 2 4]" || cfg.Stages[2].Steps != 40 || cfg.Stages[0].LR != train.DefaultConfig().LR {
		t.Errorf("--curriculum 1,2,4 --steps-per-stage 40 over file stages gave %+v", cfg.Stages)
	}
	cfg, _, err = resolveFlags([]string{"--config", file, "--steps-per-stage", "25", "--lr", "0.01"})
	if err != nil {
		t.Fatal(err)
	}
	if got := segmentsOf(cfg.Stages); got != "[1 3]" || cfg.Stages[0].Steps != 25 || cfg.Stages[1].Steps != 25 ||
		cfg.Stages[1].LR != 0.01 || cfg.Stages[1].Threshold != 0.9 {
		t.Errorf("--steps-per-stage 25 --lr 0.01 over file stages gave %+v, want the file's stages with steps 25, lr 0.01", cfg.Stages)
	}
}

func segmentsOf(st []curriculum.Stage) string {
	var s []int
	for _, x := range st {
		s = append(s, x.Segments)
	}
	return fmt.Sprint(s)
}
