//go:build !mpi

package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefusesMPILaunch: this build, started by mpirun as one of several
// processes, fails before any work with an error that says how to build
// for MPI, and creates no run directory.
func TestRefusesMPILaunch(t *testing.T) {
	bin := buildTrain(t)
	out := filepath.Join(t.TempDir(), "run")
	cmd := exec.Command(bin, append(tinyRun, "--out", out)...)
	cmd.Env = append(os.Environ(), "OMPI_COMM_WORLD_SIZE=2", "OMPI_COMM_WORLD_RANK=0")
	msg, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("train started under mpirun without MPI:\n%s", msg)
	}
	if !strings.Contains(string(msg), "-tags mpi") || strings.Contains(string(msg), "config:") {
		t.Errorf("train said:\n%s\nwant an error naming -tags mpi before the config is printed", msg)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("--out %s exists after the refusal (%v)", out, err)
	}
}
