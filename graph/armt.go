package graph

import (
	"fmt"
	"math"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The Associative Recurrent Memory Transformer (Rodkin, Kuratov, Bulatov,
// Burtsev 2024) around any decoder this package builds; docs/armt.md. A
// segment runs as
//
//	E_s = [ embed(x_s) | armt.memory ]              (S + M rows)
//	before layer l (s >= 2):  h += φ(h W_mqᵀ) A_l / (φ(h W_mqᵀ)·z_l + ε)
//	after layer l, from its output m at the M memory rows:
//	  k = φ(m W_mkᵀ), v = m W_mvᵀ, β = σ(m W_mbᵀ + b_mb)
//	  A_l += Σ_i β_i k_iᵀ (v_i − v̄_i),  z_l += Σ_i γ_i k_i
//	z_s = head(final norm of the token rows)
//
// with φ the DPFP-3 features, v̄ = kA/(k·z+ε), γ = clip(1 − (k·z+ε)/(‖k‖²+ε),
// 0, 1) held constant in the gradient, and (A_l, z_l) = 0 before segment 1;
// armt_features.go has the normalised variant.
// The state between segments is every layer's (A_l, z_l).

// ARMTMemoryName is the name of ARMT's memory rows (M, C).
const ARMTMemoryName = "armt.memory"

// armtParam names parameter p ("W_mq.weight", ...) of layer l.
func armtParam(l int, p string) string { return fmt.Sprintf("armt.layers.%d.%s", l, p) }

// ARMTSpecs lists the associative memory's parameters for m memory tokens
// and keys of dMem, in the order they join Weights.Params.
func ARMTSpecs(c Config, m, dMem int) []Spec {
	C := c.Hidden()
	specs := []Spec{{ARMTMemoryName, []int{m, C}}}
	for l := range c.Layers() {
		specs = append(specs,
			Spec{armtParam(l, "W_mq.weight"), []int{dMem, C}},
			Spec{armtParam(l, "W_mk.weight"), []int{dMem, C}},
			Spec{armtParam(l, "W_mv.weight"), []int{C, C}},
			Spec{armtParam(l, "W_mb.weight"), []int{1, C}},
			Spec{armtParam(l, "W_mb.bias"), []int{1}})
	}
	return specs
}

// InitARMT adds the associative memory's parameters to w as the authors
// initialise them: armt.memory randn times the token embedding's standard
// deviation, W_mv zero, the others as torch.nn.Linear (uniform ±1/√C).
func InitARMT(w *Weights, m, dMem int, seed uint64) error {
	if m < 1 {
		return fmt.Errorf("graph: %d memory tokens, want at least 1", m)
	}
	if dMem < 1 {
		return fmt.Errorf("graph: d_mem %d, want at least 1", dMem)
	}
	std := embeddingStd(w)
	rng := rand.New(rand.NewPCG(seed, 0x61726d74))
	bound := 1 / math.Sqrt(float64(w.Config.Hidden()))
	for _, sp := range ARMTSpecs(w.Config, m, dMem) {
		p := &Param{Name: sp.Name, Shape: sp.Shape, Data: make([]float32, sp.Size())}
		for i := range p.Data {
			switch {
			case sp.Name == ARMTMemoryName:
				p.Data[i] = float32(rng.NormFloat64() * std)
			case isWmv(sp.Name):
			default:
				p.Data[i] = float32((2*rng.Float64() - 1) * bound)
			}
		}
		if err := w.Add(p); err != nil {
			return err
		}
	}
	return nil
}

func isWmv(name string) bool {
	var l int
	var rest string
	n, _ := fmt.Sscanf(name, "armt.layers.%d.%s", &l, &rest)
	return n == 2 && rest == "W_mv.weight"
}

// CheckARMT reports whether w holds the associative memory's parameters
// for m memory tokens and keys of dMem, with their shapes.
func CheckARMT(w *Weights, m, dMem int) error {
	for _, sp := range ARMTSpecs(w.Config, m, dMem) {
		p := w.Get(sp.Name)
		if p == nil {
			return fmt.Errorf("graph: the model has no %s; call InitARMT first", sp.Name)
		}
		if !equalInts(p.Shape, sp.Shape) {
			return fmt.Errorf("graph: %s has shape %v, want %v (memory tokens %d, d_mem %d)", sp.Name, p.Shape, sp.Shape, m, dMem)
		}
	}
	return nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// armtLayers declares each layer's read and write in a segment graph.
type armtLayers struct {
	dt     tensor.Dtype
	sh     SegmentShape
	c      Config
	p      map[string]*G.Node
	state  []*G.Node // per layer (B, K*C+K)
	out    []*G.Node // per layer, the written state (nil when read-only)
	writes []*armtWriteOp
}

func (a *armtLayers) linear(x *G.Node, outs int, w, b *G.Node) *G.Node {
	in := G.Nodes{x, w}
	if b != nil {
		in = append(in, b)
	}
	return apply(newLinearOp(a.dt, x.Shape()[0], x.Shape()[1], []int{outs}, true, b != nil), in...)
}

// read is h + φ(h W_mqᵀ) A_l / (φ(h W_mqᵀ)·z_l + ε) on every row of x.
func (a *armtLayers) read(l int, x *G.Node) *G.Node {
	sh, D, K := a.sh, a.sh.DMem, a.sh.keyWidth()
	n := x.Shape()[0]
	f := a.features(n, a.linear(x, D, a.p[armtParam(l, "W_mq.weight")], nil))
	return apply(newARMTReadOp(a.dt, sh.Batch, sh.Positions(), a.c.Hidden(), K), x, f, a.state[l])
}

// write declares layer l's delta-rule write from x's memory rows.
func (a *armtLayers) write(l int, x *G.Node) {
	sh, D, K, C := a.sh, a.sh.DMem, a.sh.keyWidth(), a.c.Hidden()
	if sh.ReadOnly {
		return
	}
	B, M := sh.Batch, sh.Mem
	m := apply(newMemOutOp(a.dt, B, sh.Positions(), M, C), x) // (B*M, C): the last M rows
	k := a.features(B*M, a.linear(m, D, a.p[armtParam(l, "W_mk.weight")], nil))
	v := a.linear(m, C, a.p[armtParam(l, "W_mv.weight")], nil)
	g := a.linear(m, 1, a.p[armtParam(l, "W_mb.weight")], a.p[armtParam(l, "W_mb.bias")])
	op := newARMTWriteOp(a.dt, B, M, C, K)
	op.normalized = sh.normalized()
	a.writes = append(a.writes, op)
	a.out = append(a.out, apply(op, k, v, g, a.state[l]))
}
