package graph

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// unrolled builds all n segments of seq into ONE graph with shared
// parameters, memory flowing node to node, and returns the loss and the
// gradients (W.Params order, rmt.memory summed over rows) by plain
// backprop: the reference that segment replay must reproduce.
func unrolled(t *testing.T, w *Weights, m, s int, seq Sequence) (float64, [][]float64) {
	return unrolledMemory(t, w, Memory{Kind: KindRMT, Tokens: m}, s, seq)
}

// unrolledMemory is unrolled for either memory kind: RMT's memory tokens,
// or ARMT's per-layer (A, z), zero before segment 1, flowing node to node.
func unrolledMemory(t *testing.T, w *Weights, kind Memory, s int, seq Sequence) (float64, [][]float64) {
	cell, err := NewMemoryCell[float64](w, kind, s, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := cell.plan(seq)
	if err != nil {
		t.Fatal(err)
	}
	c := w.Config
	B, C, V := len(seq.IDs), c.Hidden(), c.VocabSize
	g := G.NewGraph()
	nodes := map[string]*G.Node{}
	var wrt G.Nodes
	for _, prm := range w.Params {
		if prm.Name == MemoryName {
			continue
		}
		n := G.NewTensor(g, tensor.Float64, len(prm.Shape), G.WithShape(prm.Shape...), G.WithName(prm.Name),
			G.WithValue(tensor.New(tensor.WithShape(prm.Shape...), tensor.WithBacking(toT[float64](prm.Data)))))
		nodes[prm.Name] = n
		wrt = append(wrt, n)
	}
	// state: RMT's memory (B*M, C), or one (B, K*C+K) node per layer.
	init := cell.InitialMemory(B)
	var state []*G.Node
	for l, size := range p.shapes[0].StateParts(c) {
		shape := []int{B, size / B}
		if kind.Kind == KindRMT {
			shape = []int{size / C, C}
		}
		state = append(state, G.NewMatrix(g, tensor.Float64, G.WithShape(shape...), G.WithName(fmt.Sprint("state0.", l)),
			G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(init[:size])))))
		init = init[size:]
	}
	if kind.Kind == KindRMT {
		wrt = append(wrt, state...)
	}
	var total *G.Node
	for i, sh := range p.shapes {
		in := p.batches[i]
		L, O := sh.Positions(), sh.TokenOffset()
		targets, weights := make([]int, B*L), make([]float64, B*L)
		for b := 0; b < B; b++ {
			for t := 0; t < s; t++ {
				targets[b*L+O+t], weights[b*L+O+t] = in.Targets[b*s+t], in.LossWeights[b*s+t]
			}
		}
		ids := G.NewVector(g, tensor.Int, G.WithShape(B*s), G.WithValue(vec(in.IDs)), G.WithName(fmt.Sprint("ids", i)))
		tn := G.NewVector(g, tensor.Int, G.WithShape(B*L), G.WithValue(vec(targets)), G.WithName(fmt.Sprint("t", i)))
		wn := G.NewVector(g, tensor.Float64, G.WithShape(B*L), G.WithValue(vec(weights)), G.WithName(fmt.Sprint("w", i)))
		var km *G.Node
		if sh.KeyMask {
			km = G.NewVector(g, tensor.Float64, G.WithShape(B*L), G.WithValue(vec(in.KeyMask)), G.WithName(fmt.Sprint("km", i)))
		}
		var hf *G.Node
		if kind.Kind == KindARMT {
			am := &armtLayers{dt: tensor.Float64, sh: sh, c: c, p: nodes, state: state}
			hf, _ = decoder(tensor.Float64, c, sh, nodes, ids, km, false, am)
			state = am.out
		} else {
			hf, _ = decoder(tensor.Float64, c, sh, nodes, ids, km, false, &rmtLayers{dt: tensor.Float64, sh: sh, c: c, state: state})
			state = []*G.Node{apply(newMemOutOp(tensor.Float64, B, L, kind.Tokens, C), hf)}
		}
		loss := apply(newLossOp(tensor.Float64, B*L, C, V), hf, nodes[c.HeadName()], tn, wn)
		if total == nil {
			total = loss
		} else if total, err = G.Add(total, loss); err != nil {
			t.Fatal(err)
		}
	}
	grads, err := G.Grad(total, wrt...)
	if err != nil {
		t.Fatal(err)
	}
	vm := G.NewTapeMachine(g)
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	var out [][]float64
	k := 0
	for _, prm := range w.Params {
		if prm.Name == MemoryName {
			d := make([]float64, prm.Size())
			sumRows(d, floats[float64](grads[len(grads)-1].Value()))
			out = append(out, d)
			continue
		}
		out = append(out, append([]float64(nil), floats[float64](grads[k].Value())...))
		k++
	}
	return scalarOf(total.Value()), out
}

// rmtFixture is a 2-layer model with 2 memory tokens and a batch of two
// rows of n segments of 3 tokens (the second row one token short, so the
// last segment is padded).
func rmtFixture(t *testing.T, family string, n int, scoreLastOnly bool) (*Weights, Sequence) {
	w := perturbed(t, tinyConfig(family))
	if err := InitMemory(w, 2, 3); err != nil {
		t.Fatal(err)
	}
	seq := Sequence{}
	for b, length := range []int{3 * n, 3*n - 1} {
		ids, score := make([]int, length), make([]bool, length)
		for i := range ids {
			ids[i] = (5*i + 3*b + 1) % w.Config.VocabSize
			score[i] = !scoreLastOnly || i >= length-3
		}
		seq.IDs, seq.Score = append(seq.IDs, ids), append(seq.Score, score)
	}
	return w, seq
}

func relErr(got, want []float64) float64 {
	var num, den float64
	for i := range want {
		num += (got[i] - want[i]) * (got[i] - want[i])
		den += want[i] * want[i]
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

// TestReplayEqualsUnrolled: segment replay gives the gradients of one
// unrolled graph over 2 and 3 segments, in float64, to 1e-9.
func TestReplayEqualsUnrolled(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		for _, n := range []int{2, 3} {
			t.Run(family+"/"+string(rune('0'+n))+"seg", func(t *testing.T) {
				w, seq := rmtFixture(t, family, n, false)
				wantLoss, want := unrolled(t, w, 2, 3, seq)
				cell, err := NewCell[float64](w, 2, 3, true)
				if err != nil {
					t.Fatal(err)
				}
				got, err := cell.Gradients(seq, -1)
				if err != nil {
					t.Fatal(err)
				}
				if math.Abs(got.Loss-wantLoss) > 1e-12 {
					t.Errorf("loss = %.15g, unrolled %.15g", got.Loss, wantLoss)
				}
				for i, p := range w.Params {
					if e := relErr(got.Params[i], want[i]); e > 1e-9 {
						t.Errorf("%s: relative error %.3g against the unrolled graph", p.Name, e)
					}
				}
			})
		}
	}
}

// TestTruncationCut: with only the last segment scored, the gradient that
// reaches rmt.memory is exactly zero when the BPTT window does not reach
// segment 1, and non-zero when it does; parameters still learn.
func TestTruncationCut(t *testing.T) {
	w, seq := rmtFixture(t, "llama", 3, true)
	memIdx := len(w.Params) - 1
	for _, tc := range []struct {
		depth   int
		reaches bool
	}{{1, false}, {2, false}, {3, true}, {-1, true}} {
		for _, stability := range []float64{0, 0.5} { // the stability penalty honours the cut too
			cell, err := NewCell[float64](w, 2, 3, true)
			if err != nil {
				t.Fatal(err)
			}
			cell.MemStability = stability
			got, err := cell.Gradients(seq, tc.depth)
			if err != nil {
				t.Fatal(err)
			}
			mg := got.Params[memIdx]
			zero := true
			for _, v := range mg {
				zero = zero && v == 0
			}
			if zero == tc.reaches {
				t.Errorf("depth %d, stability %v: rmt.memory gradient all zero = %v, want %v", tc.depth, stability, zero, !tc.reaches)
			}
			if norm64(got.Params[0]) == 0 {
				t.Errorf("depth %d: embedding gradient is zero", tc.depth)
			}
			// Segments with no loss and nothing crossing the cut are not replayed
			// (row 1 is a token short, so its scored predictions reach segment 2).
			if wantReplayed := map[int]int{1: 2, 2: 2, 3: 3, -1: 3}[tc.depth]; got.Replayed != wantReplayed {
				t.Errorf("depth %d: %d segments replayed, want %d", tc.depth, got.Replayed, wantReplayed)
			}
			if (got.Penalty > 0) != (stability > 0) {
				t.Errorf("depth %d, stability %v: penalty %v", tc.depth, stability, got.Penalty)
			}
		}
	}
}

func norm64(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v * v
	}
	return math.Sqrt(s)
}

// memoryFDError is the worst relative error of analytic, the gradient of
// objective with respect to cell.Mem0, against float64 central differences.
func memoryFDError(cell *Cell[float64], objective func() float64, analytic []float64) float64 {
	const eps = 1e-6
	worst := 0.0
	for j := range cell.Mem0 {
		orig := cell.Mem0[j]
		cell.Mem0[j] = orig + eps
		fp := objective()
		cell.Mem0[j] = orig - eps
		fm := objective()
		cell.Mem0[j] = orig
		fd := (fp - fm) / (2 * eps)
		worst = math.Max(worst, math.Abs(fd-analytic[j])/math.Max(1, math.Abs(fd)))
	}
	return worst
}

// TestMemoryFiniteDifference checks the gradient of rmt.memory through 3
// segments (including a padded one) against float64 central differences.
func TestMemoryFiniteDifference(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		t.Run(family, func(t *testing.T) {
			w, seq := rmtFixture(t, family, 3, false)
			cell, err := NewCell[float64](w, 2, 3, true)
			if err != nil {
				t.Fatal(err)
			}
			cell.Mem0 = toT[float64](w.Get(MemoryName).Data)
			got, err := cell.Gradients(seq, -1)
			if err != nil {
				t.Fatal(err)
			}
			loss := func() float64 {
				tr, err := cell.Forward(seq)
				if err != nil {
					t.Fatal(err)
				}
				return tr.Loss
			}
			if worst := memoryFDError(cell, loss, got.Params[len(w.Params)-1]); worst > 1e-7 {
				t.Errorf("rmt.memory: finite-difference error %.3g > 1e-7", worst)
			}
		})
	}
}

func TestCellBadInput(t *testing.T) {
	gpt := perturbed(t, tinyConfig("gpt2")) // n_positions 16
	if err := InitMemory(gpt, 2, 1); err != nil {
		t.Fatal(err)
	}
	llama := perturbed(t, tinyConfig("llama"))
	for _, tc := range []struct {
		name string
		err  func() error
		want string
	}{
		{"segment leaves no room for memory", func() error { _, err := NewCell[float32](gpt, 2, 13, false); return err }, "n_positions"},
		{"memory larger than allowed", func() error { _, err := NewCell[float32](gpt, 9, 1, false); return err }, "2M+S"},
		{"memory not initialised", func() error { _, err := NewCell[float32](llama, 2, 4, false); return err }, "InitMemory"},
		{"memory shape mismatch", func() error { _, err := NewCell[float32](gpt, 3, 4, false); return err }, "shape"},
		{"zero segment size", func() error { _, err := NewCell[float32](gpt, 2, 0, false); return err }, "segment size"},
		{"empty input", func() error {
			c, _ := NewCell[float32](gpt, 2, 4, false)
			_, err := c.Forward(Sequence{})
			return err
		}, "empty"},
		{"empty row", func() error {
			c, _ := NewCell[float32](gpt, 2, 4, false)
			_, err := c.Forward(Sequence{IDs: [][]int{{1, 2}, {}}})
			return err
		}, "empty"},
		{"rows of different segment counts", func() error {
			c, _ := NewCell[float32](gpt, 2, 4, false)
			_, err := c.Forward(Sequence{IDs: [][]int{{1, 2, 3, 4, 5}, {1, 2, 3}}})
			return err
		}, "same segment count"},
		{"token outside vocabulary", func() error {
			c, _ := NewCell[float32](gpt, 2, 4, false)
			_, err := c.Forward(Sequence{IDs: [][]int{{1, 2, 99}}})
			return err
		}, "vocabulary"},
		{"bptt depth 0", func() error {
			c, _ := NewCell[float32](gpt, 2, 4, true)
			_, err := c.Gradients(Sequence{IDs: [][]int{{1, 2, 3}}}, 0)
			return err
		}, "depth"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

// TestMemNoise: training noise perturbs each hand-off by about MemNoise of
// the memory's RMS, is the same for the same seed, differs for another,
// changes the gradients, and never touches Forward (evaluation).
func TestMemNoise(t *testing.T) {
	w, seq := rmtFixture(t, "llama", 3, false)
	run := func(sigma float64, seed uint64) *Gradients[float64] {
		cell, err := NewCell[float64](w, 2, 3, true)
		if err != nil {
			t.Fatal(err)
		}
		cell.MemNoise, cell.NoiseSeed = sigma, seed
		g, err := cell.Gradients(seq, -1)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	clean, noisy, again, other := run(0, 0), run(0.1, 7), run(0.1, 7), run(0.1, 8)
	for i := 1; i <= 2; i++ { // hand-offs mem_1, mem_2
		d := make([]float64, len(clean.Mems[i]))
		for j := range d {
			d[j] = noisy.Mems[i][j] - clean.Mems[i][j]
		}
		// Each hand-off adds noise to the memory it receives, whose own
		// value already carries the earlier noise: compare against the
		// noise-free input of the same segment only for mem_1.
		if i == 1 {
			if r := norm64(d) / norm64(clean.Mems[i]); r < 0.05 || r > 0.2 {
				t.Errorf("mem_1 moved by %.3f of its norm, want about 0.1", r)
			}
		}
		if norm64(d) == 0 {
			t.Errorf("mem_%d has no noise", i)
		}
	}
	for i := range w.Params {
		if !slices.Equal(noisy.Params[i], again.Params[i]) {
			t.Fatalf("%s: the same noise seed gave different gradients", w.Params[i].Name)
		}
	}
	if slices.Equal(noisy.Params[0], other.Params[0]) || slices.Equal(noisy.Params[0], clean.Params[0]) {
		t.Error("another noise seed, or no noise, gave the same embedding gradient")
	}
	cell, err := NewCell[float64](w, 2, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	cell.MemNoise, cell.NoiseSeed = 0.5, 1
	tr, err := cell.Forward(seq)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < 3; i++ {
		if !slices.Equal(tr.Mems[i], clean.Mems[i]) {
			t.Errorf("Forward's mem_%d carries training noise", i)
		}
	}
}

// TestMemStabilityGradient: with MemStability, Gradients follows the
// objective loss + penalty: rmt.memory's gradient matches central
// differences of that sum through 4 segments (hand-off differences mem_2 -
// mem_1 and mem_3 - mem_2), the penalty stays out of Loss, and the
// gradient differs from the one without the penalty.
func TestMemStabilityGradient(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		t.Run(family, func(t *testing.T) {
			w, seq := rmtFixture(t, family, 4, false)
			cell, err := NewCell[float64](w, 2, 3, true)
			if err != nil {
				t.Fatal(err)
			}
			cell.Mem0 = toT[float64](w.Get(MemoryName).Data)
			plain, err := cell.Gradients(seq, -1)
			if err != nil {
				t.Fatal(err)
			}
			plainMem := slices.Clone(plain.Params[len(w.Params)-1]) // the next call refills the cell's buffers
			cell.MemStability = 0.7
			got, err := cell.Gradients(seq, -1)
			if err != nil {
				t.Fatal(err)
			}
			fwd, err := cell.Forward(seq)
			if err != nil {
				t.Fatal(err)
			}
			if pen := cell.StabilityPenalty(fwd); got.Penalty <= 0 || math.Abs(got.Penalty-pen) > 1e-12 {
				t.Fatalf("penalty %v from Gradients, %v from the forward trace; want equal and positive", got.Penalty, pen)
			}
			if math.Abs(got.Loss-plain.Loss) > 1e-12 {
				t.Errorf("loss %v with the penalty, %v without; the penalty must stay out of Loss", got.Loss, plain.Loss)
			}
			objective := func() float64 {
				tr, err := cell.Forward(seq)
				if err != nil {
					t.Fatal(err)
				}
				return tr.Loss + cell.StabilityPenalty(tr)
			}
			analytic := got.Params[len(w.Params)-1]
			if worst := memoryFDError(cell, objective, analytic); worst > 1e-7 {
				t.Errorf("rmt.memory: finite-difference error %.3g > 1e-7 with the stability penalty", worst)
			}
			if relErr(analytic, plainMem) < 1e-6 {
				t.Errorf("rmt.memory gradient unchanged by a penalty of %v; the test does not see it", got.Penalty)
			}
		})
	}
}

// TestSequencePart: a batch split into parts (one row each, as processes
// of a data-parallel job hold them) gives gradients, loss and stability
// penalty that sum to the whole batch's, with memory noise drawn as for the
// whole batch, in float64 to 1e-12, for both memory kinds; a part that does
// not fit its batch is refused.
func TestSequencePart(t *testing.T) {
	for _, kind := range []string{KindRMT, KindARMT} {
		t.Run(kind, func(t *testing.T) { testSequencePart(t, kind) })
	}
}

func testSequencePart(t *testing.T, kind string) {
	w, seq := rmtFixture(t, "llama", 4, false)
	mem := Memory{Kind: KindRMT, Tokens: 2}
	if kind == KindARMT {
		w, seq = armtFixture(t, "llama", 4, false)
		mem = armtMem
	}
	cell, err := NewMemoryCell[float64](w, mem, 3, true)
	if err != nil {
		t.Fatal(err)
	}
	cell.MemStability = 0.7
	if kind == KindRMT { // the associative memory takes no noise
		cell.MemNoise, cell.NoiseSeed = 0.1, 7
	}
	whole, err := cell.Gradients(seq, -1)
	if err != nil {
		t.Fatal(err)
	}
	wholeGrads := make([][]float64, len(whole.Params)) // the cell refills its buffers on every call
	for i, g := range whole.Params {
		wholeGrads[i] = slices.Clone(g)
	}
	scored := 0
	for b, row := range seq.IDs {
		for i := 0; i+1 < len(row); i++ {
			if seq.Score[b][i] {
				scored++
			}
		}
	}
	sum := make([][]float64, len(w.Params))
	var loss, penalty float64
	for b := range seq.IDs {
		part := Sequence{IDs: seq.IDs[b : b+1], Score: seq.Score[b : b+1], Part: &Part{Row: b, Rows: len(seq.IDs), Scored: scored}}
		g, err := cell.Gradients(part, -1)
		if err != nil {
			t.Fatalf("part %d: %v", b, err)
		}
		loss, penalty = loss+g.Loss, penalty+g.Penalty
		for i, p := range g.Params {
			if sum[i] == nil {
				sum[i] = make([]float64, len(p))
			}
			for j, v := range p {
				sum[i][j] += v
			}
		}
	}
	if math.Abs(loss-whole.Loss) > 1e-12 || whole.Penalty <= 0 || math.Abs(penalty-whole.Penalty) > 1e-12 {
		t.Errorf("parts sum to loss %v and penalty %v, the whole batch has %v and %v", loss, penalty, whole.Loss, whole.Penalty)
	}
	for i, p := range w.Params {
		if e := relErr(sum[i], wholeGrads[i]); e > 1e-12 {
			t.Errorf("%s: the parts' gradients sum to within %.3g of the whole batch's, want 1e-12", p.Name, e)
		}
	}
	bad := Sequence{IDs: seq.IDs, Score: seq.Score, Part: &Part{Row: 1, Rows: 2, Scored: scored}}
	if _, err := cell.Gradients(bad, -1); err == nil {
		t.Error("Gradients of 2 rows placed at row 1 of a batch of 2: no error")
	}
}

// TestGradientsReuseBuffers: after the first call, Gradients fills the same
// gradient buffers (one set per cell) rather than allocating a set per call,
// and clears them first: a call after a different sequence gives bit for bit
// the gradients of a fresh cell.
func TestGradientsReuseBuffers(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		t.Run(family, func(t *testing.T) {
			w, seq := rmtFixture(t, family, 3, false)
			_, other := rmtFixture(t, family, 2, true)
			fresh := func() [][]float32 {
				c, err := NewCell[float32](w, 2, 3, true)
				if err != nil {
					t.Fatal(err)
				}
				g, err := c.Gradients(seq, -1)
				if err != nil {
					t.Fatal(err)
				}
				return g.Params
			}
			want := fresh()
			cell, err := NewCell[float32](w, 2, 3, true)
			if err != nil {
				t.Fatal(err)
			}
			first, err := cell.Gradients(other, -1)
			if err != nil {
				t.Fatal(err)
			}
			buffers := make([]*float32, len(first.Params))
			for i, g := range first.Params {
				buffers[i] = &g[0]
			}
			for call := 2; call <= 3; call++ {
				got, err := cell.Gradients(seq, -1)
				if err != nil {
					t.Fatal(err)
				}
				for i, p := range w.Params {
					if &got.Params[i][0] != buffers[i] {
						t.Errorf("call %d: %s has a new gradient buffer, want the first call's", call, p.Name)
					}
					if !slices.Equal(got.Params[i], want[i]) {
						t.Errorf("call %d: %s gradient differs from a fresh cell's", call, p.Name)
					}
				}
			}
		})
	}
}
