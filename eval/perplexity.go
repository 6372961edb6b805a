package eval

import (
	"fmt"
	"math"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// SegmentScorer reads rows of tokens through a decoder with M memory tokens
// (M = 0: every segment alone) and sums, per segment index, the negative
// log-likelihood of the predictions made in that segment. It runs one
// compiled segment graph and carries only the memory between segments, so a
// row of any length costs one segment's activations.
//
// A prediction belongs to the segment where it is made: the last token of
// segment i predicts the first token of segment i+1 and counts in segment
// i, as in the loss over concatenated segment logits (graph.Cell). So
// segment i scores S predictions, the last segment S-1 (its last token
// predicts nothing).
type SegmentScorer struct {
	Mem, Seg int
	// Reset starts every segment from the initial memory instead of the
	// previous segment's: memory as a learned prefix that carries nothing
	// from what was read (the ablation of the memory column).
	Reset   bool
	cell    *graph.Cell[float32]
	mem0    []float32 // the initial state (RMT: rmt.memory, M*C); nil for M = 0
	targets []int
	weights []float32
}

// NewSegmentScorer prepares a scorer for w with mem memory tokens of the
// kind w holds (rmt.memory or the associative memory, of that size when
// mem > 0) and segments of seg tokens.
func NewSegmentScorer(w *graph.Weights, mem, seg int) (*SegmentScorer, error) {
	sc := &SegmentScorer{Mem: mem, Seg: seg, targets: make([]int, max(seg, 0)), weights: make([]float32, max(seg, 0))}
	if mem > 0 {
		if k := graph.MemoryOf(w); k.Tokens != mem {
			return nil, fmt.Errorf("eval: scoring with %d memory tokens needs %s of shape [%d %d] (or the associative memory's armt.memory) in the model", mem, graph.MemoryName, mem, w.Config.Hidden())
		}
	}
	cell, err := graph.NewCell[float32](w, mem, seg, false)
	if err != nil {
		return nil, err
	}
	sc.cell, sc.mem0 = cell, cell.InitialMemory(1)
	return sc, nil
}

// Score reads ids (a whole number of segments) and adds to nll[i] the
// summed negative log-likelihood (nats) of the predictions made in segment
// i, and to count[i] their number; nll and count need one entry per
// segment. onSegment, when not nil, is called after each segment with its
// index.
func (sc *SegmentScorer) Score(ids []int, nll []float64, count []int, onSegment func(i int)) error {
	return sc.score(ids, nll, count, onSegment, 0)
}

// score is Score that reads segments before from without scoring them.
func (sc *SegmentScorer) score(ids []int, nll []float64, count []int, onSegment func(i int), from int) error {
	S := sc.Seg
	n, err := rowSegments(ids, S, nll, count)
	if err != nil {
		return err
	}
	scored := 0
	in := func(i int) (graph.SegmentShape, *graph.Batch[float32]) {
		scored = 0
		for t := 0; t < S; t++ {
			pos := i*S + t
			sc.targets[t], sc.weights[t] = 0, 0
			if i >= from && pos+1 < len(ids) {
				sc.targets[t], sc.weights[t] = ids[pos+1], 1
				scored++
			}
		}
		return sc.cell.Shape(1), &graph.Batch[float32]{IDs: ids[i*S : (i+1)*S], Targets: sc.targets, LossWeights: sc.weights}
	}
	_, err = sc.cell.Run(sc.mem0, 0, n, in, func(i int, r *graph.Result[float32]) {
		nll[i] += r.Loss // weights of 1: the sum, not the mean
		count[i] += scored
		if sc.Reset {
			r.MemOut = sc.mem0
		}
		if onSegment != nil {
			onSegment(i)
		}
	})
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return nil
}

// rowSegments checks that ids is a whole number of segments of S and that
// nll and count hold a sum per segment, and returns the segment count.
func rowSegments(ids []int, S int, nll []float64, count []int) (int, error) {
	if len(ids) == 0 || len(ids)%S != 0 {
		return 0, fmt.Errorf("eval: a row of %d tokens is not a whole number of segments of %d", len(ids), S)
	}
	n := len(ids) / S
	if len(nll) < n || len(count) < n {
		return 0, fmt.Errorf("eval: %d segments to score into %d sums and %d counts", n, len(nll), len(count))
	}
	return n, nil
}

// ContextWindow is the number of whole segments of seg tokens that fit the
// model's positions: the full-context column's window.
func ContextWindow(c graph.Config, seg int) int { return c.MaxPositions() / seg }

// ContextScorer scores segments like SegmentScorer with M = 0, but each
// segment's predictions see, besides the segment, as many whole preceding
// segments as fit in the model's position window: full attention over the
// recent past, the yardstick for what memory could carry. A row of n
// segments runs n forward passes of up to Window segments each.
type ContextScorer struct {
	Seg, Window int                       // Window: segments per pass, at least 1
	graphs      []*graph.Segment[float32] // graphs[k-1] reads k segments; built on first use
	w           *graph.Weights
	targets     []int
	weights     []float32
	kern        *kernels.Pool // how the graphs' ops split their work (nil: defaults)
}

// NewContextScorer prepares full-context scoring of segments of seg tokens
// for w, with a window of the model's position limit (whole segments).
func NewContextScorer(w *graph.Weights, seg int) (*ContextScorer, error) {
	if seg < 1 {
		return nil, fmt.Errorf("eval: segments of %d tokens, want at least 1", seg)
	}
	win := ContextWindow(w.Config, seg)
	if win < 1 {
		return nil, fmt.Errorf("eval: a segment of %d tokens does not fit the model's %d positions", seg, w.Config.MaxPositions())
	}
	return &ContextScorer{Seg: seg, Window: win, graphs: make([]*graph.Segment[float32], win), w: w,
		targets: make([]int, win*seg), weights: make([]float32, win*seg)}, nil
}

// Score is SegmentScorer.Score with the full-context window.
func (sc *ContextScorer) Score(ids []int, nll []float64, count []int, onSegment func(i int)) error {
	return sc.score(ids, nll, count, onSegment, 0)
}

// score is Score of the segments from on only (full context needs no pass
// over the others).
func (sc *ContextScorer) score(ids []int, nll []float64, count []int, onSegment func(i int), from int) error {
	S := sc.Seg
	n, err := rowSegments(ids, S, nll, count)
	if err != nil {
		return err
	}
	for i := from; i < n; i++ {
		first := max(0, i-sc.Window+1)
		k := i - first + 1
		g := sc.graphs[k-1]
		if g == nil {
			var err error
			if g, err = graph.NewSegment[float32](sc.w, graph.SegmentShape{Batch: 1, Tokens: k * S}, graph.BuildOptions{Kernels: sc.kern}); err != nil {
				return err
			}
			sc.graphs[k-1] = g
		}
		L := k * S
		targets, weights := sc.targets[:L], sc.weights[:L]
		scored := 0
		for t := 0; t < L; t++ {
			pos := first*S + t
			targets[t], weights[t] = 0, 0
			if t >= L-S && pos+1 < len(ids) { // only segment i's predictions count
				targets[t], weights[t] = ids[pos+1], 1
				scored++
			}
		}
		r, err := g.Forward(&graph.Batch[float32]{IDs: ids[first*S : (i+1)*S], Targets: targets, LossWeights: weights}, nil)
		if err != nil {
			return fmt.Errorf("eval: segment %d with %d before it: %w", i+1, k-1, err)
		}
		nll[i] += r.Loss
		count[i] += scored
		if onSegment != nil {
			onSegment(i)
		}
	}
	return nil
}

// PerplexityResult is the perplexity at one segment index over every
// window. The JSON names segment, ppl_memory and ppl_no_memory are a stable
// contract (docs/cli.md); ppl_memory is null for a model without
// memory. The two controls are omitted when not computed: ppl_memory_reset
// (every segment from the initial memory, nothing carried) and
// ppl_full_context (no memory; attention over the preceding segments that
// fit the model's positions).
type PerplexityResult struct {
	Segment        int      `json:"segment"` // 1-based
	PPLMemory      *float64 `json:"ppl_memory"`
	PPLNoMemory    float64  `json:"ppl_no_memory"`
	PPLMemoryReset *float64 `json:"ppl_memory_reset,omitempty"`
	PPLFullContext *float64 `json:"ppl_full_context,omitempty"`
	Predictions    int      `json:"predictions"` // scored predictions at this index, all windows together
}

// PerplexityReport is `eval perplexity`'s output and the perplexity.json
// written beside a checkpoint.
type PerplexityReport struct {
	Checkpoint  string `json:"checkpoint,omitempty"`
	Model       string `json:"model,omitempty"`
	TextDir     string `json:"text_dir"`
	SegmentSize int    `json:"segment_size"`
	MemTokens   int    `json:"mem_tokens"`
	Segments    int    `json:"segments"`
	Samples     int    `json:"samples"`
	Seed        int64  `json:"seed"`
	// ContextWindow is the full-context column's window in segments (0:
	// that column was not computed).
	ContextWindow int                `json:"context_window,omitempty"`
	Results       []PerplexityResult `json:"results"`
	// History is the last segment of each window after 0..n-1 segments
	// read (PerplexityHistory); omitted when not computed.
	History []HistoryResult `json:"history,omitempty"`
}

// PerplexityOptions picks the columns besides memory and no memory.
type PerplexityOptions struct {
	Reset       bool // ppl_memory_reset (needs memory)
	FullContext bool // ppl_full_context
	// Comm deals the windows among the processes of a job (nil: one
	// process); every process returns the sums one process would make.
	Comm *dist.Comm
	// Kernels is how the scorers' ops split their work (the zero value:
	// the kernels' defaults).
	Kernels kernels.Settings
}

// Columns is the number of passes over every window that Perplexity makes
// with these options for a model with mem memory tokens.
func (o PerplexityOptions) Columns(mem int) int {
	n := 1
	if mem > 0 {
		n++
		if o.Reset {
			n++
		}
	}
	if o.FullContext {
		n++
	}
	return n
}

// scorer is a column's way of reading a row.
type scorer interface {
	Score(ids []int, nll []float64, count []int, onSegment func(i int)) error
	setKernels(p *kernels.Pool)
}

// setKernels makes the scorer's ops split their work by p.
func (sc *SegmentScorer) setKernels(p *kernels.Pool) { sc.cell.Kernels = p }

// setKernels makes the scorer's ops split their work by p; call it before
// the first Score.
func (sc *ContextScorer) setKernels(p *kernels.Pool) { sc.kern = p }

// Perplexity reads windows 0..samples-1 of an lm task (n*S tokens each)
// with memory (mem > 0 memory tokens, from w's rmt.memory) and without (every
// segment alone, M = 0), plus the controls opt asks for, and returns
// exp(mean NLL) at every segment index. mem = 0 skips the memory columns
// (ppl_memory null). Windows are read one at a time, each through one
// segment graph per column (a few for full context); p hears of every
// segment read, so it counts samples·n·S tokens per column. The
// full-context window is ContextWindow.
func Perplexity(w *graph.Weights, mem int, task data.Task, samples int, opt PerplexityOptions, p *Progress) ([]PerplexityResult, error) {
	cfg := task.Config()
	if samples < 1 {
		return nil, fmt.Errorf("eval: %d samples, want at least 1", samples)
	}
	if cfg.SegmentSize < 2 {
		return nil, fmt.Errorf("eval: perplexity per segment needs segments of at least 2 tokens, got %d", cfg.SegmentSize)
	}
	n, S := cfg.Segments, cfg.SegmentSize
	type column struct {
		sc    scorer
		nll   []float64
		count []int
		out   func(r *PerplexityResult, v float64)
	}
	kern, err := kernels.NewPool(opt.Kernels)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	var cols []*column
	add := func(sc scorer, out func(r *PerplexityResult, v float64)) {
		sc.setKernels(kern)
		cols = append(cols, &column{sc: sc, nll: make([]float64, n), count: make([]int, n), out: out})
	}
	noMem, err := NewSegmentScorer(w, 0, S)
	if err != nil {
		return nil, err
	}
	add(noMem, func(r *PerplexityResult, v float64) { r.PPLNoMemory = v })
	if mem > 0 {
		withMem, err := NewSegmentScorer(w, mem, S)
		if err != nil {
			return nil, err
		}
		add(withMem, func(r *PerplexityResult, v float64) { r.PPLMemory = &v })
		if opt.Reset {
			reset, err := NewSegmentScorer(w, mem, S)
			if err != nil {
				return nil, err
			}
			reset.Reset = true
			add(reset, func(r *PerplexityResult, v float64) { r.PPLMemoryReset = &v })
		}
	}
	if opt.FullContext {
		full, err := NewContextScorer(w, S)
		if err != nil {
			return nil, err
		}
		add(full, func(r *PerplexityResult, v float64) { r.PPLFullContext = &v })
	}
	// A row per window: each column's n sums, then its n counts.
	width := 2 * n * len(cols)
	nll, count := make([]float64, n), make([]int, n)
	rows, err := opt.Comm.Rows(samples, width, func(i int, row []float64) error {
		s, err := task.SampleAt(i)
		if err != nil {
			return err
		}
		for k, c := range cols {
			clear(nll)
			clear(count)
			if err := c.sc.Score(s.IDs, nll, count, func(int) { p.Tokens(S) }); err != nil {
				return fmt.Errorf("eval: window %d: %w", i, err)
			}
			copy(row[2*n*k:], nll)
			for j, v := range count {
				row[2*n*k+n+j] = float64(v)
			}
		}
		p.Sample()
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i := 0; i < samples; i++ { // in window order: the sums of one process
		row := rows[i*width : (i+1)*width]
		for k, c := range cols {
			for j := 0; j < n; j++ {
				c.nll[j] += row[2*n*k+j]
				c.count[j] += int(row[2*n*k+n+j])
			}
		}
	}
	out := make([]PerplexityResult, n)
	for i := range out {
		out[i] = PerplexityResult{Segment: i + 1, Predictions: cols[0].count[i]}
		for _, c := range cols {
			c.out(&out[i], ppl(c.nll[i], c.count[i]))
		}
	}
	return out, nil
}

// ppl is exp of the mean NLL; n > 0 since every segment of at least two
// tokens makes a prediction.
func ppl(nll float64, n int) float64 { return math.Exp(nll / float64(n)) }
