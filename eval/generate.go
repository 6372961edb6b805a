package eval

import (
	"fmt"
	"github.com/rmtgo/rmt/internal/field"

	"github.com/rmtgo/rmt/graph"
)

// Logits runs ids through the model as one plain segment (no memory) and
// returns the last-layer logits at every position, (len(ids), V).
func Logits(w *graph.Weights, ids []int) ([][]float32, error) {
	n := len(ids)
	if n == 0 {
		return nil, fmt.Errorf("eval: no token ids")
	}
	if err := checkLength(w.Config, n); err != nil {
		return nil, err
	}
	seg, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: 1, Tokens: n, LogitRows: n}, graph.BuildOptions{})
	if err != nil {
		return nil, err
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	res, err := seg.Forward(&graph.Batch[float32]{IDs: ids, LogitRows: rows}, nil)
	if err != nil {
		return nil, err
	}
	V := w.Config.VocabSize
	out := make([][]float32, n)
	for i := range out {
		out[i] = res.Logits[i*V : (i+1)*V]
	}
	return out, nil
}

// checkLength rejects a plain sequence longer than the model's position
// limit, which learned position embeddings cannot represent at all and
// rotary models were never trained on.
func checkLength(c graph.Config, n int) error {
	if max := c.MaxPositions(); max > 0 && n > max {
		return fmt.Errorf("eval: sequence of %d tokens is longer than the model's position limit %d", n, max)
	}
	return nil
}

// Greedy appends up to maxNew argmax tokens to prompt and returns them.
// Generation stops early after a token for which stop returns true (the
// token is included). Each step re-runs the whole sequence in a graph
// compiled once for the final length: attention is causal, so the unused
// tail positions do not change the logits read at the last real token.
func Greedy(w *graph.Weights, prompt []int, maxNew int, stop func(id int) bool) ([]int, error) {
	if len(prompt) == 0 {
		return nil, fmt.Errorf("eval: empty prompt")
	}
	if maxNew < 0 {
		return nil, fmt.Errorf("eval: %w", field.Errorf("max_new", "%d, want 0 or more", maxNew))
	}
	total := len(prompt) + maxNew
	if err := checkLength(w.Config, total); err != nil {
		return nil, fmt.Errorf("%w (prompt %d + %d new)", err, len(prompt), maxNew)
	}
	if maxNew == 0 {
		return nil, nil
	}
	seg, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: 1, Tokens: total, LogitRows: 1}, graph.BuildOptions{})
	if err != nil {
		return nil, err
	}
	ids := make([]int, total)
	copy(ids, prompt)
	n := len(prompt)
	var out []int
	for len(out) < maxNew {
		res, err := seg.Forward(&graph.Batch[float32]{IDs: ids, LogitRows: []int{n - 1}}, nil)
		if err != nil {
			return nil, err
		}
		next := Argmax(res.Logits)
		out = append(out, next)
		ids[n] = next
		n++
		if stop != nil && stop(next) {
			break
		}
	}
	return out, nil
}

// Argmax is the index of the largest value of x (the first of ties).
func Argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
