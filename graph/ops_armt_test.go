package graph

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// armtState returns one layer's state values for b rows: A random, z
// positive (a sum of non-negative features), or z zero for rows never
// written when fresh is true.
func armtState(b, k, c int, fresh bool, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 2))
	w := k*c + k
	out := make([]float64, b*w)
	for r := range b {
		for i := range k * c {
			out[r*w+i] = rng.NormFloat64()
		}
		for i := range k {
			if !fresh {
				out[r*w+k*c+i] = math.Abs(rng.NormFloat64()) + 0.5
			}
		}
	}
	return out
}

// nonNegative returns n values |N(0,1)|: DPFP features.
func nonNegative(n int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 3))
	out := make([]float64, n)
	for i := range out {
		out[i] = math.Abs(rng.NormFloat64())
	}
	return out
}

func TestDPFP(t *testing.T) {
	x := []float64{0.5, -2, 0}
	phi, xp := make([]float64, 18), make([]float64, 6)
	dpfp(x, phi, xp)
	// x' = [0.5, 0, 0, 0, 2, 0]; φ[(j-1)·6+i] = x'_i x'_{i-j}.
	xpWant := []float64{0.5, 0, 0, 0, 2, 0}
	for j := 1; j <= 3; j++ {
		for i := range 6 {
			want := xpWant[i] * xpWant[(i-j+6)%6]
			if got := phi[(j-1)*6+i]; got != want {
				t.Errorf("φ[%d] = %g, want %g", (j-1)*6+i, got, want)
			}
		}
	}
	// The one non-zero product: i = 0, j = 2 pairs x'_0 = 0.5 with x'_4 = 2.
	if phi[6] != 1 {
		t.Errorf("φ[6] = %g, want 1", phi[6])
	}
}

func TestARMTOpGradients(t *testing.T) {
	const b, l, m, c, d = 2, 5, 3, 4, 2
	k := 6 * d
	var tape *gammaTape
	write := func(dt tensor.Dtype, in []*G.Node) *G.Node {
		op := newARMTWriteOp(dt, b, m, c, k)
		tape = &gammaTape{}
		op.gammas = tape
		return apply(op, in...)
	}
	freeze := func() { tape.frozen = true }
	writeIns := func(fresh bool) []opInput {
		return []opInput{
			{shape: []int{b * m, k}, diff: true, vals: nonNegative(b*m*k, 5)},
			{shape: []int{b * m, c}, diff: true},
			{shape: []int{b * m, 1}, diff: true},
			// A fresh row's state is zero: a perturbation of z makes it
			// written, so only the written state is differentiated.
			{shape: []int{b, k*c + k}, diff: !fresh, vals: armtState(b, k, c, fresh, 6)},
		}
	}
	cases := []struct {
		opCase
		after func()
	}{
		{opCase: opCase{name: "dpfp", ins: []opInput{{shape: []int{7, d + 1}, diff: true}},
			build: func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newDPFPOp(dt, 7, d+1), in...) }}},
		{opCase: opCase{name: "armt read", ins: []opInput{
			{shape: []int{b * l, c}, diff: true},
			{shape: []int{b * l, k}, diff: true, vals: nonNegative(b*l*k, 4)},
			{shape: []int{b, k*c + k}, diff: true, vals: armtState(b, k, c, false, 6)}},
			build: func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newARMTReadOp(dt, b, l, c, k), in...) }}},
		{opCase{name: "armt write", ins: writeIns(false), build: write}, freeze},
		{opCase{name: "armt write fresh", ins: writeIns(true), build: write}, freeze},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkOpCaseAfter(t, c.opCase, c.after) })
	}
}

func TestInitARMT(t *testing.T) {
	w := perturbed(t, tinyConfig("gpt2"))
	if err := InitARMT(w, 2, 3, 1); err != nil {
		t.Fatal(err)
	}
	if err := CheckARMT(w, 2, 3); err != nil {
		t.Fatal(err)
	}
	bound := 1 / math.Sqrt(float64(w.Config.Hidden()))
	for _, sp := range ARMTSpecs(w.Config, 2, 3) {
		p := w.Get(sp.Name)
		var nonzero int
		for _, v := range p.Data {
			if v != 0 {
				nonzero++
			}
			if sp.Name != ARMTMemoryName && math.Abs(float64(v)) > bound {
				t.Errorf("%s holds %g, outside ±1/√C = %g", sp.Name, v, bound)
				break
			}
		}
		if isWmv(sp.Name) != (nonzero == 0) {
			t.Errorf("%s has %d non-zero values of %d; want zero only for W_mv", sp.Name, nonzero, len(p.Data))
		}
	}
	if err := CheckARMT(w, 2, 4); err == nil || !strings.Contains(err.Error(), "W_mq") {
		t.Errorf("CheckARMT with the wrong d_mem = %v, want a shape error naming W_mq", err)
	}
	for _, m := range []Memory{{Kind: "lstm"}, {Kind: KindRMT, Tokens: 2, DMem: 4}, {Kind: KindARMT, Tokens: 2, DMem: 0}} {
		if err := m.Check(); err == nil {
			t.Errorf("Memory%+v.Check() = nil, want an error", m)
		}
	}
}
