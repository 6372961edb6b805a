//go:build mpi

package dist

import (
	"fmt"
	"runtime"

	"cogentcore.org/lab/base/mpi"
)

// Comm is the job's processes: MPI's world communicator.
type Comm struct {
	rank, size int
	world      *mpi.Comm
}

func init() {
	// MPI is initialised in single-thread mode: every call comes from the
	// thread that called MPI_Init, so main's goroutine stays on it.
	runtime.LockOSThread()
}

// Init initialises MPI (once per process) and returns the world
// communicator. Started without mpirun, it is a job of one process.
func Init() (*Comm, error) {
	if !mpi.IsOn() {
		mpi.LogErrors = false
		mpi.Init()
	}
	w, err := mpi.NewComm(nil)
	if err != nil {
		return nil, fmt.Errorf("dist: MPI world communicator: %w", err)
	}
	return &Comm{rank: w.Rank(), size: w.Size(), world: w}, nil
}

// Finalize ends MPI; call it once, after the last collective.
func (c *Comm) Finalize() { mpi.Finalize() }

func (c *Comm) sum32(buf []float32) error { return c.world.AllReduceF32(mpi.OpSum, buf, nil) }
func (c *Comm) sum64(buf []float64) error { return c.world.AllReduceF64(mpi.OpSum, buf, nil) }
func (c *Comm) barrier() error            { return c.world.Barrier() }
func (c *Comm) allGatherBytes(dst, src []byte) error {
	return c.world.AllGatherU8(dst, src)
}
