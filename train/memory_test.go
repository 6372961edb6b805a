package train

import (
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// newTinyTrainer is a trainer of the built-in model set up in a temporary
// run directory, ready to step on memorize over 2 segments.
func newTinyTrainer(t *testing.T) (*trainer, func() stepStats) {
	t.Helper()
	cfg := goldenRuns()["noise-stability"]
	cfg.Out = filepath.Join(t.TempDir(), "run")
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	tr := &trainer{cfg: cfg, run: checkpoints.Run{Dir: cfg.Out, Keep: cfg.Keep}, load: eval.LoadModel, validate: eval.Validate}
	tr.opt.Log = testWriter{t}
	if err := tr.setup(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.metrics.Close() })
	st := cfg.Stages[1]
	tasks, err := tr.trainTasks(st.Segments)
	if err != nil {
		t.Fatal(err)
	}
	cell, err := tr.trainCell()
	if err != nil {
		t.Fatal(err)
	}
	sched := Schedule{Peak: st.LR, Warmup: cfg.Warmup, Total: st.Steps, Decay: cfg.Decay}
	return tr, func() stepStats {
		s, err := tr.step(tasks, st.Segments, cell, sched, st.BPTT())
		if err != nil {
			t.Fatal(err)
		}
		tr.state.Step++
		tr.state.StageStep++
		return s
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) { w.t.Log(string(p)); return len(p), nil }

// TestStepReusesGradientBuffers: after the first step, a training step
// fills the same gradient buffers (by identity) and allocates far less than
// one set of them; a validation pass in between leaves the gradients and
// the weights as they were, and the step after it gives exactly the loss of
// a run that never validated.
func TestStepReusesGradientBuffers(t *testing.T) {
	tr, step := newTinyTrainer(t)
	_, twinStep := newTinyTrainer(t)
	step()
	twinStep()
	grads, _, _ := tr.cell.Memory()
	if grads == 0 {
		t.Fatal("the cell holds no gradient buffers after a step")
	}
	first := bufferStarts(tr.cell.GradientBuffers())
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	step()
	runtime.ReadMemStats(&after)
	twinStep()
	if got := bufferStarts(tr.cell.GradientBuffers()); !slices.Equal(got, first) {
		t.Errorf("the second step filled new gradient buffers")
	}
	t.Logf("a step allocated %d bytes; one set of gradients is %d", int64(after.TotalAlloc-before.TotalAlloc), grads)
	if alloc := int64(after.TotalAlloc - before.TotalAlloc); alloc >= grads/2 {
		t.Errorf("a step allocated %d bytes; want well under one set of gradients (%d bytes)", alloc, grads)
	}

	gradsBefore := cloneAll(tr.cell.GradientBuffers())
	weightsBefore := make([][]float32, len(tr.w.Params))
	for i, p := range tr.w.Params {
		weightsBefore[i] = slices.Clone(p.Data)
	}
	val, err := tr.valSamples(2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eval.Validate(tr.cell, tr.tok, val); err != nil {
		t.Fatal(err)
	}
	for i, g := range tr.cell.GradientBuffers() {
		if !slices.Equal(g, gradsBefore[i]) {
			t.Errorf("validation changed the gradient of %s", tr.w.Params[i].Name)
		}
		if !slices.Equal(tr.w.Params[i].Data, weightsBefore[i]) {
			t.Errorf("validation changed the weights of %s", tr.w.Params[i].Name)
		}
	}
	got, want := step(), twinStep()
	if got.loss != want.loss || got.gnorm != want.gnorm {
		t.Errorf("the step after a validation: loss %v, grad norm %v; without the validation %v, %v", got.loss, got.gnorm, want.loss, want.gnorm)
	}
}

func bufferStarts(gs [][]float32) []*float32 {
	out := make([]*float32, len(gs))
	for i, g := range gs {
		out[i] = &g[0]
	}
	return out
}

func cloneAll(gs [][]float32) [][]float32 {
	out := make([][]float32, len(gs))
	for i, g := range gs {
		out[i] = slices.Clone(g)
	}
	return out
}

// TestShapeNames: the breakdown names each graph as its memory kind lays
// out its rows.
func TestShapeNames(t *testing.T) {
	for _, tc := range []struct {
		s    graph.SegmentShape
		want string
	}{
		{graph.SegmentShape{Batch: 1, Tokens: 480, Mem: 16}, "1x480+2x16"},
		{graph.SegmentShape{Batch: 2, Tokens: 128, Mem: 16, KeyMask: true, LogitRows: 3}, "2x128+2x16 masked 3 logit rows"},
		{graph.SegmentShape{Batch: 1, Tokens: 480, Mem: 16, DMem: 64}, "1x480+16 armt d_mem 64"},
		{graph.SegmentShape{Batch: 1, Tokens: 480, DMem: 64, ReadOnly: true}, "1x480 armt d_mem 64 read-only"},
	} {
		if got := shapeName(tc.s); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.s, got, tc.want)
		}
	}
}
