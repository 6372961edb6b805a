package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/internal/threadflag"
	"github.com/rmtgo/rmt/train"
)

// runStream compares the reading speed of RMT and ARMT streams
// (bench.CompareStreams).
func runStream(_ job, args []string) error {
	fs := flag.NewFlagSet("stream", flag.ContinueOnError)
	threadflag.Bind(fs)
	shape := fs.String("shape", "stories260K", "stories260K, gpt2-small, gpt2-medium, or a model folder whose shape to use (random weights)")
	seg := fs.Int("segment-size", 512, "tokens per segment")
	mem := fs.Int("mem-tokens", 16, "memory tokens (RMT) and memory rows (ARMT)")
	dMem := fs.Int("d-mem", 16, "key width of the associative memory")
	features := fs.String("armt-features", bench.DefaultARMTFeatures, "the associative memory's feature maps, one stream each: dpfp, dpfp-normalized, or both comma-separated")
	segments := fs.Int("segments", 64, "segments streamed per round")
	rounds := fs.Int("rounds", 3, "rounds, each memory in turn; the best of each is reported")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *mem < 1 || *dMem < 1 {
		return fmt.Errorf("--mem-tokens %d and --d-mem %d must be at least 1", *mem, *dMem)
	}
	c, err := bench.Shape(*shape)
	if err != nil {
		return fmt.Errorf("--%w", err)
	}
	mems := bench.StreamMemories(*mem, *dMem, strings.Split(*features, ","))
	for _, m := range mems {
		if err := train.CheckMemoryFlags(m); err != nil {
			return err
		}
	}
	rates, err := bench.CompareStreams(c, *seg, *segments, *rounds, mems, func(s string) { fmt.Fprintln(os.Stderr, s) })
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"shape": *shape, "segment_size": *seg, "threads": bench.CurrentThreads(), "streams": rates})
	}
	fmt.Printf("streaming %d segments of %d tokens, shape %s, best of %d rounds\n", *segments, *seg, *shape, *rounds)
	t := table.New(os.Stdout)
	t.Header("memory", "tokens", "seconds", "tokens/s", "x RMT")
	for _, r := range rates {
		t.Append(r.Label(), fmt.Sprint(r.Tokens), fmt.Sprintf("%.2f", r.Seconds), fmt.Sprintf("%.0f", r.TokensPerSec), fmt.Sprintf("%.3f", r.RatioToFirst))
	}
	return t.Render()
}
