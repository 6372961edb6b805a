package graph

import "fmt"

// Stream reads a token stream of any length through a memory cell in
// constant memory and linear time: tokens are buffered until they fill a
// segment, each full segment is run forward (no loss, no logits: the head
// is never computed for haystack text) and only the memory is carried.
//
//	s := cell.NewStream()
//	s.Feed(haystack)                  // any number of calls, any lengths
//	answer, _ := s.Generate(question, 8, isEOS)
//
// Generate treats what is left in the buffer plus the prompt as the final
// segment. As in the official RMT code, that segment reads memory but its
// write memory is never used; since attention is causal, the trailing write
// rows cannot change the token logits, so they are simply not read. ARMT's
// final segment, as in the authors' code, reads every layer's memory and
// has no memory rows and no writes. The stream works the same for both
// kinds: it only carries the state the segment graph hands on.
type Stream struct {
	cell     *Cell[float32]
	mem      []float32 // the state after the segments read so far (RMT: M*C)
	pending  []int     // tokens not yet forming a full segment
	segments int
	// last is the segment read most recently and prev the state before
	// it: a prompt that ends where a segment ends leaves Generate no
	// tokens, and the first answer token is then predicted from the last
	// position of that segment, read again from prev.
	last []int
	prev []float32
	// first, when positive, is the length of the first segment, still to
	// be read (FirstSegment).
	first int
}

// NewStream starts a stream from the initial memory, batch 1.
func (c *Cell[T]) NewStream() *Stream {
	fc, ok := any(c).(*Cell[float32])
	if !ok {
		panic("graph: streams run in float32")
	}
	return &Stream{cell: fc, mem: fc.InitialMemory(1)}
}

// Segments is the number of segments read into memory so far.
func (s *Stream) Segments() int { return s.segments }

// Memory is the current memory state (RMT: M*C values; not a copy).
func (s *Stream) Memory() []float32 { return s.mem }

// FirstSegment makes the first segment n tokens long (0 < n < S) and
// every later one S: an input of L tokens read with n = L mod S is cut
// from its end, so its last segment ends where the input does (RMT's
// right alignment). The short segment runs unpadded, in a graph of its
// own length, as the reference runs a short segment. Call it before the
// first Feed.
func (s *Stream) FirstSegment(n int) error {
	if s.segments > 0 || len(s.pending) > 0 {
		return fmt.Errorf("graph: the first segment's length is set before anything is fed")
	}
	if n < 0 || n >= s.cell.Seg {
		return fmt.Errorf("graph: first segment of %d tokens, want 1 to %d (0: a whole segment)", n, s.cell.Seg-1)
	}
	s.first = n
	return nil
}

// Feed appends tokens and runs every segment they complete.
func (s *Stream) Feed(ids []int) error {
	S := s.cell.Seg
	s.pending = append(s.pending, ids...)
	if k := s.first; k > 0 {
		if len(s.pending) < k {
			return nil
		}
		if err := s.short(s.pending[:k]); err != nil {
			return err
		}
		s.pending = append(s.pending[:0], s.pending[k:]...)
	}
	n := len(s.pending) / S
	if err := s.steps(s.pending[:n*S]); err != nil {
		return err
	}
	s.pending = append(s.pending[:0], s.pending[n*S:]...)
	return nil
}

// steps reads the whole segments of ids into memory.
func (s *Stream) steps(ids []int) error {
	S, first := s.cell.Seg, s.segments
	in := func(i int) (SegmentShape, *Batch[float32]) {
		return s.cell.Shape(1), &Batch[float32]{IDs: ids[(i-first)*S : (i-first+1)*S]}
	}
	_, err := s.cell.Run(s.mem, first, first+len(ids)/S, in, func(i int, r *Result[float32]) {
		s.last = append(s.last[:0], ids[(i-first)*S:(i-first+1)*S]...)
		s.prev, s.mem = s.mem, r.MemOut // a new slice: prev keeps the state before
		s.segments++
	})
	if err != nil {
		return fmt.Errorf("graph: %w", err)
	}
	return nil
}

// short reads the first segment of FirstSegment's length.
func (s *Stream) short(ids []int) error {
	shape := s.cell.Shape(1)
	shape.Tokens = len(ids)
	g, err := NewSegment[float32](s.cell.W, shape, BuildOptions{})
	if err != nil {
		return fmt.Errorf("graph: first segment of %d tokens: %w", len(ids), err)
	}
	r, err := g.Forward(&Batch[float32]{IDs: ids}, s.mem)
	if err != nil {
		return fmt.Errorf("graph: first segment of %d tokens: %w", len(ids), err)
	}
	s.last = append(s.last[:0], ids...)
	s.prev, s.mem = s.mem, append([]float32(nil), r.MemOut...) // the graph and its buffers go
	s.segments++
	s.first = 0
	return nil
}

// Generate appends prompt to the buffered tokens and greedily generates up
// to maxNew tokens, stopping after a token for which stop returns true. The
// buffered tokens and the prompt form the final segment (full segments
// before it are read into memory first); if the answer fills that segment,
// it is read into memory and generation goes on in the next one.
func (s *Stream) Generate(prompt []int, maxNew int, stop func(int) bool) ([]int, error) {
	S := s.cell.Seg
	if maxNew < 1 {
		return nil, fmt.Errorf("graph: %d new tokens, want at least 1", maxNew)
	}
	cur := append(s.pending, prompt...)
	if len(cur) == 0 && s.segments > 0 {
		// The prompt ended with a segment: read that segment again, from
		// the state before it, for the logits of its last position.
		cur, s.mem, s.segments = append(cur, s.last...), s.prev, s.segments-1
	}
	if len(cur) == 0 {
		return nil, fmt.Errorf("graph: nothing to generate from: no buffered tokens and an empty prompt")
	}
	s.pending = nil
	if k := s.first; k > 0 && len(cur) > k {
		if err := s.short(cur[:k]); err != nil {
			return nil, err
		}
		cur = cur[k:]
	}
	s.first = 0             // a prompt no longer than the first segment is the final one
	n := (len(cur) - 1) / S // every full segment but the last token's
	if err := s.steps(cur[:n*S]); err != nil {
		return nil, err
	}
	cur = cur[n*S:]
	shape := s.cell.Shape(1)
	shape.LogitRows = 1
	shape.ReadOnly = shape.kind().finalReadOnly() // ARMT: reads, writes nothing, as the authors run it
	g, err := s.cell.graph(shape)
	if err != nil {
		return nil, err
	}
	var out []int
	for len(out) < maxNew {
		r, err := g.Forward(&Batch[float32]{IDs: padTo(cur, S), LogitRows: []int{len(cur) - 1}}, s.mem)
		if err != nil {
			return nil, err
		}
		next := 0
		for j, v := range r.Logits {
			if v > r.Logits[next] {
				next = j
			}
		}
		out = append(out, next)
		if (stop != nil && stop(next)) || len(out) == maxNew {
			break
		}
		if len(cur) == S {
			if err := s.steps(cur); err != nil {
				return nil, err
			}
			cur = cur[:0]
		}
		cur = append(cur, next)
	}
	return out, nil
}

// padTo copies ids into a slice of length n, zero-padded. Padding only ever
// follows the real tokens, which causal attention never lets them see.
func padTo(ids []int, n int) []int {
	out := make([]int, n)
	copy(out, ids)
	return out
}
