package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/train"
)

// The run's config.json is what ran: with a config file's stages and
// --curriculum on the command line, the flags' stages are both trained
// and saved.
func TestSavedConfigIsWhatRan(t *testing.T) {
	bin := buildTrain(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "c.json")
	os.WriteFile(file, []byte(`{"stages": [{"segments": 1, "bptt_depth": -1, "steps": 5, "lr": 0.001, "threshold": 0, "patience": 0},
		{"segments": 3, "bptt_depth": -1, "steps": 5, "lr": 0.001, "threshold": 0, "patience": 0}]}`), 0o644)
	out := filepath.Join(dir, "run")
	args := append([]string{"--config", file, "--out", out, "--threshold", "0"}, tinyRun...)
	if b, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("train: %v\n%s", err, b)
	}
	var saved train.Config
	if err := train.LoadConfigFile(filepath.Join(out, "config.json"), &saved); err != nil {
		t.Fatal(err)
	}
	if got := segmentsOf(saved.Stages); got != "[1 2]" || saved.Stages[1].Steps != 8 || saved.Curriculum != "1,2" {
		t.Fatalf("config.json: curriculum %q, stages %+v; want 1,2 at 8 steps each", saved.Curriculum, saved.Stages)
	}
	f, err := os.Open(filepath.Join(out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	maxSeg, lastStep := 0, 0
	for sc := bufio.NewScanner(f); sc.Scan(); {
		var r struct {
			Type     string `json:"type"`
			Step     int    `json:"step"`
			Segments int    `json:"segments"`
		}
		json.Unmarshal(sc.Bytes(), &r)
		if r.Type == "step" {
			maxSeg, lastStep = max(maxSeg, r.Segments), r.Step
		}
	}
	if maxSeg != 2 || lastStep != 16 {
		t.Errorf("trained up to %d segments for %d steps, want 2 segments and 16 steps (the flags' curriculum)", maxSeg, lastStep)
	}
}
