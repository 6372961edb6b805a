package bench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// BenchResult is one `bench speed` measurement; the JSON names are a stable
// contract.
type BenchResult struct {
	Shape             string  `json:"shape"`
	BLAS              string  `json:"blas"`
	Batch             int     `json:"batch"`
	SegmentTokens     int     `json:"segment_tokens"`
	Memory            string  `json:"memory"`
	DMem              int     `json:"d_mem,omitempty"`
	Features          string  `json:"armt_features,omitempty"`
	MemTokens         int     `json:"mem_tokens"`
	Positions         int     `json:"positions"`
	ForwardMS         float64 `json:"forward_ms"`
	TrainMS           float64 `json:"train_ms"`
	ForwardTokensPerS float64 `json:"forward_tokens_per_s"`
	TrainTokensPerS   float64 `json:"train_tokens_per_s"`
	ForwardGFLOPs     float64 `json:"forward_gflops"`
	TrainGFLOPs       float64 `json:"train_gflops"`
	SgemmPeakGFLOPs   float64 `json:"sgemm_peak_gflops"`
	TrainMFU          float64 `json:"train_mfu"`
	Runs              int     `json:"runs"`
	// PeakRSSMB is the process's highest resident size (MiB) while the
	// timed runs went on: weights, the graph's buffers and the gradients.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	ThreadSetting
}

// ThreadSetting is the thread setting a measurement ran under (see
// kernels.Settings).
type ThreadSetting struct {
	Threads     int  `json:"threads"`      // Go scheduler and kernel workers
	Spin        bool `json:"spin"`         // the kernels' helpers poll for work
	BLASThreads int  `json:"blas_threads"` // threads of one BLAS call
}

// ThreadsOf is the thread setting of cells that split their ops by p
// (nil: the kernels' defaults).
func ThreadsOf(p *kernels.Pool) ThreadSetting {
	return ThreadSetting{Threads: p.Threads(), Spin: p.Spin(), BLASThreads: kernels.BLASThreads()}
}

// CurrentThreads is the thread setting of cells left at the kernels'
// defaults (a nil Cell.Kernels), as the measurements without options run.
func CurrentThreads() ThreadSetting { return ThreadsOf(nil) }

// SgemmPeak measures the best of several 2048x2048x2048 float32 products,
// the yardstick that model FLOPs utilisation is quoted against.
func SgemmPeak(tries int) float64 {
	const n = 2048
	a, b, c := make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)
	for i := range a {
		a[i], b[i] = float32(i%7)-3, float32(i%5)-2
	}
	best := time.Duration(1 << 62)
	for i := 0; i < tries; i++ {
		t0 := time.Now()
		kernels.Gemm(nil, false, false, n, n, n, 1, a, n, b, n, 0, c, n)
		best = min(best, time.Since(t0))
	}
	return 2 * n * n * n / best.Seconds() / 1e9
}

// Bench times one segment of S tokens plus its memory positions (RMT 2M,
// ARMT M with every layer's read and write), batch B, on random weights of
// config c, with the loss on every token: the forward pass alone and
// forward+backward. The segment reads the state a first segment wrote, so
// ARMT's reads and writes take their general path. It reports the best of
// runs after a warm-up, since the machine's other tenants only ever add
// time.
func Bench(name string, c graph.Config, batch, tokens int, mem graph.Memory, runs int) (BenchResult, error) {
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		return BenchResult{}, err
	}
	if err := mem.Init(w, 1); err != nil {
		return BenchResult{}, err
	}
	cell, err := graph.NewMemoryCell[float32](w, mem, tokens, false)
	if err != nil {
		return BenchResult{}, err
	}
	shape := cell.Shape(batch)
	seg, err := graph.NewSegment[float32](w, shape, graph.BuildOptions{Train: true})
	if err != nil {
		return BenchResult{}, err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	n := batch * tokens
	in := &graph.Batch[float32]{IDs: make([]int, n), Targets: make([]int, n), LossWeights: make([]float32, n)}
	for i := range in.IDs {
		in.IDs[i], in.Targets[i], in.LossWeights[i] = rng.IntN(c.VocabSize), rng.IntN(c.VocabSize), 1/float32(n)
	}
	first, err := seg.Forward(in, cell.InitialMemory(batch))
	if err != nil {
		return BenchResult{}, err
	}
	memory := first.MemOut
	grads := make([][]float32, seg.NumParams())
	fwd, train := make([]time.Duration, 0, runs), make([]time.Duration, 0, runs)
	rss := StartPeak()
	for i := 0; i <= runs; i++ {
		t0 := time.Now()
		if _, err := seg.Forward(in, memory); err != nil {
			return BenchResult{}, err
		}
		t1 := time.Now()
		if _, _, err := seg.Backward(in, memory, nil, grads); err != nil {
			return BenchResult{}, err
		}
		if i > 0 { // the first run warms caches and the allocator
			fwd, train = append(fwd, t1.Sub(t0)), append(train, time.Since(t1))
		}
	}
	peakRSS := rss.Done()
	peak := SgemmPeak(5)
	f, t := slices.Min(fwd).Seconds(), slices.Min(train).Seconds()
	flops := float64(batch) * SegmentForwardFLOPs(c, shape.Positions(), tokens)
	r := BenchResult{
		ThreadSetting: CurrentThreads(),
		Shape:         name, BLAS: kernels.BLASName, Batch: batch, SegmentTokens: tokens, Memory: mem.Kind, DMem: mem.DMem, Features: mem.ARMTFeatures(), MemTokens: mem.Tokens, Positions: shape.Positions(),
		ForwardMS: f * 1e3, TrainMS: t * 1e3,
		ForwardTokensPerS: float64(n) / f, TrainTokensPerS: float64(n) / t,
		ForwardGFLOPs: flops / f / 1e9, TrainGFLOPs: 3 * flops / t / 1e9,
		SgemmPeakGFLOPs: peak, Runs: runs, PeakRSSMB: peakRSS,
	}
	r.TrainMFU = r.TrainGFLOPs / peak
	return r, nil
}

// String is the human-readable report.
func (r BenchResult) String() string {
	memory := fmt.Sprintf("2x%d memory", r.MemTokens)
	if r.Memory == graph.KindARMT {
		memory = fmt.Sprintf("%d armt memory (d_mem %d, %s)", r.MemTokens, r.DMem, r.Features)
	}
	return fmt.Sprintf("shape %s | batch %d | %d tokens + %s = %d positions | BLAS %s | %d threads, spin %v\n"+
		"forward        %8.1f ms | %9.0f tok/s | %6.1f GFLOP/s\n"+
		"forward+backward %6.1f ms | %9.0f tok/s | %6.1f GFLOP/s\n"+
		"sgemm peak (2048^3, best of 5, this run) %.1f GFLOP/s | train MFU %.1f%%  (best of %d runs)\n"+
		"peak resident memory while timed: %.0f MiB",
		r.Shape, r.Batch, r.SegmentTokens, memory, r.Positions, r.BLAS, r.Threads, r.Spin,
		r.ForwardMS, r.ForwardTokensPerS, r.ForwardGFLOPs,
		r.TrainMS, r.TrainTokensPerS, r.TrainGFLOPs,
		r.SgemmPeakGFLOPs, 100*r.TrainMFU, r.Runs, r.PeakRSSMB)
}
