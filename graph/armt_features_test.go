package graph

import (
	"math"
	"strings"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// TestARMTNormalizedOpGradients: the normalised features and the write
// with normalised keys (γ without ε) against float64 central differences,
// γ held at its forward value.
func TestARMTNormalizedOpGradients(t *testing.T) {
	const b, m, c, d = 2, 3, 4, 2
	k := 6 * d
	var tape *gammaTape
	write := func(dt tensor.Dtype, in []*G.Node) *G.Node {
		op := newARMTWriteOp(dt, b, m, c, k)
		op.normalized = true
		tape = &gammaTape{}
		op.gammas = tape
		return apply(op, in...)
	}
	keys := nonNegative(b*m*k, 5)
	for r := range b * m {
		l2Normalize(keys[r*k : (r+1)*k])
	}
	writeIns := func(fresh bool) []opInput {
		return []opInput{
			{shape: []int{b * m, k}, diff: true, vals: keys},
			{shape: []int{b * m, c}, diff: true},
			{shape: []int{b * m, 1}, diff: true},
			{shape: []int{b, k*c + k}, diff: !fresh, vals: armtState(b, k, c, fresh, 6)},
		}
	}
	freeze := func() { tape.frozen = true }
	features := func(dt tensor.Dtype, in []*G.Node) *G.Node {
		op := newDPFPOp(dt, 7, d+1)
		op.normalize = true
		return apply(op, in...)
	}
	cases := []struct {
		opCase
		after func()
	}{
		{opCase: opCase{name: "dpfp normalized", ins: []opInput{{shape: []int{7, d + 1}, diff: true}}, build: features}},
		{opCase{name: "armt write normalized", ins: writeIns(false), build: write}, freeze},
		{opCase{name: "armt write normalized fresh", ins: writeIns(true), build: write}, freeze},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkOpCaseAfter(t, c.opCase, c.after) })
	}
}

// TestL2Normalize: a normalised row is φ/‖φ‖ with norm 1; a zero row stays
// zero and its gradient is dŷ/floor, as torch's F.normalize has it.
func TestL2Normalize(t *testing.T) {
	x := []float64{0.5, -2, 0.25}
	phi, xp := make([]float64, 18), make([]float64, 6)
	dpfp(x, phi, xp)
	raw := append([]float64(nil), phi...)
	l2Normalize(phi)
	n := math.Sqrt(dot(raw, raw))
	for i := range phi {
		if math.Abs(phi[i]-raw[i]/n) > 1e-15 {
			t.Fatalf("φ̂[%d] = %g, want %g", i, phi[i], raw[i]/n)
		}
	}
	if s := dot(phi, phi); math.Abs(s-1) > 1e-15 {
		t.Errorf("‖φ̂‖² = %.17g, want 1", s)
	}
	zero, dy, dz := make([]float64, 4), []float64{1, 2, 3, 4}, make([]float64, 4)
	l2Normalize(zero)
	l2NormalizeBackward(zero, dy, dz)
	for i := range zero {
		if zero[i] != 0 || dz[i] != dy[i]/normFloor {
			t.Fatalf("zero row: ŷ %v, dφ %v; want 0 and dŷ/%g", zero, dz, normFloor)
		}
	}
}

// TestMemoryFeatures: the feature maps a memory takes and refuses.
func TestMemoryFeatures(t *testing.T) {
	for _, m := range []Memory{
		{Kind: KindARMT, Tokens: 2, DMem: 2},
		{Kind: KindARMT, Tokens: 2, DMem: 2, Features: FeaturesDPFP},
		{Kind: KindARMT, Tokens: 2, DMem: 2, Features: FeaturesDPFPNormalized},
	} {
		if err := m.Check(); err != nil {
			t.Errorf("%+v: %v", m, err)
		}
	}
	if got := (Memory{Kind: KindARMT, Tokens: 2, DMem: 2}).ARMTFeatures(); got != FeaturesDPFP {
		t.Errorf("no features named reads as %q, want %q", got, FeaturesDPFP)
	}
	for _, m := range []Memory{
		{Kind: KindARMT, Tokens: 2, DMem: 2, Features: "elu"},
		{Kind: KindRMT, Tokens: 2, Features: FeaturesDPFPNormalized},
	} {
		if err := m.Check(); err == nil || !strings.Contains(err.Error(), "armt_features") {
			t.Errorf("%+v: %v, want an error naming armt_features", m, err)
		}
	}
	// MemoryOf reports the features the weights were initialised with, and
	// a cell built from them normalises: its loss differs from dpfp's.
	w, seq := armtFixture(t, "gpt2", 2, false)
	norm := perturbed(t, tinyConfig("gpt2"))
	if err := (Memory{Kind: KindARMT, Tokens: 2, DMem: 2, Features: FeaturesDPFPNormalized}).Init(norm, 3); err != nil {
		t.Fatal(err)
	}
	if got := MemoryOf(norm).Features; got != FeaturesDPFPNormalized {
		t.Errorf("MemoryOf: features %q, want %q", got, FeaturesDPFPNormalized)
	}
	if got := MemoryOf(w).Features; got != FeaturesDPFP {
		t.Errorf("MemoryOf of weights without features: %q, want %q", got, FeaturesDPFP)
	}
	var losses []float64
	for _, f := range []string{FeaturesDPFP, FeaturesDPFPNormalized} {
		w.ARMTFeatures = f
		cell, err := NewCell[float64](w, 2, 3, false)
		if err != nil {
			t.Fatal(err)
		}
		if cell.Kind().Features != f {
			t.Errorf("cell features %q, want %q", cell.Kind().Features, f)
		}
		tr, err := cell.Forward(seq)
		if err != nil {
			t.Fatal(err)
		}
		losses = append(losses, tr.Loss)
	}
	if losses[0] == losses[1] {
		t.Errorf("dpfp and dpfp-normalized give the same loss %g", losses[0])
	}
}
