package main

import (
	"math"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
)

// NaN weights in a run's checkpoint are refused at load by eval, export
// and resume, each naming the file, and nothing is exported.
func TestNaNWeightsRefusedEverywhere(t *testing.T) {
	train, export, ev := buildTrain(t), buildCmd(t, "export"), buildCmd(t, "eval")
	dir := t.TempDir()
	run := filepath.Join(dir, "run")
	runCmd(t, train, append(append([]string{}, shortRun...), "--checkpoint-every", "4", "--eval-every", "4", "--out", run)...)
	ck, err := checkpoints.Resolve(run)
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(ck, "model.safetensors")
	ts, meta, err := checkpoints.ReadSafetensors(model)
	if err != nil {
		t.Fatal(err)
	}
	ts[len(ts)-1].Data[0] = float32(math.NaN())
	if err := checkpoints.WriteSafetensors(model, ts, meta); err != nil { // fresh checksums: the NaN check must catch it
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		bin  string
		args []string
	}{
		{"eval accuracy", ev, []string{"accuracy", "--checkpoint", run, "--segments", "1", "--samples", "2", "--save=false", "--progress", "0"}},
		{"export", export, []string{"--checkpoint", run, "--out", filepath.Join(dir, "exported")}},
		{"resume", train, []string{"--out", run, "--resume"}},
	} {
		out, err := exec.Command(tc.bin, tc.args...).CombinedOutput()
		if err == nil {
			t.Errorf("%s of a checkpoint with NaN weights succeeded:\n%s", tc.name, out)
			continue
		}
		if !strings.Contains(string(out), model) || !strings.Contains(string(out), "NaN") {
			t.Errorf("%s said:\n%s\nwant an error naming %s and the NaN", tc.name, out, model)
		}
	}
	if _, err := checkpoints.Resolve(filepath.Join(dir, "exported")); err == nil {
		t.Error("export wrote a folder of NaN weights")
	}
}
