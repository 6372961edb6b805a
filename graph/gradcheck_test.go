package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// The gradient-check harness: every custom op is wrapped as
// cost = sum(op(inputs) ⊙ R) for a fixed random R, differentiated by
// Gorgonia through the op's SymDiff, and compared with float64 central
// differences; the same op in float32 must agree with the float64 gradients.

type opInput struct {
	shape []int
	ints  []int // set for int inputs (ids, targets), never differentiated
	diff  bool
	vals  []float64 // optional fixed values (masks, loss weights)
}

type opCase struct {
	name  string
	ins   []opInput
	build func(dt tensor.Dtype, in []*G.Node) *G.Node
}

// opGraph builds one op case in dtype T and returns a function that runs it
// and reports the cost, plus the gradient nodes of the differentiable inputs.
type opGraph[T kernels.Float] struct {
	vm    G.VM
	cost  *G.Node
	data  [][]T
	grads []*G.Node
	wrt   []int
}

func buildOpGraph[T kernels.Float](t *testing.T, dt tensor.Dtype, c opCase, base [][]float64) *opGraph[T] {
	g := G.NewGraph()
	og := &opGraph[T]{}
	var nodes, wrt G.Nodes
	for i, in := range c.ins {
		var n *G.Node
		if in.ints != nil {
			n = G.NewTensor(g, tensor.Int, len(in.shape), G.WithShape(in.shape...), G.WithName(fmt.Sprint("in", i)),
				G.WithValue(tensor.New(tensor.WithShape(in.shape...), tensor.WithBacking(in.ints))))
			og.data = append(og.data, nil)
		} else {
			d := make([]T, len(base[i]))
			for j, v := range base[i] {
				d[j] = T(v)
			}
			og.data = append(og.data, d)
			n = G.NewTensor(g, dt, len(in.shape), G.WithShape(in.shape...), G.WithName(fmt.Sprint("in", i)),
				G.WithValue(tensor.New(tensor.WithShape(in.shape...), tensor.WithBacking(d))))
			if in.diff {
				wrt = append(wrt, n)
				og.wrt = append(og.wrt, i)
			}
		}
		nodes = append(nodes, n)
	}
	out := c.build(dt, nodes)
	if out.IsScalar() {
		og.cost = out
	} else {
		rng := rand.New(rand.NewPCG(7, 7))
		r := make([]T, out.Shape().TotalSize())
		for i := range r {
			r[i] = T(rng.NormFloat64())
		}
		rn := G.NewTensor(g, dt, out.Dims(), G.WithShape(out.Shape()...), G.WithName("R"),
			G.WithValue(tensor.New(tensor.WithShape(out.Shape()...), tensor.WithBacking(r))))
		og.cost = apply(newDotOp(dt, out.Dims()), out, rn)
	}
	grads, err := G.Grad(og.cost, wrt...)
	if err != nil {
		t.Fatalf("%s: Grad: %v", c.name, err)
	}
	og.grads = grads
	og.vm = G.NewTapeMachine(g)
	return og
}

func (og *opGraph[T]) run(t *testing.T) float64 {
	og.vm.Reset()
	if err := og.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return scalarOf(og.cost.Value())
}

func randomInputs(c opCase, seed uint64) [][]float64 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]float64, len(c.ins))
	for i, in := range c.ins {
		if in.ints != nil {
			continue
		}
		if in.vals != nil {
			out[i] = in.vals
			continue
		}
		n := 1
		for _, d := range in.shape {
			n *= d
		}
		out[i] = make([]float64, n)
		for j := range out[i] {
			out[i][j] = rng.NormFloat64()
		}
	}
	return out
}

func checkOpCase(t *testing.T, c opCase) { checkOpCaseAfter(t, c, nil) }

// checkOpCaseAfter is checkOpCase with afterBase, when not nil, run after
// the float64 base run and before the finite differences (the ARMT write
// freezes its γ there).
func checkOpCaseAfter(t *testing.T, c opCase, afterBase func()) {
	base := randomInputs(c, 3)
	g64 := buildOpGraph[float64](t, tensor.Float64, c, base)
	g64.run(t)
	if afterBase != nil {
		afterBase()
	}
	analytic := make([][]float64, len(g64.grads))
	for k, gn := range g64.grads {
		analytic[k] = append([]float64(nil), floats[float64](gn.Value())...)
	}
	// Central differences on every element (the op cases are tiny).
	const eps = 1e-6
	for k, i := range g64.wrt {
		x := g64.data[i]
		worst := 0.0
		for j := range x {
			orig := x[j]
			x[j] = orig + eps
			fp := g64.run(t)
			x[j] = orig - eps
			fm := g64.run(t)
			x[j] = orig
			fd := (fp - fm) / (2 * eps)
			err := math.Abs(fd-analytic[k][j]) / math.Max(1, math.Abs(fd))
			worst = math.Max(worst, err)
		}
		if worst > 1e-7 {
			t.Errorf("%s: input %d: finite-difference error %.3g > 1e-7", c.name, i, worst)
		}
	}
	// float32 against float64.
	g32 := buildOpGraph[float32](t, tensor.Float32, c, base)
	g32.run(t)
	for k, gn := range g32.grads {
		got := floats[float32](gn.Value())
		scale := 0.0
		for _, v := range analytic[k] {
			scale = math.Max(scale, math.Abs(v))
		}
		for j, v := range got {
			if d := math.Abs(float64(v)-analytic[k][j]) / math.Max(scale, 1e-3); d > 2e-5 {
				t.Errorf("%s: input %d element %d: float32 grad %.7g, float64 %.7g", c.name, g32.wrt[k], j, v, analytic[k][j])
				break
			}
		}
	}
}

func TestOpGradients(t *testing.T) {
	const n, c = 5, 6
	mask := []float64{1, 1, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1}
	cases := []opCase{
		{"embed tokens+mem+pos", []opInput{{shape: []int{7, c}, diff: true}, {shape: []int{6}, ints: []int{3, 0, 6, 3, 1, 2}}, {shape: []int{4, c}, diff: true}, {shape: []int{9, c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newEmbedOp(dt, 2, 3, 2, c, 7, true, false), in...)
			}},
		{"embed tokens+armt mem+pos", []opInput{{shape: []int{7, c}, diff: true}, {shape: []int{6}, ints: []int{3, 0, 6, 3, 1, 2}}, {shape: []int{2, c}, diff: true}, {shape: []int{9, c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newEmbedOp(dt, 2, 3, 2, c, 7, true, true), in...)
			}},
		{"embed tokens only", []opInput{{shape: []int{7, c}, diff: true}, {shape: []int{4}, ints: []int{6, 6, 1, 0}}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newEmbedOp(dt, 1, 4, 0, c, 7, false, false), in...)
			}},
		{"layernorm", []opInput{{shape: []int{n, c}, diff: true}, {shape: []int{c}, diff: true}, {shape: []int{c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newNormOp(dt, n, c, false, 1e-5), in...) }},
		{"rmsnorm", []opInput{{shape: []int{n, c}, diff: true}, {shape: []int{c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newNormOp(dt, n, c, true, 1e-5), in...) }},
		{"linear conv1d biased", []opInput{{shape: []int{n, c}, diff: true}, {shape: []int{c, 4}, diff: true}, {shape: []int{4}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newLinearOp(dt, n, c, []int{4}, false, true), in...)
			}},
		{"linear fused transposed", []opInput{{shape: []int{n, c}, diff: true}, {shape: []int{4, c}, diff: true}, {shape: []int{2, c}, diff: true}, {shape: []int{3, c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newLinearOp(dt, n, c, []int{4, 2, 3}, true, false), in...)
			}},
		{"linear fused transposed biased", []opInput{{shape: []int{n, c}, diff: true}, {shape: []int{4, c}, diff: true}, {shape: []int{2, c}, diff: true}, {shape: []int{4}, diff: true}, {shape: []int{2}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newLinearOp(dt, n, c, []int{4, 2}, true, true), in...)
			}},
		{"gelu", []opInput{{shape: []int{n, c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newActOp(dt, n, c, false), in...) }},
		{"swiglu", []opInput{{shape: []int{n, 2 * 3}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newActOp(dt, n, 3, true), in...) }},
		{"add", []opInput{{shape: []int{n, c}, diff: true}, {shape: []int{n, c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newAddOp(dt, tensor.Shape{n, c}), in...) }},
		{"attention gpt2", []opInput{{shape: []int{2 * 4, 3 * 2 * 4}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newAttnOp(dt, kernels.AttnDims{B: 2, L: 4, H: 2, KVH: 2, Dh: 4}, 0.5, false, 0, false), in...)
			}},
		{"attention rope gqa masked", []opInput{{shape: []int{2 * 6, (4 + 2*2) * 4}, diff: true}, {shape: []int{12}, vals: mask}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node {
				return apply(newAttnOp(dt, kernels.AttnDims{B: 2, L: 6, H: 4, KVH: 2, Dh: 4}, 0.5, true, 10000, true), in...)
			}},
		{"head xent", []opInput{{shape: []int{n, c}, diff: true}, {shape: []int{7, c}, diff: true}, {shape: []int{n}, ints: []int{1, 6, 0, 2, 2}}, {shape: []int{n}, vals: []float64{0.5, 0, 0.25, 0.25, 1}}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newLossOp(dt, n, c, 7), in...) }},
		{"memory rows", []opInput{{shape: []int{2 * 5, c}, diff: true}},
			func(dt tensor.Dtype, in []*G.Node) *G.Node { return apply(newMemOutOp(dt, 2, 5, 2, c), in...) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { checkOpCase(t, c) })
	}
}
