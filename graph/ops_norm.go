package graph

import (
	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// normOp is LayerNorm (GPT-2: x, gamma, beta) or RMSNorm (Llama: x, gamma)
// over the last axis of x (N, C).
type normOp struct {
	opBase
	n, c int
	rms  bool
	eps  float64
}

func newNormOp(dt tensor.Dtype, n, c int, rms bool, eps float64) *normOp {
	name, ins := "LayerNorm", 3
	if rms {
		name, ins = "RMSNorm", 2
	}
	types := []hm.Type{tt(dt, 2), tt(dt, 1), tt(dt, 1)}[:ins]
	return &normOp{opBase: newBase(name, dt, tensor.Shape{n, c}, types...), n: n, c: c, rms: rms, eps: eps}
}

func (o *normOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return normDo[float32](o, vals) }, func() (G.Value, error) { return normDo[float64](o, vals) })
}

func normDo[T kernels.Float](o *normOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	x, g, y := floats[T](vals[0]), floats[T](vals[1]), out.Data().([]T)
	if o.rms {
		kernels.RMSNorm(kp, o.n, o.c, x, g, y, o.eps)
	} else {
		kernels.LayerNorm(kp, o.n, o.c, x, g, floats[T](vals[2]), y, o.eps)
	}
	return out, nil
}

func (o *normOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *normOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	for i := range in {
		op := &normGradOp{opBase: newBase(o.name+"Grad", o.dt, in[i].Shape(), tt(o.dt, 2), tt(o.dt, 1), tt(o.dt, 2)), f: o, which: i}
		res[i] = apply(op, in[0], in[1], grad)
	}
	return res, nil
}

// normGradOp computes dx (which 0), dgamma (1) or dbeta (2) from (x, gamma,
// dy). Each recomputes the row statistics, which is cheaper than keeping them.
type normGradOp struct {
	opBase
	f     *normOp
	which int
}

func (o *normGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return normGradDo[float32](o, vals) }, func() (G.Value, error) { return normGradDo[float64](o, vals) })
}

func normGradDo[T kernels.Float](o *normGradOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	x, g, dy, d := floats[T](vals[0]), floats[T](vals[1]), floats[T](vals[2]), out.Data().([]T)
	f := o.f
	switch {
	case o.which == 2:
		kernels.ColumnSums(kp, f.n, f.c, f.c, dy, d)
	case o.which == 1 && f.rms:
		kernels.RMSNormBackwardG(kp, f.n, f.c, x, dy, d, f.eps)
	case o.which == 1:
		kernels.LayerNormBackwardG(kp, f.n, f.c, x, dy, d, f.eps)
	case f.rms:
		kernels.RMSNormBackwardX(kp, f.n, f.c, x, g, dy, d, f.eps)
	default:
		kernels.LayerNormBackwardX(kp, f.n, f.c, x, g, dy, d, f.eps)
	}
	return out, nil
}

func allTrue(n int) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = true
	}
	return d
}
