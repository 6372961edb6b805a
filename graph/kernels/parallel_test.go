package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// ParallelFor covers [0, n) exactly once in at most GOMAXPROCS chunks, also
// when called from inside a chunk (the helpers are busy, so the nested call
// starts goroutines of its own) and from several goroutines at once.
func TestParallelForCoversOnce(t *testing.T) {
	check := func(n, minChunk int) {
		hits := make([]atomic.Int32, n)
		var calls atomic.Int32
		nilPool.For(n, minChunk, func(lo, hi int) {
			calls.Add(1)
			for i := lo; i < hi; i++ {
				hits[i].Add(1)
			}
		})
		for i := range hits {
			if h := hits[i].Load(); h != 1 {
				t.Errorf("n %d minChunk %d: index %d covered %d times", n, minChunk, i, h)
				return
			}
		}
		if c := int(calls.Load()); n > 0 && (c < 1 || c > runtime.GOMAXPROCS(0)) {
			t.Errorf("n %d: %d chunks, want 1..GOMAXPROCS", n, c)
		}
	}
	for _, n := range []int{0, 1, 2, 3, 7, 64, 1000} {
		for _, mc := range []int{1, 4, 100} {
			check(n, mc)
		}
	}
	// Nested: every outer chunk runs a full inner loop.
	var inner atomic.Int64
	nilPool.For(8, 1, func(lo, hi int) {
		for range hi - lo {
			nilPool.For(100, 1, func(lo, hi int) { inner.Add(int64(hi - lo)) })
		}
	})
	if got := inner.Load(); got != 800 {
		t.Fatalf("nested calls covered %d indices, want 800", got)
	}
	// Concurrent callers.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 50 {
				check(37+g+r, 1)
			}
		}()
	}
	wg.Wait()
}
