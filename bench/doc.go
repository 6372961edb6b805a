// Package bench measures speed and memory rather than model quality: a
// segment's forward and training time against the in-run sgemm peak
// (Bench), step time and memory against segment count (TrainScaling,
// StreamTokens), the reading speed of RMT and ARMT streams
// (CompareStreams), FLOPs of a memory model against full attention
// (CompareFLOPs), and the resident memory of the process while something
// runs (PeakDuring). The developer command cmd/bench (speed, dp, scaling,
// flops, stream) prints them.
//
//	r, err := bench.Bench("stories260K", cfg, 1, 512, graph.Memory{Kind: graph.KindRMT, Tokens: 16}, 5)
//	f, err := bench.CompareFLOPs(cfg, 512, 10, 2048000, bench.AttentionFull)
package bench
