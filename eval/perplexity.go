package eval

import (
	"fmt"
	"math"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
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
	g        *graph.Segment[float32]
	mem0     []float32 // rmt.memory (M*C); nil for M = 0
	targets  []int
	weights  []float32
}

// NewSegmentScorer prepares a scorer for w with mem memory tokens (w must
// hold rmt.memory of that size when mem > 0) and segments of seg tokens.
func NewSegmentScorer(w *graph.Weights, mem, seg int) (*SegmentScorer, error) {
	sc := &SegmentScorer{Mem: mem, Seg: seg, targets: make([]int, max(seg, 0)), weights: make([]float32, max(seg, 0))}
	if mem > 0 {
		p := w.Get(graph.MemoryName)
		if p == nil || p.Shape[0] != mem || p.Shape[1] != w.Config.Hidden() {
			return nil, fmt.Errorf("eval: scoring with %d memory tokens needs %s of shape [%d %d] in the model", mem, graph.MemoryName, mem, w.Config.Hidden())
		}
		sc.mem0 = p.Data
	}
	g, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: 1, Tokens: seg, Mem: mem}, graph.BuildOptions{})
	if err != nil {
		return nil, err
	}
	sc.g = g
	return sc, nil
}

// Score reads ids (a whole number of segments) and adds to nll[i] the
// summed negative log-likelihood (nats) of the predictions made in segment
// i, and to count[i] their number; nll and count need one entry per
// segment. onSegment, when not nil, is called after each segment with its
// index.
func (sc *SegmentScorer) Score(ids []int, nll []float64, count []int, onSegment func(i int)) error {
	S := sc.Seg
	if len(ids) == 0 || len(ids)%S != 0 {
		return fmt.Errorf("eval: a row of %d tokens is not a whole number of segments of %d", len(ids), S)
	}
	n := len(ids) / S
	if len(nll) < n || len(count) < n {
		return fmt.Errorf("eval: %d segments to score into %d sums and %d counts", n, len(nll), len(count))
	}
	mem := sc.mem0
	for i := 0; i < n; i++ {
		scored := 0
		for t := 0; t < S; t++ {
			pos := i*S + t
			sc.targets[t], sc.weights[t] = 0, 0
			if pos+1 < len(ids) {
				sc.targets[t], sc.weights[t] = ids[pos+1], 1
				scored++
			}
		}
		r, err := sc.g.Forward(&graph.Batch[float32]{IDs: ids[i*S : (i+1)*S], Targets: sc.targets, LossWeights: sc.weights}, mem)
		if err != nil {
			return fmt.Errorf("eval: segment %d: %w", i+1, err)
		}
		nll[i] += r.Loss // weights of 1: the sum, not the mean
		count[i] += scored
		if sc.Mem > 0 {
			mem = r.MemOut
		}
		if onSegment != nil {
			onSegment(i)
		}
	}
	return nil
}

// PerplexityResult is the perplexity at one segment index over every
// window. The JSON names segment, ppl_memory and ppl_no_memory are a stable
// contract (DESIGN.md section 7); ppl_memory is null for a model without
// memory.
type PerplexityResult struct {
	Segment     int      `json:"segment"` // 1-based
	PPLMemory   *float64 `json:"ppl_memory"`
	PPLNoMemory float64  `json:"ppl_no_memory"`
	Predictions int      `json:"predictions"` // scored predictions at this index, all windows together
}

// PerplexityReport is `eval perplexity`'s output and the perplexity.json
// written beside a checkpoint.
type PerplexityReport struct {
	Checkpoint  string             `json:"checkpoint,omitempty"`
	Model       string             `json:"model,omitempty"`
	TextDir     string             `json:"text_dir"`
	SegmentSize int                `json:"segment_size"`
	MemTokens   int                `json:"mem_tokens"`
	Segments    int                `json:"segments"`
	Samples     int                `json:"samples"`
	Seed        int64              `json:"seed"`
	Results     []PerplexityResult `json:"results"`
}

// Perplexity reads windows 0..samples-1 of an lm task (n*S tokens each)
// with memory (mem > 0 memory tokens, from w's rmt.memory) and without (every
// segment alone, M = 0) and returns exp(mean NLL) at every segment index.
// mem = 0 skips the memory column (ppl_memory null). Windows are read one
// at a time, each through one segment graph per column; p hears of every
// segment read, so it counts samples·n·S tokens per column.
func Perplexity(w *graph.Weights, mem int, task data.Task, samples int, p *Progress) ([]PerplexityResult, error) {
	cfg := task.Config()
	if samples < 1 {
		return nil, fmt.Errorf("eval: %d samples, want at least 1", samples)
	}
	if cfg.SegmentSize < 2 {
		return nil, fmt.Errorf("eval: perplexity per segment needs segments of at least 2 tokens, got %d", cfg.SegmentSize)
	}
	n, S := cfg.Segments, cfg.SegmentSize
	type column struct {
		sc    *SegmentScorer
		nll   []float64
		count []int
	}
	mems := []int{0} // the no-memory column first, then the memory column
	if mem > 0 {
		mems = append(mems, mem)
	}
	var cols []*column
	for _, m := range mems {
		sc, err := NewSegmentScorer(w, m, S)
		if err != nil {
			return nil, err
		}
		cols = append(cols, &column{sc: sc, nll: make([]float64, n), count: make([]int, n)})
	}
	for i := 0; i < samples; i++ {
		s, err := task.SampleAt(i)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			if err := c.sc.Score(s.IDs, c.nll, c.count, func(int) { p.Tokens(S) }); err != nil {
				return nil, fmt.Errorf("eval: window %d: %w", i, err)
			}
		}
		p.Sample()
	}
	out := make([]PerplexityResult, n)
	for i := range out {
		r := PerplexityResult{Segment: i + 1, Predictions: cols[0].count[i]}
		r.PPLNoMemory = ppl(cols[0].nll[i], cols[0].count[i])
		if len(cols) > 1 {
			v := ppl(cols[1].nll[i], cols[1].count[i])
			r.PPLMemory = &v
		}
		out[i] = r
	}
	return out, nil
}

// ppl is exp of the mean NLL; n > 0 since every segment of at least two
// tokens makes a prediction.
func ppl(nll float64, n int) float64 { return math.Exp(nll / float64(n)) }
