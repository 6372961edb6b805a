//go:build !mpi

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusesMPILaunch: this build, started by mpirun as one of several
// processes, fails before any work with an error that says how to build
// for MPI, and creates no run directory.
func TestRefusesMPILaunch(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	t.Setenv("OMPI_COMM_WORLD_SIZE", "2")
	_, err := start(append(tinyRun, "--out", out))
	if err == nil || !strings.Contains(err.Error(), "-tags mpi") {
		t.Fatalf("start under mpirun without MPI: %v, want an error naming -tags mpi", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--out %s exists after the refusal (%v)", out, err)
	}
}
