package graph

import (
	"fmt"
	"hash"
	"hash/fnv"
	"sync/atomic"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/chewxy/hm"

	"github.com/rmtgo/rmt/graph/kernels"
)

// Every custom op embeds opBase. Graphs are built for one shape, so each op
// knows its output shape up front. Each op gets a unique id in its hash:
// Gorgonia merges nodes whose ops hash equal, and ops that keep state (the
// attention cache, the loss gradient) must never be merged.

var opCounter atomic.Int64

type opBase struct {
	name  string
	id    int64
	dt    tensor.Dtype  // float dtype of the computation
	ins   []hm.Type     // input types
	shape tensor.Shape  // output shape; empty means a scalar
	out   *tensor.Dense // the output buffer, reused run after run
	tmp   any           // a scratch slice of the op's element type, reused

	// A parameter's gradient op may add its result straight into the
	// caller's gradient accumulator (Segment.Backward sets sink for the run)
	// rather than write it to its own buffer for the caller to add: one
	// pass over the gradient instead of three, which on GPT-2-sized
	// weights is a tenth of a training step. sinkable marks such ops.
	sinkable bool
	sink     any           // []T: the accumulator, for one run
	sinkT    *tensor.Dense // sink wrapped as the op's output

	// pool, when set, lends the output buffer: slot is this op's place
	// among the graph's outputs of its size (see bufferPool).
	pool *bufferPool
	slot int

	// kern points at the kernel settings of the graph's owner (the Cell's
	// Kernels, or the Segment's own): read once per run of the op, so a
	// cell's new settings reach graphs already compiled.
	kern **kernels.Pool
}

// kpool is the kernel pool this run of the op splits its work by.
func (o *opBase) kpool() *kernels.Pool {
	if o.kern == nil {
		return nil
	}
	return *o.kern
}

// base gives the graph builder the opBase of any op.
func (o *opBase) base() *opBase { return o }

// sinker is an op that can add its result into a gradient accumulator.
type sinker interface{ setSink(acc any) bool }

// setSink gives the op the accumulator for its next run (nil to take it
// back) and reports whether the op adds into it.
func (o *opBase) setSink(acc any) bool {
	if !o.sinkable {
		return false
	}
	o.sink = acc
	if acc == nil {
		o.sinkT = nil
	}
	return true
}

// sinkOf returns the op's sink for this run, or nil.
func sinkOf[T kernels.Float](o *opBase) []T {
	s, _ := o.sink.([]T)
	return s
}

// gradOut returns where a sinkable op writes: the sink (beta 1: add to
// what is there) when one is set, else its own output buffer (beta 0),
// cleared first when clear is true (ops that scatter or accumulate).
func gradOut[T kernels.Float](o *opBase, clear bool) (out *tensor.Dense, d []T, beta T) {
	if s := sinkOf[T](o); s != nil {
		if o.sinkT == nil || &o.sinkT.Data().([]T)[0] != &s[0] {
			o.sinkT = tensor.New(tensor.WithShape(o.shape.Clone()...), tensor.WithBacking(s))
		}
		return o.sinkT, s, 1
	}
	if clear {
		out = o.zeroOut()
	} else {
		out = o.newOut()
	}
	return out, out.Data().([]T), 0
}

// scratch returns a slice of n elements owned by the op, reused run after
// run (its contents are not cleared).
func scratch[T kernels.Float](o *opBase, n int) []T {
	s, _ := o.tmp.([]T)
	if cap(s) < n {
		s = make([]T, n)
		o.tmp = s
	}
	return s[:n]
}

func newBase(name string, dt tensor.Dtype, out tensor.Shape, ins ...hm.Type) opBase {
	return opBase{name: name, id: opCounter.Add(1), dt: dt, ins: ins, shape: out}
}

// tt is the type of a float tensor with d dimensions (0 means a scalar).
func tt(dt tensor.Dtype, d int) hm.Type {
	if d == 0 {
		return dt
	}
	return G.TensorType{Dims: d, Of: dt}
}

// intVec is the type of an int vector (token ids, targets, row indices).
var intVec hm.Type = G.TensorType{Dims: 1, Of: tensor.Int}

func (o *opBase) Arity() int { return len(o.ins) }

func (o *opBase) Type() hm.Type {
	ts := append(append([]hm.Type{}, o.ins...), tt(o.dt, len(o.shape)))
	return hm.NewFnType(ts...)
}

func (o *opBase) InferShape(...G.DimSizer) (tensor.Shape, error) {
	if len(o.shape) == 0 {
		return tensor.ScalarShape(), nil
	}
	return o.shape.Clone(), nil
}

func (o *opBase) ReturnsPtr() bool      { return false }
func (o *opBase) CallsExtern() bool     { return false }
func (o *opBase) OverwritesInput() int  { return -1 }
func (o *opBase) WriteHash(h hash.Hash) { fmt.Fprintf(h, "%s#%d", o.name, o.id) }
func (o *opBase) Hashcode() uint32 {
	h := fnv.New32a()
	o.WriteHash(h)
	return h.Sum32()
}
func (o *opBase) String() string { return o.name }

// newOut returns the op's output tensor, reused from the run before: a
// graph is built for one shape, so the size never changes, and reuse spares
// an allocation, a clear and garbage per op per step. Every Do overwrites
// all of it; ops that only scatter or accumulate use zeroOut.
func (o *opBase) newOut() *tensor.Dense {
	if o.out == nil && o.pool != nil {
		o.out = tensor.New(tensor.WithShape(o.shape.Clone()...), tensor.WithBacking(o.pool.get(o.dt, o.shape.TotalSize(), o.slot)))
	}
	if o.out == nil {
		o.out = tensor.New(tensor.WithShape(o.shape.Clone()...), tensor.Of(o.dt))
	}
	return o.out
}

// zeroOut is newOut cleared.
func (o *opBase) zeroOut() *tensor.Dense {
	t := o.newOut()
	switch d := t.Data().(type) {
	case []float32:
		clear(d)
	case []float64:
		clear(d)
	}
	return t
}

// scalar wraps a loss value in the op's dtype.
func (o *opBase) scalar(v float64) G.Value {
	if o.dt == tensor.Float64 {
		return G.NewF64(v)
	}
	return G.NewF32(float32(v))
}

// floats returns the backing slice of a float tensor value.
func floats[T kernels.Float](v G.Value) []T {
	return v.(tensor.Tensor).Data().([]T)
}

// ints returns the backing slice of an int tensor value.
func ints(v G.Value) []int { return v.(tensor.Tensor).Data().([]int) }

// scalarOf reads a scalar value (an incoming loss gradient), which Gorgonia
// passes either as a scalar value or as a 0-d tensor.
func scalarOf(v G.Value) float64 {
	switch s := v.(type) {
	case *G.F32:
		return float64(*s)
	case *G.F64:
		return float64(*s)
	case tensor.Tensor:
		switch d := s.Data().(type) {
		case float32:
			return float64(d)
		case float64:
			return d
		case []float32:
			return float64(d[0])
		case []float64:
			return d[0]
		}
	}
	panic(fmt.Sprintf("graph: expected a scalar, got %T", v))
}

// dispatch runs the float32 or float64 instantiation of a kernel body.
func dispatch(dt tensor.Dtype, f32 func() (G.Value, error), f64 func() (G.Value, error)) (G.Value, error) {
	if dt == tensor.Float64 {
		return f64()
	}
	return f32()
}

// apply is G.ApplyOp for graph builders, which treat a failure as a bug in
// the builder (shapes are checked before building) and panic; exported entry
// points recover and return it as an error.
func apply(op G.Op, in ...*G.Node) *G.Node {
	n, err := G.ApplyOp(op, in...)
	if err != nil {
		panic(fmt.Errorf("graph: building %v: %w", op, err))
	}
	return n
}
