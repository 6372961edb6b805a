package eval

import (
	"fmt"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// HistoryResult is the perplexity of the last segment of every window after
// Read segments of the same window were read before it. The scored text is
// the same in every row, so rows differ only in what came before: the clean
// test of "perplexity falls as more segments are read", free of the
// differences between texts that per-index perplexity carries.
type HistoryResult struct {
	Read      int      `json:"read"`       // segments read before the scored one
	PPLMemory *float64 `json:"ppl_memory"` // null for a model without memory
	// PPLNoMemory is the scored segment alone (M = 0): the same in every row.
	PPLNoMemory float64 `json:"ppl_no_memory"`
	// PPLFullContext: no memory, the scored segment read together with the
	// last min(Read, window-1) segments before it; omitted when not computed.
	PPLFullContext *float64 `json:"ppl_full_context,omitempty"`
	Predictions    int      `json:"predictions"`
}

// HistoryScored is the number of segments PerplexityHistory scores per
// window (what its progress counts, S tokens each): the last segment alone,
// one per row with memory (mem > 0), and one per distinct full-context
// window (window > 0: the full-context column is on).
func HistoryScored(mem, n, window int) int {
	k := 1
	if mem > 0 {
		k += n
	}
	return k + min(n, window)
}

// PerplexityHistory scores the last segment of windows 0..samples-1 of an lm
// task after reading 0, 1, ..., n-1 of the segments before it: with memory
// (the memory of the first segment read is the initial one, carried
// through the rest), without memory, and with full attention when
// opt.FullContext is set (opt.Reset does not apply; opt.Comm deals the
// windows among processes). A window of n segments costs n(n+1)/2 segment passes
// with memory; p hears of every scored segment (S tokens for each row and
// column).
func PerplexityHistory(w *graph.Weights, mem int, task data.Task, samples int, opt PerplexityOptions, p *Progress) ([]HistoryResult, error) {
	cfg := task.Config()
	if samples < 1 {
		return nil, fmt.Errorf("eval: %d samples, want at least 1", samples)
	}
	S := cfg.SegmentSize
	if S < 2 {
		return nil, fmt.Errorf("eval: perplexity needs segments of at least 2 tokens, got %d", S)
	}
	alone, err := NewSegmentScorer(w, 0, S)
	if err != nil {
		return nil, err
	}
	var withMem *SegmentScorer
	if mem > 0 {
		if withMem, err = NewSegmentScorer(w, mem, S); err != nil {
			return nil, err
		}
	}
	var full *ContextScorer
	if opt.FullContext {
		if full, err = NewContextScorer(w, S); err != nil {
			return nil, err
		}
	}
	kern, err := kernels.NewPool(opt.Kernels)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	alone.setKernels(kern)
	if withMem != nil {
		withMem.setKernels(kern)
	}
	if full != nil {
		full.setKernels(kern)
	}
	return perplexityHistory(opt.Comm, task, samples, alone, withMem, full, p)
}

func perplexityHistory(comm *dist.Comm, task data.Task, samples int, alone, withMem *SegmentScorer, full *ContextScorer, p *Progress) ([]HistoryResult, error) {
	n, S := task.Config().Segments, task.Config().SegmentSize
	// A row per window: the last segment alone (sum, count), then per
	// number read the memory sum, the full-context sum and count.
	width := 2 + 3*n
	one, oneCount := make([]float64, n), make([]int, n)
	rows, err := comm.Rows(samples, width, func(i int, row []float64) error {
		s, err := task.SampleAt(i)
		if err != nil {
			return err
		}
		ids := s.IDs
		last := ids[(n-1)*S:]
		clear(one)
		clear(oneCount)
		if err := alone.Score(last, one, oneCount, nil); err != nil {
			return fmt.Errorf("eval: window %d: %w", i, err)
		}
		row[0], row[1] = one[0], float64(oneCount[0])
		mem, fullNLL, fullCount := row[2:2+n], row[2+n:2+2*n], row[2+2*n:]
		for read := 0; read < n; read++ {
			tail := ids[(n-1-read)*S:]
			if withMem != nil {
				clear(one)
				clear(oneCount)
				if err := withMem.score(tail, one, oneCount, nil, read); err != nil {
					return fmt.Errorf("eval: window %d after %d segments: %w", i, read, err)
				}
				mem[read] = one[read]
				p.Tokens(S)
			}
			if full != nil && read < full.Window {
				clear(one)
				clear(oneCount)
				if err := full.score(tail, one, oneCount, nil, read); err != nil {
					return fmt.Errorf("eval: window %d after %d segments: %w", i, read, err)
				}
				fullNLL[read], fullCount[read] = one[read], float64(oneCount[read])
				p.Tokens(S)
			}
		}
		p.Tokens(S)
		p.Sample()
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Sums per row, in window order: memory and full context per number
	// read; no memory once.
	memNLL, fullNLL, fullCount := make([]float64, n), make([]float64, n), make([]int, n)
	var aloneNLL float64
	var count int
	for i := 0; i < samples; i++ {
		row := rows[i*width : (i+1)*width]
		aloneNLL += row[0]
		count += int(row[1])
		for read := 0; read < n; read++ {
			memNLL[read] += row[2+read]
			fullNLL[read] += row[2+n+read]
			fullCount[read] += int(row[2+2*n+read])
		}
	}
	out := make([]HistoryResult, n)
	for read := range out {
		r := HistoryResult{Read: read, PPLNoMemory: ppl(aloneNLL, count), Predictions: count}
		if withMem != nil {
			v := ppl(memNLL[read], count)
			r.PPLMemory = &v
		}
		if full != nil {
			k := min(read, full.Window-1) // more than the window holds is the window
			v := ppl(fullNLL[k], fullCount[k])
			r.PPLFullContext = &v
		}
		out[read] = r
	}
	return out, nil
}
