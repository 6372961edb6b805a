package train

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// runOpts trains c (resolved) with the validations vals under opt and
// returns the log and the error.
func runOpts(t *testing.T, c Config, vals []eval.Validation, opt Options) (string, error) {
	t.Helper()
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	opt.Log = &log
	s := &scripted{vals: vals}
	err := run(context.Background(), &trainer{cfg: c, opt: opt, validate: s.validate, load: tinyModel})
	return log.String(), err
}

func ckPath(c Config, step string) string { return filepath.Join(c.Out, "checkpoints", "step-"+step) }

// The divergence rule: a validation loss above DivergenceFactor times the
// stage's best stops the run before the curriculum sees it, without saving,
// naming the last validated checkpoint and the unvalidated one after it.
func TestDivergenceStopsNamingTheLastValidated(t *testing.T) {
	c := tinyConfig(t, "1", 10)
	c.EvalEvery, c.CheckpointEvery, c.Threshold = 2, 1, 0
	vals := []eval.Validation{{Accuracy: 0.5, Loss: 0.8}, {Accuracy: 0.75, Loss: 4.3e9}}
	log, err := runOpts(t, c, vals, Options{})
	if err == nil {
		t.Fatalf("a run whose validation loss went from 0.8 to 4.3e9 finished:\n%s", log)
	}
	want := "diverged: validation loss 4.3e+09 at step 4 (stage 1) is above 10 times the stage's best 0.8; stopping without saving: the last good checkpoint is " +
		ckPath(c, "000002") + " (the last validated; " + ckPath(c, "000003") + " was saved after it, between validations)"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q\nwant %q", err, want)
	}
	if _, err := os.Stat(ckPath(c, "000004")); err == nil {
		t.Error("the diverged step 4 was saved")
	}
	if best, err := (checkpoints.Run{Dir: c.Out}).Best(); err != nil || best != ckPath(c, "000002") {
		t.Errorf("best = %s, %v; want step-000002 (a diverged evaluation is never best)", best, err)
	}

	// A NaN validation loss stops the run too; a loss within the factor does not.
	c = tinyConfig(t, "1", 3)
	c.Threshold = 0
	if _, err := runOpts(t, c, []eval.Validation{{Accuracy: 0.5, Loss: 0.3}, {Accuracy: 0.5, Loss: 9.9}, {Accuracy: 0.5, Loss: 1}}, Options{}); err != nil {
		t.Errorf("a validation loss of 9.9 after a best of 0.3 (under 10 x max(best, 1)) stopped the run: %v", err)
	}
	// The first validation of a run has no best to compare with: a loss
	// above 10 x that of a uniform guess (ln 260, the byte vocabulary with its specials) stops it.
	c = tinyConfig(t, "1", 3)
	c.CheckpointEvery = 1
	if _, err := runOpts(t, c, []eval.Validation{{Accuracy: 0, Loss: 100}}, Options{}); err == nil ||
		!strings.Contains(err.Error(), "validation loss 100 at step 1 (stage 1) is above 10 times that of a uniform guess (ln 260 = 5.56)") {
		t.Errorf("a first validation loss of 100: %v; want the uniform-guess rule", err)
	}
	c = tinyConfig(t, "1", 3)
	if _, err := runOpts(t, c, []eval.Validation{{Accuracy: 0.5, Loss: 0.3}, {Accuracy: 0.5, Loss: math.NaN()}}, Options{}); err == nil ||
		!strings.Contains(err.Error(), "validation loss is NaN at step 2") || !strings.Contains(err.Error(), ckPath(c, "000001")) {
		t.Errorf("NaN validation loss: %v; want a stop naming step-000001", err)
	}
}

// A non-finite gradient stops the step before the update, naming the
// parameter.
func TestNonFiniteGradientStops(t *testing.T) {
	m, err := tinyModel("")
	if err != nil {
		t.Fatal(err)
	}
	tr := &trainer{w: m.Weights, lastGood: "runs/x/checkpoints/step-000007"}
	grads := make([][]float32, len(m.Weights.Params))
	for i, p := range m.Weights.Params {
		grads[i] = make([]float32, p.Size())
	}
	if err := tr.finiteGradients(grads); err != nil {
		t.Fatal(err)
	}
	grads[1][2] = float32(math.Inf(1))
	err = tr.finiteGradients(grads)
	if err == nil || !strings.Contains(err.Error(), "gradient of "+m.Weights.Params[1].Name+" is +Inf at index 2") || !strings.Contains(err.Error(), "step-000007") {
		t.Errorf("finiteGradients with an Inf = %v; want the parameter and the last good checkpoint named", err)
	}
}

// Resume of a run whose latest checkpoint is corrupt: plain --resume
// refuses, naming it and the newest checkpoint that verifies; --resume=auto
// says so and continues from that one, and the run then ends with a latest
// checkpoint that verifies. NaN weights in the latest are treated the same.
func TestResumeFallsBack(t *testing.T) {
	for _, corruption := range []string{"flipped byte", "NaN weights"} {
		c := tinyConfig(t, "1", 4)
		c.CheckpointEvery, c.Threshold = 1, 0
		vals := acc(0.25, 0.5, 0.75, 1)
		if log, err := runOpts(t, c, vals, Options{}); err != nil {
			t.Fatalf("%v\n%s", err, log)
		}
		latest := ckPath(c, "000004")
		model := filepath.Join(latest, "model.safetensors")
		switch corruption {
		case "flipped byte":
			raw, _ := os.ReadFile(model)
			raw[len(raw)-3] ^= 0x40
			os.WriteFile(model, raw, 0o644)
		case "NaN weights":
			ts, meta, err := checkpoints.ReadSafetensors(model)
			if err != nil {
				t.Fatal(err)
			}
			ts[0].Data[0] = float32(math.NaN())
			if err := checkpoints.WriteSafetensors(model, ts, meta); err != nil {
				t.Fatal(err)
			}
		}
		_, err := runOpts(t, c, vals, Options{Resume: true})
		if err == nil || !strings.Contains(err.Error(), "the latest checkpoint "+latest+" is unusable") ||
			!strings.Contains(err.Error(), "the newest checkpoint that verifies is "+ckPath(c, "000003")+": pass resume=auto") {
			t.Fatalf("%s: --resume = %v; want a refusal naming both checkpoints and --resume=auto", corruption, err)
		}
		log, err := runOpts(t, c, vals[3:], Options{Resume: true, ResumeAuto: true})
		if err != nil {
			t.Fatalf("%s: --resume=auto: %v\n%s", corruption, err, log)
		}
		wantLines(t, log, "note: skipping it and resuming from "+ckPath(c, "000003")+", the newest checkpoint that verifies",
			"resuming "+ckPath(c, "000003")+" at stage 1 step 3 (stage step 3)")
		if _, err := checkpoints.Load(latest); err != nil {
			t.Errorf("%s: after the fall-back the redone step 4 does not load: %v", corruption, err)
		}
	}
}

// A checkpoint of diverged weights is never written: Save refuses it and
// the run says which checkpoint is the last good one.
func TestSaveRefusesNaNWeights(t *testing.T) {
	c := tinyConfig(t, "1", 3)
	c.CheckpointEvery, c.EvalEvery, c.Threshold = 1, 100, 0
	poison := func(step int, w *graph.Weights) {
		if step == 2 {
			w.Params[0].Data[0] = float32(math.NaN())
		}
	}
	_, err := runOpts(t, c, acc(0.5), Options{AfterStep: poison})
	if err == nil || !strings.Contains(err.Error(), "saving step 2") || !strings.Contains(err.Error(), "NaN") ||
		!strings.Contains(err.Error(), "the last good checkpoint is "+ckPath(c, "000001")) {
		t.Errorf("run with NaN weights at step 2 = %v; want the save refused naming step-000001", err)
	}
	if _, err := os.Stat(ckPath(c, "000002")); err == nil {
		t.Error("a checkpoint of NaN weights was written")
	}
}
