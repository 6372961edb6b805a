package graph

import "fmt"

// Run is the one forward loop over segments: it runs segments from..to-1
// (0-based) in order, each reading the state the one before handed on (mem
// for the first), and returns the state the last hands on. in gives a
// segment's graph shape and inputs; visit, when not nil, sees each result
// before its state is handed on and may change r.MemOut in place (training
// noise) or replace it (a run that restarts every segment from mem).
// Cell.Forward, the replay's forward pass, Stream, perplexity and memory
// dynamics all run through it.
func (c *Cell[T]) Run(mem []T, from, to int, in func(i int) (SegmentShape, *Batch[T]), visit func(i int, r *Result[T])) ([]T, error) {
	for i := from; i < to; i++ {
		shape, b := in(i)
		g, err := c.graph(shape)
		if err != nil {
			return nil, err
		}
		r, err := g.Forward(b, mem)
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i+1, err)
		}
		if visit != nil {
			visit(i, &r)
		}
		mem = r.MemOut
	}
	return mem, nil
}
