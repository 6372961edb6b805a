package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// lossOp is the output head fused with weighted cross-entropy:
//
//	loss = sum_i w[i] * -log softmax(h[i]·Wᵀ)[targets[i]]   over rows with w[i] != 0
//
// h (N, C) are final hidden states, W (V, C) the head (the tied embedding or
// lm_head.weight, read in place: no transpose copy). Logits are computed only
// for the scored rows: a memorize sample scores a handful of answer tokens,
// and on a GPT-2-sized model the head is a quarter of a segment's cost. The
// forward pass also leaves dloss/dlogits of the scored rows in the op, which
// the two gradient ops scale by the incoming gradient.
//
// Inputs: h, W, targets (N) int, w (N).
type lossOp struct {
	opBase
	n, c, v int
	rows    []int // scored rows of the last run
	dl32    []float32
	dl64    []float64
	// tied: W is also the token embedding. Its gradient then comes from
	// the embedding's gradient op, which adds the head's product and the
	// embedding rows into one buffer (embedGradOp); h and grad are the
	// nodes that op reads, kept here by SymDiff.
	tied    bool
	h, grad *G.Node
}

// dlogits returns the forward pass's dloss/dlogits in T.
func dlogits[T kernels.Float](o *lossOp) []T {
	if d, ok := any(o.dl32).([]T); ok {
		return d
	}
	return any(o.dl64).([]T)
}

func newLossOp(dt tensor.Dtype, n, c, v int) *lossOp {
	return &lossOp{opBase: newBase("HeadXent", dt, nil, tt(dt, 2), tt(dt, 2), intVec, tt(dt, 1)), n: n, c: c, v: v}
}

func (o *lossOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return lossDo(o, vals, &o.dl32) }, func() (G.Value, error) { return lossDo(o, vals, &o.dl64) })
}

func lossDo[T kernels.Float](o *lossOp, vals []G.Value, dlogits *[]T) (G.Value, error) {
	kp := o.kpool()
	h, w, targets, wt := floats[T](vals[0]), floats[T](vals[1]), ints(vals[2]), floats[T](vals[3])
	o.rows = o.rows[:0]
	for i, x := range wt {
		if x != 0 {
			if targets[i] < 0 || targets[i] >= o.v {
				return nil, fmt.Errorf("graph: target id %d at row %d is outside the vocabulary [0, %d)", targets[i], i, o.v)
			}
			o.rows = append(o.rows, i)
		}
	}
	r := len(o.rows)
	if cap(*dlogits) < r*o.v {
		*dlogits = make([]T, r*o.v)
	}
	z := (*dlogits)[:r*o.v]
	hs := gatherRows(scratch[T](&o.opBase, r*o.c), h, o.rows, o.c)
	kernels.Gemm(kp, false, true, r, o.v, o.c, 1, hs, o.c, w, o.c, 0, z, o.v)
	tg, ws := make([]int, r), make([]T, r)
	for k, i := range o.rows {
		tg[k], ws[k] = targets[i], wt[i]
	}
	return o.scalar(kernels.SoftmaxXent(kp, r, o.v, z, tg, ws)), nil
}

// gatherRows copies the given rows of m (rows of width c) into out.
func gatherRows[T kernels.Float](out, m []T, rows []int, c int) []T {
	for k, i := range rows {
		copy(out[k*c:(k+1)*c], m[i*c:(i+1)*c])
	}
	return out
}

func (o *lossOp) DiffWRT(n int) []bool { return []bool{true, !o.tied, false, false} }

func (o *lossOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	o.h, o.grad = in[0], grad
	for i := 0; i < 2; i++ {
		if i == 1 && o.tied {
			break
		}
		op := &lossGradOp{opBase: newBase("HeadXentGrad", o.dt, in[i].Shape(), tt(o.dt, 2), tt(o.dt, 2), tt(o.dt, 0)), l: o, which: i}
		op.sinkable = i == 1 // the head's weight
		res[i] = apply(op, in[0], in[1], grad)
	}
	return res, nil
}

// lossGradOp computes dh (which 0) or dW (which 1) from (h, W, dloss) and the
// dlogits the forward pass left: dh[rows] = g·dlogits·W, dW = g·dlogitsᵀ·h[rows].
type lossGradOp struct {
	opBase
	l     *lossOp
	which int
}

func (o *lossGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return lossGradDo(o, vals, o.l.dl32) }, func() (G.Value, error) { return lossGradDo(o, vals, o.l.dl64) })
}

func lossGradDo[T kernels.Float](o *lossGradOp, vals []G.Value, dl []T) (G.Value, error) {
	kp := o.kpool()
	l := o.l
	// dW is overwritten whole by its product (or added to a sink); dh
	// only at the scored rows, and nothing is written when no row is
	// scored.
	out, d, beta := gradOut[T](&o.opBase, o.which == 0 || len(l.rows) == 0)
	h, w, g := floats[T](vals[0]), floats[T](vals[1]), T(scalarOf(vals[2]))
	r := len(l.rows)
	if r == 0 {
		return out, nil
	}
	dl = dl[:r*l.v]
	if o.which == 0 {
		dh := scratch[T](&o.opBase, r*l.c)
		kernels.Gemm(kp, false, false, r, l.c, l.v, g, dl, l.v, w, l.c, 0, dh, l.c)
		for k, i := range l.rows {
			copy(d[i*l.c:(i+1)*l.c], dh[k*l.c:(k+1)*l.c])
		}
		return out, nil
	}
	hs := gatherRows(scratch[T](&o.opBase, r*l.c), h, l.rows, l.c)
	kernels.Gemm(kp, true, false, l.v, l.c, r, g, dl, l.v, hs, l.c, beta, d, l.c)
	return out, nil
}

// logitsOp computes the head only at the requested rows: (h (N, C), W (V, C),
// rows (R) int) -> logits (R, V). Used for generation and parity checks; it
// has no gradient.
type logitsOp struct {
	opBase
	c, v int
}

func newLogitsOp(dt tensor.Dtype, r, c, v int) *logitsOp {
	return &logitsOp{opBase: newBase("Logits", dt, tensor.Shape{r, v}, tt(dt, 2), tt(dt, 2), intVec), c: c, v: v}
}

func (o *logitsOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return logitsDo[float32](o, vals) }, func() (G.Value, error) { return logitsDo[float64](o, vals) })
}

func logitsDo[T kernels.Float](o *logitsOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	h, w, rows := floats[T](vals[0]), floats[T](vals[1]), ints(vals[2])
	n := len(h) / o.c
	for _, i := range rows {
		if i < 0 || i >= n {
			return nil, fmt.Errorf("graph: logits row %d outside [0, %d)", i, n)
		}
	}
	hs := gatherRows(scratch[T](&o.opBase, len(rows)*o.c), h, rows, o.c)
	kernels.Gemm(kp, false, true, len(rows), o.v, o.c, 1, hs, o.c, w, o.c, 0, out.Data().([]T), o.v)
	return out, nil
}

func (o *logitsOp) DiffWRT(n int) []bool { return make([]bool, n) }
func (o *logitsOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	return make(G.Nodes, len(in)), nil
}

// memOutOp picks the write-memory rows of the final hidden states:
// h (B*L, C) -> mem (B*M, C), rows b*L + M+S+i.
type memOutOp struct {
	opBase
	b, l, m, c int
}

func newMemOutOp(dt tensor.Dtype, b, l, m, c int) *memOutOp {
	return &memOutOp{opBase: newBase("MemOut", dt, tensor.Shape{b * m, c}, tt(dt, 2)), b: b, l: l, m: m, c: c}
}

func (o *memOutOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return memOutDo[float32](o, o.newOut(), vals, false) },
		func() (G.Value, error) { return memOutDo[float64](o, o.newOut(), vals, false) })
}

// memOutDo copies rows out of h into out (forward) or scatters dy back into
// out, a zero gradient of h (backward).
func memOutDo[T kernels.Float](o *memOutOp, out *tensor.Dense, vals []G.Value, backward bool) (G.Value, error) {
	src, dst := floats[T](vals[0]), out.Data().([]T)
	for b := 0; b < o.b; b++ {
		for i := 0; i < o.m; i++ {
			hr := (b*o.l + o.l - o.m + i) * o.c
			mr := (b*o.m + i) * o.c
			if backward {
				copy(dst[hr:hr+o.c], src[mr:mr+o.c])
			} else {
				copy(dst[mr:mr+o.c], src[hr:hr+o.c])
			}
		}
	}
	return out, nil
}

func (o *memOutOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *memOutOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	op := &memOutGradOp{opBase: newBase("MemOutGrad", o.dt, in[0].Shape(), tt(o.dt, 2)), m: o}
	return G.Nodes{apply(op, grad)}, nil
}

type memOutGradOp struct {
	opBase
	m *memOutOp
}

func (o *memOutGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return memOutDo[float32](o.m, o.zeroOut(), vals, true) },
		func() (G.Value, error) { return memOutDo[float64](o.m, o.zeroOut(), vals, true) })
}

// dotOp is sum(a ⊙ g) for a constant g: the term through which the gradient
// of the loss with respect to a segment's output memory enters its replay
// (docs/method.md). Inputs: a, g (same shape).
type dotOp struct{ opBase }

func newDotOp(dt tensor.Dtype, dims int) *dotOp {
	return &dotOp{opBase: newBase("Dot", dt, nil, tt(dt, dims), tt(dt, dims))}
}

func (o *dotOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return o.scalar(dot(floats[float32](vals[0]), floats[float32](vals[1]))), nil },
		func() (G.Value, error) { return o.scalar(dot(floats[float64](vals[0]), floats[float64](vals[1]))), nil })
}

func dot[T kernels.Float](a, b []T) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func (o *dotOp) DiffWRT(n int) []bool { return []bool{true, false} }

func (o *dotOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	op := &scaleOp{opBase: newBase("Scale", o.dt, in[1].Shape(), tt(o.dt, in[1].Dims()), tt(o.dt, 0))}
	return G.Nodes{apply(op, in[1], grad), nil}, nil
}

// scaleOp is x * s for a scalar s.
type scaleOp struct{ opBase }

func (o *scaleOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return scaleDo[float32](o, vals) }, func() (G.Value, error) { return scaleDo[float64](o, vals) })
}

func scaleDo[T kernels.Float](o *scaleOp, vals []G.Value) (G.Value, error) {
	out := o.newOut()
	x, s, y := floats[T](vals[0]), T(scalarOf(vals[1])), out.Data().([]T)
	for i := range y {
		y[i] = x[i] * s
	}
	return out, nil
}

var _ hm.Type = tensor.Float32
