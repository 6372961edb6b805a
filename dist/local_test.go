//go:build !mpi

package dist

import (
	"strings"
	"testing"
)

// TestInitRefusesLaunchers: a binary without MPI started by mpirun (Open
// MPI) or Hydra (MPICH) as one of several processes refuses to start;
// one process, or none of the variables, starts.
func TestInitRefusesLaunchers(t *testing.T) {
	for _, tc := range []struct {
		name, key, value string
		fail             bool
	}{
		{"open mpi, 2 processes", "OMPI_COMM_WORLD_SIZE", "2", true},
		{"mpich, 4 processes", "PMI_SIZE", "4", true},
		{"open mpi, 1 process", "OMPI_COMM_WORLD_SIZE", "1", false},
		{"no launcher", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, v := range launchVars {
				t.Setenv(v, "")
			}
			if tc.key != "" {
				t.Setenv(tc.key, tc.value)
			}
			c, err := Init()
			if tc.fail {
				if err == nil || !strings.Contains(err.Error(), "-tags mpi") || !strings.Contains(err.Error(), tc.key) {
					t.Errorf("Init() with %s=%s: %v, want an error naming the variable and -tags mpi", tc.key, tc.value, err)
				}
				return
			}
			if err != nil || c.Size() != 1 || c.Rank() != 0 {
				t.Errorf("Init() = rank %d of %d, %v; want rank 0 of 1", c.Rank(), c.Size(), err)
			}
		})
	}
}
