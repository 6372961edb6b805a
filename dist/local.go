//go:build !mpi

package dist

import (
	"fmt"
	"os"
	"strconv"
)

// Comm is the job's processes. This build is one process (build with
// -tags mpi for more).
type Comm struct{ rank, size int }

// launchVars are the variables that MPI launchers set to the job's process
// count: Open MPI's mpirun, and MPICH's Hydra (also under Slurm).
var launchVars = []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"}

// Init is the one process of this build. It fails when a launcher started
// this binary as one of several processes.
func Init() (*Comm, error) {
	for _, v := range launchVars {
		if n, err := strconv.Atoi(os.Getenv(v)); err == nil && n > 1 {
			return nil, fmt.Errorf("dist: started as one of %d MPI processes (%s=%d), but this binary was built without MPI, so each would run the whole job alone; rebuild with -tags mpi, or run one process", n, v, n)
		}
	}
	return &Comm{size: 1}, nil
}

// Finalize ends the job's communication (nothing to do for one process).
func (c *Comm) Finalize() {}

// The collectives of one process never get here (Size is 1).
func (c *Comm) sum32([]float32) error            { return errOne }
func (c *Comm) sum64([]float64) error            { return errOne }
func (c *Comm) allGatherBytes(_, _ []byte) error { return errOne }
func (c *Comm) barrier() error                   { return errOne }

var errOne = fmt.Errorf("dist: a collective in a one-process build")
