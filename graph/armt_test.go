package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// armtFixture is rmtFixture's model and batch with the associative memory
// (2 memory tokens, d_mem 2) in place of rmt.memory; W_mv is given random
// values (the authors' init is zero) so that every path carries gradient.
func armtFixture(t *testing.T, family string, n int, scoreLastOnly bool) (*Weights, Sequence) {
	w := perturbed(t, tinyConfig(family))
	initARMTNonzero(t, w)
	_, seq := rmtFixture(t, family, n, scoreLastOnly)
	return w, seq
}

// initARMTNonzero adds ARMT (2 tokens, d_mem 2) to w with W_mv random.
func initARMTNonzero(t *testing.T, w *Weights) {
	if err := InitARMT(w, 2, 2, 3); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(4, 4))
	for l := range w.Config.Layers() {
		for i, p := 0, w.Get(armtParam(l, "W_mv.weight")); i < len(p.Data); i++ {
			p.Data[i] = float32(0.3 * rng.NormFloat64())
		}
	}
}

var armtMem = Memory{Kind: KindARMT, Tokens: 2, DMem: 2}

// armtMems is armtMem with each feature map: the replay, truncation and
// finite-difference tests hold for both.
var armtMems = []Memory{armtMem, {Kind: KindARMT, Tokens: 2, DMem: 2, Features: FeaturesDPFPNormalized}}

// TestARMTReplayEqualsUnrolled: segment replay of the associative memory
// (every state kept, and every second) gives the gradients of one unrolled
// graph over 3 segments, in float64, to 1e-9.
func TestARMTReplayEqualsUnrolled(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		for _, armtMem := range armtMems {
			t.Run(family+"/"+armtMem.ARMTFeatures(), func(t *testing.T) { armtReplayEqualsUnrolled(t, family, armtMem) })
		}
	}
}

func armtReplayEqualsUnrolled(t *testing.T, family string, armtMem Memory) {
	w, seq := armtFixture(t, family, 3, false)
	wantLoss, want := unrolledMemory(t, w, armtMem, 3, seq)
	for _, k := range []int{1, 2} {
		cell, err := NewMemoryCell[float64](w, armtMem, 3, true)
		if err != nil {
			t.Fatal(err)
		}
		cell.KeepEvery = k
		got, err := cell.Gradients(seq, -1)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got.Loss-wantLoss) > 1e-12 {
			t.Errorf("keep every %d: loss = %.15g, unrolled %.15g", k, got.Loss, wantLoss)
		}
		for i, p := range w.Params {
			if norm64(want[i]) == 0 {
				t.Errorf("%s: zero gradient in the unrolled graph", p.Name)
			}
			if e := relErr(got.Params[i], want[i]); e > 1e-9 {
				t.Errorf("keep every %d: %s: relative error %.3g against the unrolled graph", k, p.Name, e)
			}
		}
	}
}

// TestARMTKeepEvery: the gradients and the loss are bit for bit the same
// whichever states the replay keeps and which it recomputes, with full and
// truncated BPTT.
func TestARMTKeepEvery(t *testing.T) {
	for _, armtMem := range armtMems {
		t.Run(armtMem.ARMTFeatures(), func(t *testing.T) { armtKeepEvery(t, armtMem) })
	}
}

func armtKeepEvery(t *testing.T, armtMem Memory) {
	w, seq := armtFixture(t, "llama", 5, false)
	for _, depth := range []int{-1, 2} {
		var first *Gradients[float64]
		for _, k := range []int{1, 2, 3, 5, 0} {
			cell, err := NewMemoryCell[float64](w, armtMem, 3, true)
			if err != nil {
				t.Fatal(err)
			}
			cell.KeepEvery = k
			got, err := cell.Gradients(seq, depth)
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = got
				continue
			}
			if got.Loss != first.Loss || !slices.Equal(got.LossParts, first.LossParts) {
				t.Errorf("depth %d, keep every %d: loss %v %v, keeping all %v %v", depth, k, got.Loss, got.LossParts, first.Loss, first.LossParts)
			}
			for i, p := range w.Params {
				if !slices.Equal(got.Params[i], first.Params[i]) {
					t.Errorf("depth %d, keep every %d: %s gradient differs from keeping every state (rel %.3g)", depth, k, p.Name, relErr(got.Params[i], first.Params[i]))
				}
			}
		}
	}
}

// TestARMTTruncationCut: with only the last predictions scored (row 1 is a
// token short, so they fall in segments 2 and 3) and a window of one
// segment, the gradient is exactly the sum of each segment's own, run from
// its input state as a constant: nothing crosses a cut, and the hand-off
// gradients are exactly zero. A window of 2 lets it cross.
func TestARMTTruncationCut(t *testing.T) {
	for _, armtMem := range armtMems {
		t.Run(armtMem.ARMTFeatures(), func(t *testing.T) { armtTruncationCut(t, armtMem) })
	}
}

func armtTruncationCut(t *testing.T, armtMem Memory) {
	w, seq := armtFixture(t, "gpt2", 3, true)
	cell, err := NewMemoryCell[float64](w, armtMem, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	cell.KeepEvery = 1
	got, err := cell.Gradients(seq, 1)
	if err != nil {
		t.Fatal(err)
	}
	depth1 := make([][]float64, len(got.Params)) // the cell's buffers are refilled below
	for i, g := range got.Params {
		depth1[i] = slices.Clone(g)
	}
	for j, h := range got.Handoff {
		for _, v := range h {
			if v != 0 {
				t.Fatalf("dLoss/dstate_%d crosses the cut: %g", j+1, v)
			}
		}
	}
	p, err := cell.plan(seq)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := cell.Forward(seq)
	if err != nil {
		t.Fatal(err)
	}
	want := make([][]float64, len(w.Params))
	for i := 2; i >= 1; i-- {
		seg, err := cell.graph(p.shapes[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := seg.Backward(p.batches[i], tr.Mems[i], nil, want); err != nil {
			t.Fatal(err)
		}
	}
	for i, prm := range w.Params {
		if !slices.Equal(depth1[i], want[i]) {
			t.Errorf("%s: depth-1 gradient differs from the segments' own (rel %.3g)", prm.Name, relErr(depth1[i], want[i]))
		}
	}
	deeper, err := cell.Gradients(seq, 2)
	if err != nil {
		t.Fatal(err)
	}
	if norm64(deeper.Handoff[1]) == 0 {
		t.Error("depth 2: no gradient reaches state_2")
	}
	if relErr(deeper.Params[0], depth1[0]) == 0 {
		t.Error("depth 2 gives the embedding the gradient of depth 1")
	}
}

// TestARMTFiniteDifference checks the gradients of armt.memory and of
// layer 0's W_mq, W_mk, W_mv, W_mb (weight and bias) through 3 segments
// (the last padded) against float64 central differences of the loss, with
// γ held at its forward value as the gradient holds it.
func TestARMTFiniteDifference(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		for _, armtMem := range armtMems {
			t.Run(family+"/"+armtMem.ARMTFeatures(), func(t *testing.T) { armtFiniteDifference(t, family, armtMem) })
		}
	}
}

func armtFiniteDifference(t *testing.T, family string, armtMem Memory) {
	w, seq := armtFixture(t, family, 3, false)
	cell, err := NewMemoryCell[float64](w, armtMem, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	got, err := cell.Gradients(seq, -1)
	if err != nil {
		t.Fatal(err)
	}
	tape := &gammaTape{}
	for _, g := range cell.graphs {
		for _, op := range g.writes {
			op.gammas = tape
		}
	}
	loss := func() float64 {
		tape.pos = 0
		tr, err := cell.Forward(seq)
		if err != nil {
			t.Fatal(err)
		}
		return tr.Loss
	}
	base := loss()
	tape.frozen = true
	if again := loss(); again != base {
		t.Fatalf("loss with γ replayed = %.17g, recorded %.17g", again, base)
	}
	for _, name := range []string{ARMTMemoryName, armtParam(0, "W_mq.weight"), armtParam(0, "W_mk.weight"),
		armtParam(0, "W_mv.weight"), armtParam(0, "W_mb.weight"), armtParam(0, "W_mb.bias")} {
		idx := slices.IndexFunc(w.Params, func(p *Param) bool { return p.Name == name })
		const eps = 1e-6
		worst := 0.0
		for j := range w.Params[idx].Data {
			set := func(d float64) {
				for _, g := range cell.graphs {
					g.ParamData(idx)[j] += d
				}
			}
			set(eps)
			fp := loss()
			set(-2 * eps)
			fm := loss()
			set(eps)
			fd := (fp - fm) / (2 * eps)
			worst = math.Max(worst, math.Abs(fd-got.Params[idx][j])/math.Max(1, math.Abs(fd)))
		}
		if worst > 1e-7 {
			t.Errorf("%s: finite-difference error %.3g > 1e-7", name, worst)
		}
		if norm64(got.Params[idx]) == 0 {
			t.Errorf("%s: zero gradient", name)
		}
	}
}
