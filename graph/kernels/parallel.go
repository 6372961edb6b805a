package kernels

import (
	"runtime"
	"sync"
)

// ParallelFor calls f on disjoint chunks [lo, hi) covering [0, n), one chunk
// per worker, across GOMAXPROCS goroutines. Work smaller than minChunk per
// worker runs on the calling goroutine, since spawning costs more than it saves.
func ParallelFor(n, minChunk int, f func(lo, hi int)) {
	if n <= 0 {
		return
	}
	workers := runtime.GOMAXPROCS(0)
	if minChunk < 1 {
		minChunk = 1
	}
	if w := n / minChunk; w < workers {
		workers = w
	}
	if workers <= 1 {
		f(0, n)
		return
	}
	chunk := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			f(lo, hi)
		}(lo, hi)
	}
	f(0, min(chunk, n))
	wg.Wait()
}
