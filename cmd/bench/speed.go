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

// runSpeed times one segment forward and forward+backward (bench.Bench).
func runSpeed(_ job, args []string) error {
	fs := flag.NewFlagSet("speed", flag.ContinueOnError)
	threadflag.Bind(fs)
	shape := fs.String("shape", "stories260K", "stories260K, gpt2-small, gpt2-medium, or a model folder whose shape to use (random weights)")
	batch := fs.Int("batch", 1, "batch rows")
	segment := fs.Int("segment-size", 512, "tokens per segment")
	mem := fs.Int("mem-tokens", 16, "memory tokens (RMT: read and write copies each)")
	memFlags := addMemoryFlags(fs)
	runs := fs.Int("runs", 5, "timed runs after one warm-up; the best is reported")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runs < 1 || *batch < 1 || *segment < 1 || *mem < 0 {
		return fmt.Errorf("--runs, --batch and --segment-size must be at least 1 and --mem-tokens at least 0")
	}
	c, err := bench.Shape(*shape)
	if err != nil {
		return fmt.Errorf("--%w", err)
	}
	m := bench.MemoryOf(*memFlags.kind, *mem, *memFlags.dMem, *memFlags.features)
	if err := train.CheckMemoryFlags(m); err != nil {
		return err
	}
	r, err := bench.Bench(*shape, c, *batch, *segment, m, *runs)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Println(r)
	return nil
}
