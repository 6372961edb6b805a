package kernels

import (
	"fmt"
	"runtime"
	"sync/atomic"
)

// spin says whether ParallelFor hands chunks to the spinning helpers.
var spin atomic.Bool

func init() { spin.Store(true) }

// SetThreads makes n the number of threads the kernels compute on: the Go
// scheduler runs n goroutines at once (GOMAXPROCS), ParallelFor, and with it
// every product and attention split, uses n workers, and OpenBLAS is kept at
// one thread per call, since the products are split here, each chunk a
// single-threaded BLAS call on one of the n. The default is the cores the
// process may use (GOMAXPROCS at start, which follows the CPU affinity mask
// and the cgroup's CPU limit). Call it before building graphs: attention
// caches size their scratch by the thread count when built.
func SetThreads(n int) error {
	if n < 1 {
		return fmt.Errorf("kernels: %d threads: want at least 1", n)
	}
	runtime.GOMAXPROCS(n)
	setBLASThreads(1)
	return nil
}

// Threads is the number of threads the kernels compute on (GOMAXPROCS).
func Threads() int { return runtime.GOMAXPROCS(0) }

// SetSpin turns the spinning helpers of ParallelFor on (the default) or off.
// On, a helper polls for its next chunk for about 50 µs before it parks,
// which spares the hundreds of small parallel ops of a training step a
// thread wake-up each; on a machine whose cores are busy with other work the
// polling takes time from that work and from the other threads of this
// process, and off (each parallel op starts goroutines of its own) is
// faster there.
func SetSpin(on bool) { spin.Store(on) }

// Spin reports whether the spinning helpers are on.
func Spin() bool { return spin.Load() }

// opWorkers, when above 0, caps the workers one ParallelFor splits into.
var opWorkers atomic.Int32

// SetOpWorkers caps at n the workers that one ParallelFor call splits its
// work into (0 lifts the cap) and returns the previous cap. A caller that
// keeps every thread busy with work of its own, such as an evaluation
// reading one sample per thread, sets 1: each op then runs whole on the
// goroutine that calls it, with no hand-offs between threads.
func SetOpWorkers(n int) int {
	return int(opWorkers.Swap(int32(max(n, 0))))
}
