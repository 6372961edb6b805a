package graph

import (
	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// linearOp applies k weight matrices to the same input and writes their
// outputs side by side: y (N, sum outs) = [x·W1 | x·W2 | ...] (+ biases).
// One op for Llama's q/k/v (or gate/up) projections means one pass over x
// and one gradient for x, and the result is exactly the layout the attention
// and SwiGLU ops read. Weights are Llama Linear [out, in] (y = x Wᵀ) when
// transposed, GPT-2 Conv1D [in, out] (y = x W) otherwise; no copy or
// transpose is ever made, BLAS reads them in place.
//
// Inputs: x (N, in), W1..Wk, then b1..bk when biased.
type linearOp struct {
	opBase
	n, in      int
	outs       []int
	transposed bool
	bias       bool
	stack32    []float32 // the weights stacked [sum outs, in], for one product
	stack64    []float64
}

func newLinearOp(dt tensor.Dtype, n, in int, outs []int, transposed, bias bool) *linearOp {
	ins := []hm.Type{tt(dt, 2)}
	total := 0
	for _, o := range outs {
		ins = append(ins, tt(dt, 2))
		total += o
	}
	if bias {
		for range outs {
			ins = append(ins, tt(dt, 1))
		}
	}
	return &linearOp{opBase: newBase("Linear", dt, tensor.Shape{n, total}, ins...), n: n, in: in, outs: outs, transposed: transposed, bias: bias}
}

func (o *linearOp) width() int { return o.shape[1] }

func (o *linearOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return linearDo[float32](o, vals) }, func() (G.Value, error) { return linearDo[float64](o, vals) })
}

// stacked returns Linear weights [out_j, in] stacked into one [sum outs, in]
// matrix (a copy of rows, cheap next to the product), so that a fused q/k/v
// or gate/up projection is one matrix product rather than several thin ones.
func stacked[T kernels.Float](o *linearOp, vals []G.Value) []T {
	var buf *[]T
	switch any(buf).(type) {
	case *[]float32:
		buf = any(&o.stack32).(*[]T)
	default:
		buf = any(&o.stack64).(*[]T)
	}
	if len(*buf) != o.width()*o.in {
		*buf = make([]T, o.width()*o.in)
	}
	off := 0
	for j, m := range o.outs {
		off += copy((*buf)[off:], floats[T](vals[1+j])[:m*o.in])
	}
	return *buf
}

func linearDo[T kernels.Float](o *linearOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	x, y, ldy := floats[T](vals[0]), out.Data().([]T), o.width()
	switch {
	case o.transposed && len(o.outs) > 1:
		kernels.Gemm(kp, false, true, o.n, ldy, o.in, 1, x, o.in, stacked[T](o, vals), o.in, 0, y, ldy)
	case o.transposed:
		kernels.Gemm(kp, false, true, o.n, ldy, o.in, 1, x, o.in, floats[T](vals[1]), o.in, 0, y, ldy)
	default: // Conv1D weights [in, out_j], side by side in y
		off := 0
		for j, m := range o.outs {
			kernels.Gemm(kp, false, false, o.n, m, o.in, 1, x, o.in, floats[T](vals[1+j]), m, 0, y[off:], ldy)
			off += m
		}
	}
	if o.bias {
		off := 0
		for j, m := range o.outs {
			b := floats[T](vals[1+len(o.outs)+j])
			kp.For(o.n, 64, func(lo, hi int) {
				for r := lo; r < hi; r++ {
					row := y[r*ldy+off : r*ldy+off+m]
					for i := range row {
						row[i] += b[i]
					}
				}
			})
			off += m
		}
	}
	return out, nil
}

func (o *linearOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *linearOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	args := append(append(G.Nodes{}, in[:1+len(o.outs)]...), grad)
	types := make([]hm.Type, len(args))
	for i, a := range args {
		types[i] = tt(o.dt, a.Dims())
	}
	for i := range in {
		op := &linearGradOp{opBase: newBase("LinearGrad", o.dt, in[i].Shape(), types...), l: o, which: i}
		op.sinkable = i > 0 // weights and biases
		res[i] = apply(op, args...)
	}
	return res, nil
}

// linearGradOp computes one input gradient of linearOp from (x, W1..Wk, dy):
// which 0 is dx = sum_j dy_j·op(Wj)ᵀ, 1..k are dWj, k+1..2k are dbj.
type linearGradOp struct {
	opBase
	l     *linearOp
	which int
}

func (o *linearGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return linearGradDo[float32](o, vals) }, func() (G.Value, error) { return linearGradDo[float64](o, vals) })
}

func linearGradDo[T kernels.Float](o *linearGradOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out, d, beta := gradOut[T](&o.opBase, false)
	l := o.l
	k := len(l.outs)
	x, dy, ldy := floats[T](vals[0]), floats[T](vals[1+k]), l.width()
	if o.which == 0 && l.transposed && k > 1 { // dx = dy · [W1; W2; ...] in one product
		kernels.Gemm(kp, false, false, l.n, l.in, ldy, 1, dy, ldy, stacked[T](l, vals), l.in, 0, d, l.in)
		return out, nil
	}
	off := 0
	for j, m := range l.outs {
		w := floats[T](vals[1+j])
		dyj := dy[off:]
		switch {
		case o.which == 0 && l.transposed: // dx += dy_j (N,m) · W (m,in)
			kernels.Gemm(kp, false, false, l.n, l.in, m, 1, dyj, ldy, w, l.in, T(min(j, 1)), d, l.in)
		case o.which == 0: // dx += dy_j (N,m) · Wᵀ, W (in,m)
			kernels.Gemm(kp, false, true, l.n, l.in, m, 1, dyj, ldy, w, m, T(min(j, 1)), d, l.in)
		case o.which == 1+j && l.transposed: // dW (m,in) (+)= dy_jᵀ · x
			kernels.Gemm(kp, true, false, m, l.in, l.n, 1, dyj, ldy, x, l.in, beta, d, l.in)
		case o.which == 1+j: // dW (in,m) (+)= xᵀ · dy_j
			kernels.Gemm(kp, true, false, l.in, m, l.n, 1, x, l.in, dyj, ldy, beta, d, m)
		case o.which == 1+k+j && beta == 0:
			kernels.ColumnSums(kp, l.n, m, ldy, dyj, d)
		case o.which == 1+k+j:
			sums := scratch[T](&o.opBase, m)
			kernels.ColumnSums(kp, l.n, m, ldy, dyj, sums)
			for i, v := range sums {
				d[i] += v
			}
		}
		off += m
	}
	return out, nil
}
