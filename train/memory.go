package train

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/graph"
)

// memoryRecord is where the run's memory goes, in MiB: what the trainer
// holds by owner, and what the process has resident, as the metrics.jsonl
// record of type "memory".
type memoryRecord struct {
	When       string  `json:"when"`
	Parameters float64 `json:"parameters_mb"`
	Gradients  float64 `json:"gradients_mb"` // the cell's one set, plus the micro-batch accumulator
	Moments    float64 `json:"moments_mb"`   // AdamW m and v
	// SharedGraphBuffers are the op outputs every graph of the run
	// shares (the largest set any one graph needs); Graphs what each
	// graph holds of its own besides.
	SharedGraphBuffers float64       `json:"shared_graph_buffers_mb"`
	Graphs             []graphMemory `json:"graphs"`
	HeapMB             float64       `json:"heap_mb"`        // live Go heap (everything above but the BLAS's own buffers)
	RSSMB              float64       `json:"rss_mb"`         // resident now
	PeakRSSMB          float64       `json:"peak_rss_mb"`    // highest resident so far
	Unaccounted        float64       `json:"unaccounted_mb"` // resident beyond the items listed
}

// graphMemory is one compiled segment graph's buffers.
type graphMemory struct {
	Shape   string  `json:"shape"` // B x S tokens + 2 x M memory [+ key mask] [+ R logit rows]
	Train   bool    `json:"train"` // built with the backward pass (else forward-only)
	Buffers float64 `json:"buffers_mb"`
	Caches  float64 `json:"caches_mb"` // attention caches and the head's dloss/dlogits
}

const mib = 1 << 20

// memory measures what the run holds now.
func (t *trainer) memory(when string) memoryRecord {
	r := memoryRecord{When: when}
	var params int64
	for _, p := range t.w.Params {
		params += 4 * int64(p.Size())
	}
	r.Parameters = float64(params) / mib
	if t.adam != nil {
		var m int64
		for name := range t.adam.M {
			m += 4 * int64(len(t.adam.M[name])+len(t.adam.V[name]))
		}
		r.Moments = float64(m) / mib
	}
	for _, g := range t.acc {
		r.Gradients += float64(4*len(g)) / mib
	}
	r.Gradients += float64(4*len(t.flat)) / mib
	if t.cell != nil {
		grads, shared, graphs := t.cell.Memory()
		r.Gradients += float64(grads) / mib
		r.SharedGraphBuffers = float64(shared) / mib
		sort.Slice(graphs, func(i, j int) bool { return shapeName(graphs[i].Shape) < shapeName(graphs[j].Shape) })
		for _, g := range graphs {
			r.Graphs = append(r.Graphs, graphMemory{Shape: shapeName(g.Shape), Train: g.Train,
				Buffers: float64(g.Buffers) / mib, Caches: float64(g.Caches) / mib})
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.HeapMB = float64(ms.HeapInuse) / mib
	r.RSSMB, r.PeakRSSMB = bench.ResidentMB(), bench.PeakResidentMB()
	r.Unaccounted = r.RSSMB - r.total()
	return r
}

func (r memoryRecord) total() float64 {
	s := r.Parameters + r.Gradients + r.Moments + r.SharedGraphBuffers
	for _, g := range r.Graphs {
		s += g.Buffers + g.Caches
	}
	return s
}

func shapeName(s graph.SegmentShape) string { return s.Name() }

// String is the breakdown as the log prints it.
func (r memoryRecord) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "memory %s: parameters %.0f MiB | gradients %.0f MiB | AdamW moments %.0f MiB | graph buffers shared by every shape %.0f MiB",
		r.When, r.Parameters, r.Gradients, r.Moments, r.SharedGraphBuffers)
	for _, g := range r.Graphs {
		kind := "forward-only"
		if g.Train {
			kind = "train"
		}
		fmt.Fprintf(&b, " | graph %s (%s) own %.0f MiB + caches %.0f MiB", g.Shape, kind, g.Buffers, g.Caches)
	}
	fmt.Fprintf(&b, " | total %.0f MiB; resident %.0f MiB (peak %.0f), Go heap %.0f MiB, resident beyond the items %.0f MiB",
		r.total(), r.RSSMB, r.PeakRSSMB, r.HeapMB, r.Unaccounted)
	return b.String()
}

// logMemory prints the breakdown and writes it to metrics.jsonl.
func (t *trainer) logMemory(when string) error {
	r := t.memory(when)
	fmt.Fprintln(t.opt.Log, r)
	return t.metrics.Write(record{Type: "memory", Stage: t.state.Stage + 1, Step: t.state.Step, Memory: &r})
}

// LoopMemory is the real training loop's peak resident memory over a
// few steps at one segment count.
type LoopMemory struct {
	Segments  int     `json:"segments"`
	Steps     int     `json:"steps"`
	PeakRSSMB float64 `json:"peak_rss_mb"`
	Seconds   float64 `json:"seconds"`
}

// MeasureLoop runs the training loop on model (a folder or random:SHAPE)
// for steps steps of batch 1 at segments segments of seg tokens with the
// memory mem (its kind, tokens and d_mem; memorize, full BPTT), validating on one sample and writing
// a checkpoint at the end, under out (without the final table), and
// returns its peak resident size: what a user fine-tuning that model needs.
func MeasureLoop(ctx context.Context, model string, seg int, mem graph.Memory, segments, steps int, out string, log io.Writer) (LoopMemory, error) {
	c := DefaultConfig()
	c.Model, c.SegmentSize = model, seg
	c.Memory, c.MemTokens, c.DMem = mem.Kind, mem.Tokens, mem.DMem
	c.Curriculum, c.StepsPerStage, c.Threshold, c.VarySegments = fmt.Sprint(segments), steps, 0, false
	c.Batch, c.Warmup, c.EvalEvery, c.EvalSamples, c.CheckpointEvery = 1, 0, steps, 1, steps
	c.Out = out
	if err := c.Resolve(); err != nil {
		return LoopMemory{}, err
	}
	t0 := time.Now()
	peak, err := bench.PeakDuring(func() error { return Run(ctx, c, Options{Log: log, NoFinalTable: true}) })
	return LoopMemory{Segments: segments, Steps: steps, PeakRSSMB: peak, Seconds: time.Since(t0).Seconds()}, err
}
