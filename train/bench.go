package train

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/graph"
)

// DataParallelBench is one measurement of data-parallel training steps
// (BenchDataParallel); times are the best over the timed steps, as rank 0
// saw them (a shared machine's other tenants only ever add time).
type DataParallelBench struct {
	Shape         string  `json:"shape"`
	Ranks         int     `json:"ranks"`
	Threads       int     `json:"threads"` // per rank
	GlobalBatch   int     `json:"global_batch"`
	SegmentTokens int     `json:"segment_tokens"`
	MemTokens     int     `json:"mem_tokens"`
	Params        int     `json:"params"`
	StepMS        float64 `json:"step_ms"`
	ComputeMS     float64 `json:"compute_ms"`   // forward and backward of this rank's slice
	WaitMS        float64 `json:"wait_ms"`      // for the slowest rank to finish its slice
	AllreduceMS   float64 `json:"allreduce_ms"` // summing the gradients, copies into and out of the flat buffer included
	OptimizerMS   float64 `json:"optimizer_ms"` // the AdamW step every rank takes
	TokensPerS    float64 `json:"tokens_per_s"` // global batch tokens over the step time
	// AllreduceBytes is the size of the gradient buffer each rank gives
	// to the allreduce: 4 bytes per parameter.
	AllreduceBytes int64 `json:"allreduce_bytes"`
	Steps          int   `json:"steps"`
}

// BenchDataParallel times training steps of random weights of shape c on
// the ranks of comm: every rank takes its slice of a global batch of
// random rows of one segment, computes its gradients, the gradients are
// summed with one allreduce and every rank takes an AdamW step, as Run
// does. One warm-up step is not timed.
func BenchDataParallel(comm *dist.Comm, name string, c graph.Config, globalBatch, tokens, mem, steps int) (DataParallelBench, error) {
	if steps < 1 {
		return DataParallelBench{}, fmt.Errorf("train: %d timed steps, want at least 1", steps)
	}
	if err := comm.Divides("batch", globalBatch); err != nil {
		return DataParallelBench{}, err
	}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		return DataParallelBench{}, err
	}
	if mem > 0 {
		if err := graph.InitMemory(w, mem, 1); err != nil {
			return DataParallelBench{}, err
		}
	}
	cell, err := graph.NewCell[float32](w, mem, tokens, true)
	if err != nil {
		return DataParallelBench{}, err
	}
	adam := NewAdamW(DefaultAdamW())
	t := &trainer{comm: comm}
	lo, hi := comm.Slice(globalBatch)
	var step, compute, wait, reduce, optim []time.Duration
	for s := 0; s <= steps; s++ {
		seq := graph.Sequence{Part: &graph.Part{Row: lo, Rows: globalBatch, Scored: globalBatch * (tokens - 1)}}
		for b := lo; b < hi; b++ {
			rng := rand.New(rand.NewPCG(uint64(s), uint64(b))) // the same global batch on every rank
			row := make([]int, tokens)
			for i := range row {
				row[i] = rng.IntN(c.VocabSize)
			}
			seq.IDs = append(seq.IDs, row)
		}
		t0 := time.Now()
		g, err := cell.Gradients(seq, -1)
		if err != nil {
			return DataParallelBench{}, err
		}
		t1 := time.Now()
		if err := comm.Barrier(); err != nil {
			return DataParallelBench{}, err
		}
		t2 := time.Now()
		var st stepStats
		if err := t.sumAcrossRanks(g.Params, &st); err != nil {
			return DataParallelBench{}, err
		}
		t3 := time.Now()
		if _, err := adam.Update(w.Params, g.Params, 1e-5); err != nil {
			return DataParallelBench{}, err
		}
		t4 := time.Now()
		if s > 0 {
			step, compute, wait = append(step, t4.Sub(t0)), append(compute, t1.Sub(t0)), append(wait, t2.Sub(t1))
			reduce, optim = append(reduce, t3.Sub(t2)), append(optim, t4.Sub(t3))
		}
	}
	ms := func(d []time.Duration) float64 { return float64(slices.Min(d).Microseconds()) / 1e3 }
	r := DataParallelBench{Shape: name, Ranks: comm.Size(), Threads: cell.Kernels.Threads(), GlobalBatch: globalBatch, SegmentTokens: tokens,
		MemTokens: mem, Params: w.Count(), StepMS: ms(step), ComputeMS: ms(compute), WaitMS: ms(wait), AllreduceMS: ms(reduce),
		OptimizerMS: ms(optim), AllreduceBytes: 4 * int64(w.Count()), Steps: steps}
	r.TokensPerS = float64(globalBatch*tokens) / (r.StepMS / 1e3)
	if comm.Size() == 1 {
		r.AllreduceBytes = 0
	}
	return r, nil
}

// String is the report line.
func (r DataParallelBench) String() string {
	return fmt.Sprintf("%s | %d rank(s) x %d thread(s) | batch %d x %d tokens (+2x%d memory) | %d params\n"+
		"step %.1f ms = compute %.1f + wait %.1f + allreduce %.1f (%.1f MB) + AdamW %.1f | %.0f tokens/s (best of %d steps)",
		r.Shape, r.Ranks, r.Threads, r.GlobalBatch, r.SegmentTokens, r.MemTokens, r.Params,
		r.StepMS, r.ComputeMS, r.WaitMS, r.AllreduceMS, float64(r.AllreduceBytes)/1e6, r.OptimizerMS, r.TokensPerS, r.Steps)
}
