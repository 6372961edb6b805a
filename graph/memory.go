package graph

import (
	"unsafe"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// GraphMemory is what one compiled segment graph holds between runs: the
// buffers its ops allocated on their first run and reuse after.
type GraphMemory struct {
	Shape   SegmentShape
	Train   bool  // built with the backward pass
	Buffers int64 // op outputs, gradient outputs and scratch, in bytes
	Caches  int64 // attention caches (P, packed k and v) and the head's dloss/dlogits, in bytes
}

// Memory is the graph's buffers as they stand (nothing before its first run).
func (s *Segment[T]) Memory() GraphMemory {
	m := GraphMemory{Shape: s.Shape, Train: s.train != nil}
	seen := map[any]bool{} // forward-only graphs share one attention cache
	for _, n := range s.g.AllNodes() {
		if h, ok := n.Op().(holder); ok {
			b, c := h.held(seen)
			m.Buffers += b
			m.Caches += c
			continue
		}
		if n.Op() == nil { // parameters and inputs: the caller's slices
			continue
		}
		if t, ok := n.Value().(tensor.Tensor); ok && !seen[n] { // a Gorgonia op's output
			seen[n] = true
			m.Buffers += int64(t.MemSize())
		}
	}
	return m
}

// Memory is what the cell holds beside the weights, in bytes: its gradient
// buffers, the op outputs its graphs share (bufferPool), and what each
// compiled graph holds of its own.
func (c *Cell[T]) Memory() (gradients, shared int64, graphs []GraphMemory) {
	for _, g := range c.grads {
		gradients += bytesOf(g)
	}
	shared = c.pool.bytes()
	for _, s := range c.graphs {
		graphs = append(graphs, s.Memory())
	}
	return gradients, shared, graphs
}

// holder is an op that reports the bytes it holds between runs: buffers,
// and caches (counted once however many ops share them).
type holder interface {
	held(seen map[any]bool) (buffers, caches int64)
}

func (o *opBase) held(map[any]bool) (int64, int64) {
	var b int64
	if o.out != nil && o.pool == nil { // a pooled buffer is the cell's (Cell.Memory)
		b += int64(o.out.MemSize())
	}
	switch t := o.tmp.(type) {
	case []float32:
		b += bytesOf(t)
	case []float64:
		b += bytesOf(t)
	}
	return b, 0 // sinkT wraps the caller's gradient buffer
}

func (o *attnOp) held(seen map[any]bool) (int64, int64) {
	b, _ := o.opBase.held(seen)
	var c int64
	if !seen[o.c32] {
		seen[o.c32] = true
		c += o.c32.Bytes()
	}
	if !seen[o.c64] {
		seen[o.c64] = true
		c += o.c64.Bytes()
	}
	return b, c
}

func (o *linearOp) held(seen map[any]bool) (int64, int64) {
	b, _ := o.opBase.held(seen)
	return b + bytesOf(o.stack32) + bytesOf(o.stack64), 0
}

func (o *lossOp) held(seen map[any]bool) (int64, int64) {
	b, _ := o.opBase.held(seen)
	return b, bytesOf(o.dl32) + bytesOf(o.dl64)
}

// bytesOf is the memory of a slice's backing array.
func bytesOf[T kernels.Float](s []T) int64 {
	var z T
	return int64(cap(s)) * int64(unsafe.Sizeof(z))
}

// GradientBuffers is the cell's one set of gradient buffers, in W.Params
// order (nil before the first Gradients call): what Gradients fills.
func (c *Cell[T]) GradientBuffers() [][]T { return c.grads }

// bufferPool lends op output buffers to the graphs of one cell. Each graph
// numbers its ops' outputs of each size in build order; the k-th output of
// n elements of one graph shares its buffer with the k-th output of n
// elements of every other graph. Within a graph no two outputs share. The
// graphs of a cell run one at a time, every op overwrites (or clears) its
// output before reading it, and what a run returns is copied out before
// the next run, so sharing changes no value: a forward-only graph for
// generation, or for another batch shape with the same sizes, costs no
// second set of activations beside the training graph's.
type bufferPool struct {
	f32 map[int][][]float32
	f64 map[int][][]float64
}

func newBufferPool() *bufferPool {
	return &bufferPool{f32: map[int][][]float32{}, f64: map[int][][]float64{}}
}

// get returns buffer k of n elements of type dt, allocating it on first use.
func (p *bufferPool) get(dt tensor.Dtype, n, k int) any {
	if dt == tensor.Float64 {
		return poolGet(p.f64, n, k)
	}
	return poolGet(p.f32, n, k)
}

func poolGet[T kernels.Float](m map[int][][]T, n, k int) []T {
	bufs := m[n]
	for len(bufs) <= k {
		bufs = append(bufs, nil)
	}
	if bufs[k] == nil {
		bufs[k] = make([]T, n)
	}
	m[n] = bufs
	return bufs[k]
}

// bytes is the memory the pool has lent.
func (p *bufferPool) bytes() int64 {
	if p == nil {
		return 0
	}
	var b int64
	for _, bufs := range p.f32 {
		for _, x := range bufs {
			b += bytesOf(x)
		}
	}
	for _, bufs := range p.f64 {
		for _, x := range bufs {
			b += bytesOf(x)
		}
	}
	return b
}

// lend gives every op of the graph with a tensor output its slot in the
// pool: its place among the graph's outputs of the same size.
func (p *bufferPool) lend(g interface{ AllNodes() G.Nodes }) {
	seen := map[int]int{} // outputs of each size so far
	for _, n := range g.AllNodes() {
		b, ok := n.Op().(interface{ base() *opBase })
		if !ok {
			continue
		}
		o := b.base()
		if len(o.shape) == 0 || o.out != nil {
			continue
		}
		size := o.shape.TotalSize()
		o.pool, o.slot = p, seen[size]
		seen[size]++
	}
}
