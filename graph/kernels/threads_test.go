package kernels

import (
	"runtime"
	"sync/atomic"
	"testing"
)

// SetThreads reaches the scheduler, ParallelFor's worker count and BLAS
// (one thread per call: products are split here), and SetSpin(false) keeps
// ParallelFor away from the helpers while it still covers every index once.
func TestSetThreadsReachesKernels(t *testing.T) {
	before := Threads()
	t.Cleanup(func() {
		if err := SetThreads(before); err != nil {
			t.Fatal(err)
		}
		SetSpin(true)
	})
	if err := SetThreads(0); err == nil {
		t.Errorf("SetThreads(0) = nil, want an error")
	}
	for _, n := range []int{1, 3, 5} {
		for _, on := range []bool{true, false} {
			if err := SetThreads(n); err != nil {
				t.Fatalf("SetThreads(%d) = %v", n, err)
			}
			SetSpin(on)
			if got := runtime.GOMAXPROCS(0); got != n || Threads() != n {
				t.Errorf("SetThreads(%d): GOMAXPROCS %d, Threads %d, want %d", n, got, Threads(), n)
			}
			if got := BLASThreads(); got != 1 {
				t.Errorf("SetThreads(%d): BLASThreads() = %d, want 1", n, got)
			}
			if Spin() != on {
				t.Errorf("SetSpin(%v): Spin() = %v", on, Spin())
			}
			helpers := len(thePool.helpers)
			hits := make([]atomic.Int32, 1000)
			var chunks atomic.Int32
			ParallelFor(len(hits), 1, func(lo, hi int) {
				chunks.Add(1)
				for i := lo; i < hi; i++ {
					hits[i].Add(1)
				}
			})
			if c := int(chunks.Load()); c != n {
				t.Errorf("threads %d, spin %v: ParallelFor ran %d chunks, want %d", n, on, c, n)
			}
			for i := range hits {
				if h := hits[i].Load(); h != 1 {
					t.Fatalf("threads %d, spin %v: index %d covered %d times", n, on, i, h)
				}
			}
			thePool.mu.Lock()
			grown := len(thePool.helpers)
			thePool.mu.Unlock()
			if !on && grown != helpers {
				t.Errorf("threads %d, spin off: the helper pool grew from %d to %d", n, helpers, grown)
			}
			if on && grown < n-1 {
				t.Errorf("threads %d, spin on: %d helpers, want at least %d", n, grown, n-1)
			}
		}
	}
}
