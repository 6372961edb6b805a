package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/internal/threadflag"
	"github.com/rmtgo/rmt/train"
)

// runDP times the training steps of cmd/train over the ranks of the
// job (train.BenchDataParallel); rank 0 prints.
//
//	rmt-bench dp --shape gpt2-small --threads 2                      # 1 rank x 2 threads
//	mpirun -np 2 rmt-bench dp --shape gpt2-small --threads 1         # 2 ranks x 1 thread
func runDP(j job, args []string) error {
	comm := j.comm
	fs := flag.NewFlagSet("dp", flag.ContinueOnError)
	threadflag.Bind(fs)
	shape := fs.String("shape", "stories260K", "stories260K, gpt2-small, or a model folder whose shape to use (random weights)")
	batch := fs.Int("batch", 8, "global batch rows, split among the ranks")
	segment := fs.Int("segment-size", 128, "tokens per row (one segment)")
	mem := fs.Int("mem-tokens", 16, "memory tokens")
	steps := fs.Int("steps", 5, "timed steps after one warm-up; medians are reported")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *steps < 1 || *batch < 1 || *segment < 2 || *mem < 0 {
		return fmt.Errorf("--steps and --batch must be at least 1, --segment-size at least 2 and --mem-tokens at least 0")
	}
	c, err := bench.Shape(*shape)
	if err != nil {
		return fmt.Errorf("--%w", err)
	}
	r, err := train.BenchDataParallel(comm, *shape, c, *batch, *segment, *mem, *steps)
	if err != nil {
		return err
	}
	if !comm.Root() {
		return nil
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Println(r)
	return nil
}
