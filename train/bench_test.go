package train

import (
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
)

// TestBenchDataParallelOneProcess: the benchmark runs its steps in one
// process and reports a step made of its parts, no allreduce, and the
// tokens of the global batch over the step.
func TestBenchDataParallelOneProcess(t *testing.T) {
	r, err := BenchDataParallel(nil, "stories260K", stories260K(), 2, 16, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ranks != 1 || r.AllreduceBytes != 0 || r.Params < 260_000 || r.StepMS <= 0 || r.ComputeMS <= 0 {
		t.Errorf("BenchDataParallel = %+v; want 1 rank, no allreduce bytes, the stories260K parameters and positive times", r)
	}
	if want := 2 * 16 / (r.StepMS / 1e3); r.TokensPerS != want {
		t.Errorf("tokens/s %v, want 32 tokens over %v ms = %v", r.TokensPerS, r.StepMS, want)
	}
	if _, err := BenchDataParallel(nil, "stories260K", stories260K(), 2, 16, 2, 0); err == nil {
		t.Error("BenchDataParallel with 0 timed steps: no error")
	}
}

// stories260K is that named model shape (checkpoints.Shape).
func stories260K() graph.Config {
	c, _ := checkpoints.Shape("stories260K")
	return c
}
