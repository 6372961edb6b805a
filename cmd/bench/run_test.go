package main

import (
	"encoding/json"
	"testing"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/train"
)

// TestScalingAndDPRun: scaling and dp run end to end on one process at a
// tiny size and print the JSON their docs name, with the sizes asked for.
func TestScalingAndDPRun(t *testing.T) {
	out := captureStdout(t, func() error {
		return runScaling(job{}, []string{"--segment-size", "16", "--mem-tokens", "2", "--train-segments", "1,2", "--timed", "0",
			"--stream-segments", "0", "--threads", "1", "--json"})
	})
	var rep bench.Scaling
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if rep.Shape != "stories260K" || rep.SegmentSize != 16 || len(rep.Train) != 2 || rep.Train[1].Segments != 2 || rep.Train[1].StepMS <= 0 || rep.Stream != nil {
		t.Errorf("scaling report %+v, want stories260K, segments of 16, 1 and 2 segments timed, no stream", rep)
	}
	out = captureStdout(t, func() error {
		return runDP(job{}, []string{"--batch", "2", "--segment-size", "16", "--mem-tokens", "2", "--steps", "1", "--threads", "1", "--json"})
	})
	var dp train.DataParallelBench
	if err := json.Unmarshal([]byte(out), &dp); err != nil {
		t.Fatalf("%v in %q", err, out)
	}
	if dp.Ranks != 1 || dp.GlobalBatch != 2 || dp.SegmentTokens != 16 || dp.Steps != 1 || dp.StepMS <= 0 {
		t.Errorf("dp report %+v, want 1 rank, batch 2, rows of 16, 1 step timed", dp)
	}
}
