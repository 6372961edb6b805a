package eval

import (
	"runtime"
	"testing"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// heapInuse is the live heap after a full collection.
func heapInuse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// Evaluation must hold one segment's activations and the memory, whatever
// the input length (docs/method.md). These tests read 32 segments,
// take the live heap, read 256 more and take it again. Keeping anything
// per segment would show: the smallest such thing, one memory state
// (M·C float32 = 8·128·4 = 4 KiB), would add 1 MiB over 256 segments; one
// segment's activations are far larger. The bound leaves room for
// allocator noise only.
const (
	warmSegments = 32
	moreSegments = 256
	heapSlack    = 256 << 10
)

func constMemCell(t *testing.T) (*graph.Weights, int, int) {
	t.Helper()
	w, err := graph.RandomWeights(graph.BuiltinConfig(data.ByteVocabSize), 1) // C = 128, 4 layers
	if err != nil {
		t.Fatal(err)
	}
	const M, S = 8, 16
	if err := graph.InitMemory(w, M, 1); err != nil {
		t.Fatal(err)
	}
	return w, M, S
}

// TestStreamHeapFlat covers accuracy: answer streams the prompt through
// graph.Stream, which must keep only the memory and a partial segment.
func TestStreamHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 288 segments")
	}
	w, M, S := constMemCell(t)
	cell, err := graph.NewCell[float32](w, M, S, false)
	if err != nil {
		t.Fatal(err)
	}
	st := cell.NewStream()
	chunk := make([]int, S+S/2) // uneven chunks: a partial segment stays pending
	feed := func(segments int) {
		for st.Segments() < segments {
			for i := range chunk {
				chunk[i] = (st.Segments()*31 + i*7) % data.ByteVocabSize
			}
			if err := st.Feed(chunk); err != nil {
				t.Fatal(err)
			}
			if got := len(st.Memory()); got != M*w.Config.Hidden() {
				t.Fatalf("after %d segments the memory has %d values, want M*C = %d", st.Segments(), got, M*w.Config.Hidden())
			}
		}
	}
	feed(warmSegments)
	before := heapInuse()
	feed(warmSegments + moreSegments)
	after := heapInuse()
	t.Logf("live heap after %d segments %d KiB, after %d segments %d KiB", warmSegments, before>>10, st.Segments(), after>>10)
	if after-before > heapSlack {
		t.Errorf("live heap grew by %d KiB over %d more segments, want at most %d KiB: the stream keeps something per segment",
			(after-before)>>10, moreSegments, heapSlack>>10)
	}
	if _, err := st.Generate([]int{1, 2, 3}, 2, nil); err != nil {
		t.Fatal(err)
	}
}

// TestScorerHeapFlat covers perplexity: the scorer carries only the
// memory from one segment to the next.
func TestScorerHeapFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 288 segments")
	}
	w, M, S := constMemCell(t)
	sc, err := NewSegmentScorer(w, M, S)
	if err != nil {
		t.Fatal(err)
	}
	n := warmSegments + moreSegments
	ids := make([]int, n*S)
	for i := range ids {
		ids[i] = (i*13 + 5) % data.ByteVocabSize
	}
	nll, count := make([]float64, n), make([]int, n)
	var before, after int64
	err = sc.Score(ids, nll, count, func(i int) {
		switch i + 1 {
		case warmSegments:
			before = heapInuse()
		case n:
			after = heapInuse()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("live heap after %d segments %d KiB, after %d segments %d KiB", warmSegments, before>>10, n, after>>10)
	if after-before > heapSlack {
		t.Errorf("live heap grew by %d KiB over %d more segments, want at most %d KiB: scoring keeps something per segment",
			(after-before)>>10, moreSegments, heapSlack>>10)
	}
}
