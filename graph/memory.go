package graph

import (
	"unsafe"

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

// Memory is what the cell holds beside the weights: its gradient buffers
// (bytes) and each compiled graph's buffers.
func (c *Cell[T]) Memory() (gradients int64, graphs []GraphMemory) {
	for _, g := range c.grads {
		gradients += bytesOf(g)
	}
	for _, s := range c.graphs {
		graphs = append(graphs, s.Memory())
	}
	return gradients, graphs
}

// holder is an op that reports the bytes it holds between runs: buffers,
// and caches (counted once however many ops share them).
type holder interface {
	held(seen map[any]bool) (buffers, caches int64)
}

func (o *opBase) held(map[any]bool) (int64, int64) {
	var b int64
	if o.out != nil {
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
