//go:build mpi

package main

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rmtgo/rmt/internal/testutil"
	"github.com/rmtgo/rmt/train"
)

// onRanks builds this command with -tags mpi and runs it as np processes
// under mpirun; it returns stdout, stderr and the job's error.
func onRanks(t *testing.T, np int, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := testutil.MPIRun(t, np) // skips without mpirun
	bin := filepath.Join(t.TempDir(), "rmt-bench")
	if out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", "mpi", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build -tags mpi: %v\n%s", err, out)
	}
	cmd.Args = append(append(cmd.Args, bin), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// TestDPOnTwoRanks: bench dp over 2 ranks times the step of the whole
// batch split between them, and rank 0 alone prints the report; a command
// that runs in one process refuses to be one of several.
func TestDPOnTwoRanks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command and runs it under mpirun")
	}
	stdout, stderr, err := onRanks(t, 2, "dp", "--batch", "2", "--segment-size", "16", "--mem-tokens", "2", "--steps", "1", "--threads", "1", "--json")
	if err != nil {
		t.Fatalf("mpirun -np 2 bench dp: %v\n%s", err, stderr)
	}
	var r train.DataParallelBench
	if err := json.Unmarshal(stdout, &r); err != nil {
		t.Fatalf("2 ranks printed %q: %v (want one JSON document, from rank 0)", stdout, err)
	}
	if r.Ranks != 2 || r.GlobalBatch != 2 || r.Steps != 1 || r.StepMS <= 0 || r.AllreduceBytes != 4*int64(r.Params) {
		t.Errorf("report %+v, want 2 ranks, batch 2, 1 step, a positive step time and 4 bytes a parameter reduced", r)
	}
	_, stderr, err = onRanks(t, 2, "flops", "--layers", "2", "--hidden", "64", "--ffn", "128", "--vocab", "100")
	if want := "runs in one process; of the commands, dp share"; err == nil || !bytes.Contains(stderr, []byte(want)) {
		t.Errorf("bench flops on 2 ranks: %v\n%s\nwant a failure saying %q", err, stderr, want)
	}
}
