package kernels

import (
	"fmt"
	"runtime"
)

// Settings say how the kernels split their work. The zero value is the
// default: as many workers as the Go scheduler runs goroutines at once,
// spinning helpers on.
type Settings struct {
	// Threads is the number of workers one op may split into; 0 takes
	// runtime.GOMAXPROCS when the Pool is made (the cores the process may
	// use, which follows the CPU affinity mask and the cgroup's CPU limit).
	Threads int
	// OpWorkers, when above 0, caps the workers of one op below Threads. A
	// caller that keeps every thread busy with work of its own, such as an
	// evaluation reading one sample per thread, sets 1: each op then runs
	// whole on the goroutine that calls it, with no hand-offs.
	OpWorkers int
	// NoSpin parks the helpers between ops instead of letting them poll
	// for their next chunk for about 50 µs. Polling spares the hundreds of
	// small parallel ops of a training step a thread wake-up each; on a
	// machine whose cores are busy with other work it takes time from that
	// work and from this process's other threads, and parking is faster.
	NoSpin bool
}

// Pool is one set of Settings, checked, for the kernels to split their
// work by. It never changes once made, so one Pool may serve any number of
// goroutines, and two Pools in one process do not see each other's
// settings: a graph.Cell holds one and hands it to the ops it builds, which
// pass it to every kernel they call. A nil *Pool is the zero Settings read
// at each call (GOMAXPROCS workers, spinning helpers).
//
// The helper goroutines behind For are shared by every Pool (one op at a
// time uses them; an op that finds them busy starts goroutines of its own),
// which is a mechanism, not a setting: no Pool's results or settings depend
// on another's.
//
// OpenBLAS's own thread count is the one process-wide setting, because the
// C library keeps it for the whole process: NewPool sets it to 1, as every
// Pool wants it (the products are split here, each chunk a single-threaded
// BLAS call), so no Pool can disagree with another about it.
type Pool struct {
	threads, opWorkers int
	spin               bool
	split              int // workers one op splits into: threads, capped by opWorkers
}

// NewPool checks s and makes its Pool.
func NewPool(s Settings) (*Pool, error) {
	if s.Threads < 0 {
		return nil, fmt.Errorf("kernels: %d threads: want at least 1 (0: the cores available)", s.Threads)
	}
	if s.OpWorkers < 0 {
		return nil, fmt.Errorf("kernels: %d op workers: want at least 0 (0: no cap)", s.OpWorkers)
	}
	p := &Pool{threads: s.Threads, opWorkers: s.OpWorkers, spin: !s.NoSpin}
	if p.threads == 0 {
		p.threads = runtime.GOMAXPROCS(0)
	}
	p.split = p.threads
	if p.opWorkers > 0 && p.opWorkers < p.split {
		p.split = p.opWorkers
	}
	setBLASThreads(1)
	return p, nil
}

// Pool is NewPool(s): for callers that hold a Settings without importing
// this package (a command and its flags).
func (s Settings) Pool() (*Pool, error) { return NewPool(s) }

// Settings are the settings p was made from, with Threads filled in.
func (p *Pool) Settings() Settings {
	return Settings{Threads: p.Threads(), OpWorkers: p.OpWorkers(), NoSpin: !p.Spin()}
}

// WithOpWorkers is a Pool of p's settings with op workers capped at n
// (0: no cap).
func (p *Pool) WithOpWorkers(n int) (*Pool, error) {
	s := p.Settings()
	s.OpWorkers = n
	return NewPool(s)
}

// Threads is the number of workers one op may split into.
func (p *Pool) Threads() int {
	if p == nil {
		return runtime.GOMAXPROCS(0)
	}
	return p.threads
}

// OpWorkers is the cap on one op's workers (0: none).
func (p *Pool) OpWorkers() int {
	if p == nil {
		return 0
	}
	return p.opWorkers
}

// Spin reports whether the spinning helpers are on.
func (p *Pool) Spin() bool { return p == nil || p.spin }

// Workers is the number of workers one op splits into: Threads, capped by
// OpWorkers.
func (p *Pool) Workers() int {
	if p == nil {
		return runtime.GOMAXPROCS(0)
	}
	return p.split
}
