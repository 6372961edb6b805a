package graph

import "github.com/rmtgo/rmt/graph/kernels"

// What `eval dynamics` reads of ARMT beside the state: the γ of every
// write, and each layer's A and z in the flat state.

// TraceGammas makes the segment's ARMT writes record the γ they compute,
// for Gammas to return; nothing on an RMT or read-only segment.
func (s *Segment[T]) TraceGammas() {
	for _, op := range s.writes {
		if op.gammas == nil {
			op.gammas = &gammaTape{}
		}
	}
}

// Gammas returns, per layer, the γ its write recorded since the last call
// (for each run, M values per batch row, rows in order) and forgets them.
func (s *Segment[T]) Gammas() [][]float64 {
	out := make([][]float64, len(s.writes))
	for l, op := range s.writes {
		if op.gammas == nil {
			continue
		}
		for _, v := range op.gammas.vals {
			out[l] = append(out[l], v...)
		}
		op.gammas.vals, op.gammas.pos = nil, 0
	}
	return out
}

// TraceGammas makes the ARMT writes of every graph of the cell, those
// built later included, record their γ for Gammas.
func (c *Cell[T]) TraceGammas() {
	c.traceGammas = true
	for _, g := range c.graphs {
		g.TraceGammas()
	}
}

// Gammas is Segment.Gammas of the cell's graph of shape sh (nil when the
// cell has none).
func (c *Cell[T]) Gammas(sh SegmentShape) [][]float64 {
	if g, ok := c.graphs[sh]; ok {
		return g.Gammas()
	}
	return nil
}

// ARMTLayerState is layer l's A (K × C, row-major) and z (K) for batch
// row b of an ARMT state of shape sh (Segment.Forward's MemOut).
func ARMTLayerState[T kernels.Float](sh SegmentShape, c Config, state []T, l, b int) (A, z []T) {
	K, C := sh.keyWidth(), c.Hidden()
	W := K*C + K
	row := state[(l*sh.Batch+b)*W : (l*sh.Batch+b+1)*W]
	return row[:K*C], row[K*C:]
}
