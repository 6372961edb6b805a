package eval

import (
	"fmt"
	"slices"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// DynamicsResult describes the memory states after one hand-off across the
// samples of a question task: how large they are, how much the last
// segment moved them, and how much of their spread is the answer. A memory
// that keeps a fact sits still (drift near 0) and stays separated by
// answer (separation near 1); one that fades drifts, and its separation
// falls.
type DynamicsResult struct {
	Handoff    int     `json:"handoff"`     // j: mem_j, written by segment j
	MeanSquare float64 `json:"mean_square"` // mean of mem_j^2 over samples and values
	Drift      float64 `json:"drift"`       // mean of (mem_j - mem_{j-1})^2
	// Separation is the share of the states' variance that lies between
	// the per-answer means: 1 when the state is a function of the answer,
	// about (answers-1)/samples when it ignores it.
	Separation float64 `json:"separation"`
	// Layers (ARMT) describes each layer's A and z (dynamics_armt.go).
	Layers []ARMTLayerDynamics `json:"layers,omitempty"`
}

// MemoryDynamics reads samples 0..samples-1 of task (a task with answers;
// n segments each) through w with mem memory tokens, one segment at a time,
// and describes mem_j (for ARMT, the state of every layer, flat) at each hand-off j of handoffs (1 <= j < n; the last
// segment holds the question, so mem_n is left out). Each sample is built
// whole (n*S token ids), which suits tens to thousands of segments. kern
// is how the ops split their work (the zero value: the kernels' defaults).
func MemoryDynamics(w *graph.Weights, mem int, task data.Task, samples int, handoffs []int, kern kernels.Settings, p *Progress) ([]DynamicsResult, error) {
	cfg := task.Config()
	n, S := cfg.Segments, cfg.SegmentSize
	if mem < 1 {
		return nil, fmt.Errorf("eval: memory dynamics needs memory tokens, the model has %d", mem)
	}
	if samples < 2 {
		return nil, fmt.Errorf("eval: %d samples, want at least 2 to compare", samples)
	}
	if len(handoffs) == 0 {
		return nil, fmt.Errorf("eval: no hand-offs to describe")
	}
	for _, j := range handoffs {
		if j < 1 || j >= n {
			return nil, fmt.Errorf("eval: hand-off %d outside 1..%d (samples of %d segments)", j, n-1, n)
		}
	}
	if k := graph.MemoryOf(w); k.Tokens != mem {
		return nil, fmt.Errorf("eval: the model has no %s of %d tokens", graph.MemoryName, mem)
	}
	cell, err := graph.NewCell[float32](w, mem, S, false)
	if err != nil {
		return nil, err
	}
	if cell.Kernels, err = kernels.NewPool(kern); err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	m0 := cell.InitialMemory(1)
	var armt *armtDynamics
	if cell.Kind().Kind == graph.KindARMT {
		armt = newARMTDynamics(cell.Shape(1), w.Config, len(handoffs))
		cell.TraceGammas()
	}
	last := slices.Max(handoffs)
	states := make([][][]float32, len(handoffs)) // [hand-off][sample] state
	drift := make([]float64, len(handoffs))
	labels := make([]string, samples)
	for i := 0; i < samples; i++ {
		s, err := task.SampleAt(i)
		if err != nil {
			return nil, err
		}
		if s.Answer == "" {
			return nil, fmt.Errorf("eval: task %s has no answers to separate memory by", cfg.Name)
		}
		labels[i] = s.Answer
		prev := m0
		in := func(j int) (graph.SegmentShape, *graph.Batch[float32]) {
			return cell.Shape(1), &graph.Batch[float32]{IDs: s.IDs[j*S : (j+1)*S]}
		}
		_, err = cell.Run(m0, 0, last, in, func(j int, r *graph.Result[float32]) {
			gammas := cell.Gammas(cell.Shape(1))          // read every segment, so none pile up
			if k := slices.Index(handoffs, j+1); k >= 0 { // hand-off j+1 is segment j+1's state
				states[k] = append(states[k], r.MemOut)
				drift[k] += meanSqDiff(r.MemOut, prev) / float64(samples)
				if armt != nil {
					armt.add(k, r.MemOut, gammas)
				}
			}
			prev = r.MemOut
			p.Tokens(S)
		})
		if err != nil {
			return nil, fmt.Errorf("eval: sample %d, %w", i, err)
		}
		p.Sample()
	}
	out := make([]DynamicsResult, len(handoffs))
	for k, j := range handoffs {
		var ms float64
		for _, x := range states[k] {
			ms += meanSqDiff(x, nil) / float64(samples)
		}
		out[k] = DynamicsResult{Handoff: j, MeanSquare: ms, Drift: drift[k], Separation: separation(states[k], labels)}
		if armt != nil {
			out[k].Layers = armt.result(k)
		}
	}
	return out, nil
}

// meanSqDiff is the mean of (a-b)^2, b nil meaning zero.
func meanSqDiff(a, b []float32) float64 {
	var s float64
	for i, v := range a {
		d := float64(v)
		if b != nil {
			d -= float64(b[i])
		}
		s += d * d
	}
	return s / float64(len(a))
}

// separation is the between-class share of the total variance of the
// vectors xs grouped by label (0 when they do not vary).
func separation(xs [][]float32, labels []string) float64 {
	D := len(xs[0])
	mean := make([]float64, D)
	for _, x := range xs {
		for k, v := range x {
			mean[k] += float64(v) / float64(len(xs))
		}
	}
	type class struct {
		sum []float64
		n   int
	}
	classes := map[string]*class{}
	var total float64
	for i, x := range xs {
		c := classes[labels[i]]
		if c == nil {
			c = &class{sum: make([]float64, D)}
			classes[labels[i]] = c
		}
		c.n++
		for k, v := range x {
			c.sum[k] += float64(v)
			d := float64(v) - mean[k]
			total += d * d
		}
	}
	if total == 0 {
		return 0
	}
	var between float64
	for _, c := range classes {
		for k := range mean {
			d := c.sum[k]/float64(c.n) - mean[k]
			between += float64(c.n) * d * d
		}
	}
	return min(1, between/total) // rounding can carry it a hair past 1
}

// DefaultHandoffs is 1, 2, 3, 4 and then the powers of two below n, and
// n-1: the early hand-offs a curriculum trains on and a log-spaced view
// beyond.
func DefaultHandoffs(n int) []int {
	var hs []int
	for j := 1; j < n; j++ {
		if j <= 4 || j&(j-1) == 0 || j == n-1 {
			hs = append(hs, j)
		}
	}
	return hs
}
