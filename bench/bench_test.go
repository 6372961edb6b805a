package bench

import (
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
)

// BenchmarkSegmentStories260K is one forward+backward segment of the
// stories260K shape (512 tokens, 2x16 memory), for profiling:
//
//	go test -run=^$ -bench=Stories -cpuprofile cpu.prof ./eval/
func BenchmarkSegmentStories260K(b *testing.B) {
	benchSegment(b, "stories260K", graph.Memory{Kind: graph.KindRMT, Tokens: 16})
}

func benchSegment(b *testing.B, shape string, mem graph.Memory) {
	r, err := Bench(shape, benchShape(shape), 1, 512, mem, b.N)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(r.TrainMS, "train_ms")
	b.ReportMetric(r.ForwardMS, "fwd_ms")
}

// BenchmarkSegmentGPT2Small is one forward+backward segment of the
// gpt2-small shape, for profiling.
func BenchmarkSegmentGPT2Small(b *testing.B) {
	benchSegment(b, "gpt2-small", graph.Memory{Kind: graph.KindRMT, Tokens: 16})
}

// BenchmarkSegmentStories260KARMT is BenchmarkSegmentStories260K with the
// associative memory (16 memory rows, d_mem 16).
func BenchmarkSegmentStories260KARMT(b *testing.B) {
	benchSegment(b, "stories260K", graph.Memory{Kind: graph.KindARMT, Tokens: 16, DMem: 16})
}

// benchShape is the named model shape (checkpoints.Shape).
func benchShape(name string) graph.Config {
	c, _ := checkpoints.Shape(name)
	return c
}
