package kernels

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// nilPool is the default settings, as the tests of single kernels use them.
var nilPool *Pool

// chunksOf runs p.For over 1000 indices and reports the chunks it ran,
// failing t unless every index is covered exactly once.
func chunksOf(t *testing.T, p *Pool) int {
	t.Helper()
	hits := make([]atomic.Int32, 1000)
	var chunks atomic.Int32
	p.For(len(hits), 1, func(lo, hi int) {
		chunks.Add(1)
		for i := lo; i < hi; i++ {
			hits[i].Add(1)
		}
	})
	for i := range hits {
		if h := hits[i].Load(); h != 1 {
			t.Fatalf("%+v: index %d covered %d times", p.Settings(), i, h)
		}
	}
	return int(chunks.Load())
}

// A Pool splits an op into Threads workers, capped by OpWorkers, keeps
// OpenBLAS at one thread per call (products are split here), and with
// NoSpin keeps away from the helpers while it still covers every index
// once. Bad settings are refused, and the zero Settings follow GOMAXPROCS.
func TestPoolSplitsBySettings(t *testing.T) {
	for _, s := range []Settings{{Threads: -1}, {OpWorkers: -2}} {
		if _, err := NewPool(s); err == nil {
			t.Errorf("NewPool(%+v) = nil error, want one", s)
		}
	}
	if p, err := NewPool(Settings{}); err != nil || p.Threads() != runtime.GOMAXPROCS(0) || !p.Spin() || p.OpWorkers() != 0 {
		t.Errorf("NewPool(zero) = %+v, %v: want GOMAXPROCS threads, spin, no cap", p.Settings(), err)
	}
	if nilPool.Workers() != runtime.GOMAXPROCS(0) || !nilPool.Spin() {
		t.Errorf("nil pool: %d workers, spin %v; want GOMAXPROCS and spin", nilPool.Workers(), nilPool.Spin())
	}
	for _, n := range []int{1, 3, 5} {
		for _, cap := range []int{0, 2} {
			for _, noSpin := range []bool{false, true} {
				s := Settings{Threads: n, OpWorkers: cap, NoSpin: noSpin}
				p, err := NewPool(s)
				if err != nil {
					t.Fatalf("NewPool(%+v) = %v", s, err)
				}
				if got := p.Settings(); got != s {
					t.Errorf("NewPool(%+v).Settings() = %+v", s, got)
				}
				if got := BLASThreads(); got != 1 {
					t.Errorf("NewPool(%+v): BLASThreads() = %d, want 1", s, got)
				}
				want := n
				if cap > 0 && cap < n {
					want = cap
				}
				theHelpers.mu.Lock()
				helpers := len(theHelpers.helpers)
				theHelpers.mu.Unlock()
				if c := chunksOf(t, p); c != want || p.Workers() != want {
					t.Errorf("%+v: For ran %d chunks, Workers %d, want %d", s, c, p.Workers(), want)
				}
				theHelpers.mu.Lock()
				grown := len(theHelpers.helpers)
				theHelpers.mu.Unlock()
				if noSpin && grown != helpers {
					t.Errorf("%+v: the helper pool grew from %d to %d", s, helpers, grown)
				}
				if !noSpin && grown < want-1 {
					t.Errorf("%+v: %d helpers, want at least %d", s, grown, want-1)
				}
			}
		}
	}
}

// Two Pools used at once from two goroutines each split by their own
// settings: neither sees the other's thread count, cap or spin.
func TestPoolsDoNotInterfere(t *testing.T) {
	a, err := NewPool(Settings{Threads: 4, NoSpin: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewPool(Settings{Threads: 4, OpWorkers: 1})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for _, c := range []struct {
		p    *Pool
		want int
	}{{a, 4}, {b, 1}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if got := chunksOf(t, c.p); got != c.want {
					t.Errorf("%+v: %d chunks, want %d", c.p.Settings(), got, c.want)
					return
				}
			}
		}()
	}
	wg.Wait()
	if a.Workers() != 4 || a.Spin() || b.Workers() != 1 || !b.Spin() {
		t.Errorf("after running: a %+v, b %+v", a.Settings(), b.Settings())
	}
	c, err := a.WithOpWorkers(2)
	if err != nil || c.Workers() != 2 || a.Workers() != 4 || c.Spin() {
		t.Errorf("a.WithOpWorkers(2) = %+v (%v), a now %+v: want a copy capped at 2, a unchanged", c.Settings(), err, a.Settings())
	}
}
