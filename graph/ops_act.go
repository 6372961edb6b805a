package graph

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// actOp is GPT-2's gelu_new on x (N, F), or Llama's SwiGLU on the fused
// gate|up projection gu (N, 2F) giving silu(gate)*up (N, F).
type actOp struct {
	opBase
	n, f   int
	swiglu bool
}

func newActOp(dt tensor.Dtype, n, f int, swiglu bool) *actOp {
	name := "GELU"
	if swiglu {
		name = "SwiGLU"
	}
	return &actOp{opBase: newBase(name, dt, tensor.Shape{n, f}, tt(dt, 2)), n: n, f: f, swiglu: swiglu}
}

func (o *actOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return actDo[float32](o, vals) }, func() (G.Value, error) { return actDo[float64](o, vals) })
}

func actDo[T kernels.Float](o *actOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	if o.swiglu {
		kernels.SwiGLU(kp, o.n, o.f, floats[T](vals[0]), out.Data().([]T))
	} else {
		kernels.GELU(kp, floats[T](vals[0]), out.Data().([]T))
	}
	return out, nil
}

func (o *actOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *actOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	op := &actGradOp{opBase: newBase(o.name+"Grad", o.dt, in[0].Shape(), tt(o.dt, 2), tt(o.dt, 2)), a: o}
	return G.Nodes{apply(op, in[0], grad)}, nil
}

// actGradOp computes the input gradient of actOp from (x, dy).
type actGradOp struct {
	opBase
	a *actOp
}

func (o *actGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return actGradDo[float32](o, vals) }, func() (G.Value, error) { return actGradDo[float64](o, vals) })
}

func actGradDo[T kernels.Float](o *actGradOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	x, dy, dx := floats[T](vals[0]), floats[T](vals[1]), out.Data().([]T)
	if o.a.swiglu {
		kernels.SwiGLUBackward(kp, o.a.n, o.a.f, x, dy, dx)
	} else {
		kernels.GELUBackward(kp, x, dy, dx)
	}
	return out, nil
}

// addOp is the residual connection a + b for two tensors of one shape.
// Unlike Gorgonia's Add it does not clone an input first.
type addOp struct{ opBase }

func newAddOp(dt tensor.Dtype, shape tensor.Shape) *addOp {
	return &addOp{opBase: newBase("Add", dt, shape, tt(dt, len(shape)), tt(dt, len(shape)))}
}

func (o *addOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return addDo[float32](o, vals) }, func() (G.Value, error) { return addDo[float64](o, vals) })
}

func addDo[T kernels.Float](o *addOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	a, b, y := floats[T](vals[0]), floats[T](vals[1]), out.Data().([]T)
	kp.For(len(y), 8192, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			y[i] = a[i] + b[i]
		}
	})
	return out, nil
}

func (o *addOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *addOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	return G.Nodes{grad, grad}, nil
}
