package train

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// tinyModel is a one-layer byte-vocabulary Llama small enough that a
// training step takes milliseconds.
func tinyModel(string) (*eval.Model, error) {
	tied := true
	c := graph.Config{ModelType: "llama", VocabSize: data.ByteVocabSize, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 1,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 256, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	w, err := graph.RandomWeights(c, 5)
	return &eval.Model{Weights: w, Tokenizer: data.NewByteTokenizer()}, err
}

// scripted answers validations from a list, in order (the last one again
// once the list is spent), so that a test decides what the loop sees.
type scripted struct {
	vals  []eval.Validation
	calls int
}

func (s *scripted) validate(_ *graph.Cell[float32], _ data.Tokenizer, samples []data.Sample) (eval.Validation, error) {
	v := s.vals[min(s.calls, len(s.vals)-1)]
	s.calls++
	v.Samples = len(samples)
	return v, nil
}

func acc(a ...float64) []eval.Validation {
	out := make([]eval.Validation, len(a))
	for i, x := range a {
		out[i] = eval.Validation{Accuracy: x, Loss: 1 - x}
	}
	return out
}

// tinyConfig trains the tiny model for steps steps per stage, validating
// after every step.
func tinyConfig(t *testing.T, curriculum string, steps int) Config {
	c := DefaultConfig()
	c.SegmentSize, c.MemTokens, c.Batch = 96, 2, 1
	c.Curriculum, c.StepsPerStage, c.Warmup = curriculum, steps, 0
	c.EvalEvery, c.CheckpointEvery, c.LogEvery, c.EvalSamples, c.Keep = 1, 100, 1, 4, 100
	c.Out = filepath.Join(t.TempDir(), "run")
	return c
}

// runScripted trains c with the validations vals and returns the log.
func runScripted(t *testing.T, c Config, vals []eval.Validation) string {
	t.Helper()
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	var log bytes.Buffer
	s := &scripted{vals: vals}
	if err := run(context.Background(), &trainer{cfg: c, opt: Options{Log: &log}, validate: s.validate, load: tinyModel}); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	return log.String()
}

func wantLines(t *testing.T, log string, lines ...string) {
	t.Helper()
	for _, l := range lines {
		if !strings.Contains(log, l+"\n") {
			t.Errorf("the log has no line %q:\n%s", l, log)
		}
	}
}

func stateOf(t *testing.T, ckDir string) checkpoints.State {
	t.Helper()
	ck, err := checkpoints.Load(ckDir)
	if err != nil {
		t.Fatal(err)
	}
	return ck.State
}

// Stage 1 reaches the threshold at its third step and advances early;
// stage 2 starts from stage 1's best checkpoint, spends its budget, and
// the run's best is stage 2's best evaluation, named by global steps.
func TestLoopAdvancesEarlyAndKeepsTheBest(t *testing.T) {
	c := tinyConfig(t, "1,2", 4)
	c.Threshold = 0.9
	log := runScripted(t, c, acc(0.25, 0.5, 1 /* stage 2 */, 0.5, 0.75, 0.5, 0.25))
	wantLines(t, log,
		"stage 1 ends at step 3 (stage step 3): accuracy 1.0000 >= threshold 0.9 at step 3 (stage step 3)",
		"stage 2 ends at step 7 (stage step 4): step budget 4 spent (best accuracy 0.7500 at step 5 (stage step 2))",
		"stage 2 starts from "+filepath.Join(c.Out, "checkpoints", "step-000003"),
		"eval step 5 | stage 2 (2 seg) | val loss 0.2500 | accuracy 0.750 | new best",
	)
	best, err := checkpoints.Run{Dir: c.Out}.Best()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(best) != "step-000005" {
		t.Errorf("best checkpoint %s, want step-000005 (accuracy 0.75)", best)
	}
	if st := stateOf(t, best); st.Parent != filepath.Join(c.Out, "checkpoints", "step-000003") || st.Stage != 1 {
		t.Errorf("best checkpoint's stage %d parent %q, want stage index 1 started from step-000003", st.Stage, st.Parent)
	}
	// Stage 1 ended at step 3: no step 4 was trained in it.
	if strings.Contains(log, "step 4/8 | stage 1") {
		t.Errorf("stage 1 trained past its early advance:\n%s", log)
	}
}

// Patience ends a stage after that many evaluations without improvement;
// an equal accuracy is broken by the lower loss.
func TestLoopPatienceAndTieBreak(t *testing.T) {
	c := tinyConfig(t, "1", 10)
	c.Threshold, c.Patience = 0, 2
	vals := []eval.Validation{{Accuracy: 0.5, Loss: 0.9}, {Accuracy: 0.5, Loss: 0.4}, {Accuracy: 0.25, Loss: 0.3}, {Accuracy: 0.5, Loss: 0.5}}
	log := runScripted(t, c, vals)
	wantLines(t, log, "stage 1 ends at step 4 (stage step 4): no improvement in 2 evaluations (best accuracy 0.5000 at step 2 (stage step 2))")
	best, err := checkpoints.Run{Dir: c.Out}.Best()
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(best) != "step-000002" {
		t.Errorf("best checkpoint %s, want step-000002 (accuracy 0.5 at the lower loss)", best)
	}
	if strings.Contains(log, "step 5/10 |") {
		t.Errorf("the stage went on after its patience ran out:\n%s", log)
	}
}

// A task without answers selects by validation loss and says so.
func TestLoopSelectsByLossAndNamesIt(t *testing.T) {
	dir := t.TempDir()
	line := "The rain came down over the hills and the road ran on to the sea where the boats were drawn up.\n"
	for _, name := range []string{"a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat(line, 60)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := tinyConfig(t, "1", 3)
	c.Task, c.TextDir, c.MemTokens = "lm", dir, 0
	c.Threshold = 0
	vals := []eval.Validation{{Accuracy: -1, Loss: 0.5}, {Accuracy: -1, Loss: 0.2093}, {Accuracy: -1, Loss: 0.3}}
	log := runScripted(t, c, vals)
	wantLines(t, log, "stage 1 ends at step 3 (stage step 3): step budget 3 spent (best loss 0.2093 at step 2 (stage step 2))")
	if strings.Contains(log, "accuracy -") {
		t.Errorf("a loss-selected stage printed a negative accuracy:\n%s", log)
	}
	raw, err := os.ReadFile(filepath.Join(c.Out, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	evals := 0
	for l := range strings.Lines(string(raw)) {
		var r record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		if r.Type == "eval" {
			evals++
		}
	}
	if evals != 3 {
		t.Errorf("metrics.jsonl has %d evaluations, want 3", evals)
	}
}
