package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// TrainScalingRow is one training step over n segments.
type TrainScalingRow struct {
	Segments          int     `json:"segments"`
	StepMS            float64 `json:"step_ms"`
	MSPerSegment      float64 `json:"ms_per_segment"`
	RatioToOneSegment float64 `json:"ratio_to_one_segment_train"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`    // sampled during the steps, garbage included
	SettledRSSMB      float64 `json:"settled_rss_mb"` // after the steps and a GC
	HeapMB            float64 `json:"heap_mb"`        // live Go heap after the steps and a GC
}

// StreamScaling is streaming inference over a long input.
type StreamScaling struct {
	Tokens          int     `json:"tokens"`
	Segments        int     `json:"segments"`
	FirstUSPerToken float64 `json:"first_us_per_token"` // median segment of the first window
	LastUSPerToken  float64 `json:"last_us_per_token"`  // median segment of the last window
	Window          int     `json:"window"`
	RSSStartMB      float64 `json:"rss_start_mb"` // settled (after GC), after the first window
	RSSEndMB        float64 `json:"rss_end_mb"`   // settled, at the end
	HeapStartMB     float64 `json:"heap_start_mb"`
	HeapEndMB       float64 `json:"heap_end_mb"`
	Seconds         float64 `json:"seconds"`
}

// Scaling is the report of `bench scaling`.
type Scaling struct {
	Shape        string            `json:"shape"`
	SegmentSize  int               `json:"segment_size"`
	MemTokens    int               `json:"mem_tokens"`
	OneSegmentMS float64           `json:"one_segment_train_ms"` // forward+backward of one segment
	Train        []TrainScalingRow `json:"train"`
	Stream       *StreamScaling    `json:"stream,omitempty"`
	ThreadSetting
}

func randomRow(rng *rand.Rand, n, vocab int) []int {
	row := make([]int, n)
	for i := range row {
		row[i] = rng.IntN(vocab)
	}
	return row
}

// TrainScaling times a full-BPTT training step (language-model loss on every
// token, so every segment is replayed) over each segment count, with the
// peak resident memory of each step. Time per segment should stay near
// (forward + forward+backward) / forward+backward of one segment, and the
// peak flat, since only the memory states grow with the count.
func TrainScaling(w *graph.Weights, seg, mem int, counts []int, progress func(string)) (*Scaling, error) {
	return TrainScalingWith(w, seg, mem, counts, ScalingOptions{Timed: 3}, progress)
}

// ScalingOptions tune TrainScalingWith.
type ScalingOptions struct {
	// Timed is the number of timed steps per count after a warm-up; 0
	// skips both and times the one step whose peak RSS is measured.
	Timed int
	// KeepEvery is graph.Cell.KeepEvery (0: the cell's default).
	KeepEvery int
	// Kernels is how the ops split their work (the cells' Kernels; the
	// zero value: the kernels' defaults).
	Kernels kernels.Settings
}

// TrainScalingWith is TrainScaling with the number of timed runs and the
// states the replay keeps chosen.
func TrainScalingWith(w *graph.Weights, seg, mem int, counts []int, opt ScalingOptions, progress func(string)) (*Scaling, error) {
	cell, err := graph.NewCell[float32](w, mem, seg, true)
	if err != nil {
		return nil, err
	}
	kern, err := kernels.NewPool(opt.Kernels)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	cell.KeepEvery, cell.Kernels = opt.KeepEvery, kern
	rng := rand.New(rand.NewPCG(3, 4))
	// One segment's forward+backward alone, the yardstick.
	one, err := graph.NewSegment[float32](w, cell.Shape(1), graph.BuildOptions{Train: true, Kernels: kern})
	if err != nil {
		return nil, err
	}
	b := &graph.Batch[float32]{IDs: randomRow(rng, seg, w.Config.VocabSize), Targets: randomRow(rng, seg, w.Config.VocabSize), LossWeights: make([]float32, seg)}
	for i := range b.LossWeights {
		b.LossWeights[i] = 1 / float32(seg)
	}
	grads := make([][]float32, one.NumParams())
	var oneBest time.Duration = 1 << 62
	// From the state a first segment wrote: ARMT's general read and write.
	first, err := one.Forward(b, cell.InitialMemory(1))
	if err != nil {
		return nil, err
	}
	for i := 0; i < 4; i++ {
		t0 := time.Now()
		if _, _, err := one.Backward(b, first.MemOut, nil, grads); err != nil {
			return nil, err
		}
		if i > 0 {
			oneBest = min(oneBest, time.Since(t0))
		}
	}
	out := &Scaling{SegmentSize: seg, MemTokens: mem, OneSegmentMS: ms(oneBest), ThreadSetting: ThreadsOf(kern)}
	for _, n := range counts {
		seq := graph.Sequence{IDs: [][]int{randomRow(rng, n*seg, w.Config.VocabSize)}}
		if opt.Timed > 0 {
			if _, err := cell.Gradients(seq, -1); err != nil { // warm-up
				return nil, err
			}
		}
		// Timed runs first, then one run under the resident-size sampler:
		// the sampler starts by returning freed pages to the system, and
		// faulting them back in would be timed too.
		best := time.Duration(1 << 62)
		for r := 0; r < opt.Timed; r++ {
			t0 := time.Now()
			if _, err := cell.Gradients(seq, -1); err != nil {
				return nil, err
			}
			best = min(best, time.Since(t0))
		}
		p := StartPeak()
		t0 := time.Now()
		if _, err := cell.Gradients(seq, -1); err != nil {
			p.Done()
			return nil, err
		}
		if opt.Timed == 0 {
			best = time.Since(t0)
		}
		peak := p.Done()
		row := TrainScalingRow{Segments: n, StepMS: ms(best), MSPerSegment: ms(best) / float64(n), PeakRSSMB: peak}
		row.SettledRSSMB, row.HeapMB = SettledMB()
		row.RatioToOneSegment = row.MSPerSegment / out.OneSegmentMS
		out.Train = append(out.Train, row)
		if progress != nil {
			progress(fmt.Sprintf("train step over %d segments: %.1f ms/segment, peak RSS %.0f MiB", n, row.MSPerSegment, peak))
		}
	}
	return out, nil
}

// StreamTokens feeds `segments` random segments through a memory stream and
// times the first and last `window` segments.
func StreamTokens(w *graph.Weights, seg, mem, segments, window int, progress func(string)) (*StreamScaling, error) {
	cell, err := graph.NewCell[float32](w, mem, seg, false)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(5, 6))
	// Warm up on a throwaway stream of one window: compiling the graph, the
	// heap growing to its working size and the first collections would
	// otherwise all land in the first window and flatter the last.
	st := cell.NewStream()
	if err := st.Feed(randomRow(rng, window*seg, w.Config.VocabSize)); err != nil {
		return nil, err
	}
	st = cell.NewStream()
	out := &StreamScaling{Tokens: segments * seg, Segments: segments, Window: window}
	chunk := randomRow(rng, seg, w.Config.VocabSize)
	var first, last []time.Duration
	start := time.Now()
	for i := 0; i < segments; i++ {
		chunk[i%seg] = rng.IntN(w.Config.VocabSize)
		t0 := time.Now()
		if err := st.Feed(chunk); err != nil {
			return nil, err
		}
		d := time.Since(t0)
		if i < window {
			first = append(first, d)
		}
		if i >= segments-window {
			last = append(last, d)
		}
		if i == window-1 {
			out.RSSStartMB, out.HeapStartMB = SettledMB()
		}
		if progress != nil && (i+1)%256 == 0 {
			el := time.Since(start)
			progress(fmt.Sprintf("streamed %d/%d segments (%d tokens), %.0f tok/s, RSS %.0f MiB, ~%s left",
				i+1, segments, (i+1)*seg, float64((i+1)*seg)/el.Seconds(), ResidentMB(),
				(time.Duration(float64(el) / float64(i+1) * float64(segments-i-1))).Round(time.Second)))
		}
	}
	out.Seconds = time.Since(start).Seconds()
	out.RSSEndMB, out.HeapEndMB = SettledMB()
	runtime.KeepAlive(st) // measured while the stream (its graphs and memory) is live
	// The median segment of each window: a neighbour's burst on the shared
	// cores should not decide whether time per token stayed flat.
	out.FirstUSPerToken = float64(median(first).Nanoseconds()) / 1e3 / float64(seg)
	out.LastUSPerToken = float64(median(last).Nanoseconds()) / 1e3 / float64(seg)
	return out, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 }

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
