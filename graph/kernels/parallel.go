package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// For calls f on disjoint chunks [lo, hi) covering [0, n), one chunk per
// worker, across p.Workers() goroutines. Work smaller than minChunk per
// worker runs on the calling goroutine, since spawning costs more than it saves.
//
// The chunks go to a pool of helper goroutines that spin for a short while
// after each chunk before they park: a training step is hundreds of small
// parallel ops in a row (a stories260K-sized op takes tens of microseconds),
// and waking a parked thread for each would cost several microseconds per
// op. A call made while the pool is busy (from inside a chunk, or from
// another goroutine), or any call of a Pool with spinning off (NoSpin),
// starts goroutines of its own instead. p is read once per call.
func (p *Pool) For(n, minChunk int, f func(lo, hi int)) {
	if n <= 0 {
		return
	}
	workers, spin := runtime.GOMAXPROCS(0), true
	if p != nil {
		workers, spin = p.split, p.spin
	}
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
	if spin && theHelpers.run(n, chunk, f) {
		return
	}
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

// spinRounds bounds how long an idle helper polls for its next chunk
// before it parks (each round is a load and, every spinYield rounds, a
// Gosched): on the order of 50 microseconds.
const (
	spinRounds = 1 << 14
	spinYield  = 64
)

// Helper states.
const (
	helperIdle   = iota // waiting for a chunk
	helperWork          // a chunk is assigned
	helperDone          // the chunk is finished
	helperParked        // idle and blocked on wake
)

type helper struct {
	state  atomic.Int32
	f      func(lo, hi int)
	lo, hi int
	wake   chan struct{}
}

// helperPool is the helper goroutines every Pool shares: a mechanism, not a
// setting (see Pool).
type helperPool struct {
	mu      sync.Mutex // one For at a time uses the helpers
	helpers []*helper  // started as first needed, never more than the largest split less one
}

var theHelpers helperPool

// run hands the chunks after the first to helpers, runs the first, and
// waits. It reports false, doing nothing, when the helpers are busy.
func (p *helperPool) run(n, chunk int, f func(lo, hi int)) bool {
	if !p.mu.TryLock() {
		return false
	}
	defer p.mu.Unlock()
	extra := (n+chunk-1)/chunk - 1
	for len(p.helpers) < extra {
		h := &helper{wake: make(chan struct{}, 1)}
		p.helpers = append(p.helpers, h)
		go h.loop()
	}
	hs := p.helpers[:extra]
	for i, h := range hs {
		lo := (i + 1) * chunk
		h.f, h.lo, h.hi = f, lo, min(lo+chunk, n)
		if h.state.Swap(helperWork) == helperParked {
			h.wake <- struct{}{}
		}
	}
	f(0, min(chunk, n))
	for _, h := range hs {
		for i := 0; h.state.Load() != helperDone; i++ {
			if i%spinYield == spinYield-1 {
				runtime.Gosched()
			}
		}
		h.f = nil
		h.state.Store(helperIdle)
	}
	return true
}

func (h *helper) loop() {
	for {
		for i := 0; ; i++ {
			if h.state.Load() == helperWork {
				break
			}
			if i == spinRounds {
				// Park, unless a chunk came in the meantime.
				if h.state.CompareAndSwap(helperIdle, helperParked) {
					<-h.wake
				}
				break
			}
			if i%spinYield == spinYield-1 {
				runtime.Gosched()
			}
		}
		if h.state.Load() != helperWork {
			continue
		}
		h.f(h.lo, h.hi)
		h.state.Store(helperDone)
	}
}
