package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/internal/threadflag"
)

func init() {
	register("stream-bench", "reading speed of RMT and ARMT streams at one shape, as a ratio", runStreamBench)
}

func runStreamBench(args []string) error {
	fs := flag.NewFlagSet("stream-bench", flag.ContinueOnError)
	threadflag.Bind(fs)
	shape := fs.String("shape", "stories260K", "stories260K, gpt2-small, gpt2-medium, or a model folder whose shape to use (random weights)")
	seg := fs.Int("segment-size", 512, "tokens per segment")
	mem := fs.Int("mem-tokens", 16, "memory tokens (RMT) and memory rows (ARMT)")
	dMem := fs.Int("d-mem", 16, "key width of the associative memory")
	features := fs.String("armt-features", graph.FeaturesDPFPNormalized, "the associative memory's feature maps, one stream each: dpfp, dpfp-normalized, or both comma-separated")
	segments := fs.Int("segments", 64, "segments streamed per round")
	rounds := fs.Int("rounds", 3, "rounds, each memory in turn; the best of each is reported")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *mem < 1 || *dMem < 1 {
		return fmt.Errorf("--mem-tokens %d and --d-mem %d must be at least 1", *mem, *dMem)
	}
	c, err := shapeConfig(*shape)
	if err != nil {
		return err
	}
	mems := []graph.Memory{{Kind: graph.KindRMT, Tokens: *mem}}
	for _, f := range strings.Split(*features, ",") {
		m := graph.Memory{Kind: graph.KindARMT, Tokens: *mem, DMem: *dMem, Features: f}
		if err := m.Check(); err != nil {
			return err
		}
		mems = append(mems, m)
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
		name := "RMT, " + fmt.Sprint(r.Memory.Tokens) + " tokens"
		if r.Memory.Kind == graph.KindARMT {
			name = fmt.Sprintf("ARMT, d_mem %d, %d rows, %s", r.Memory.DMem, r.Memory.Tokens, r.Memory.Features)
		}
		t.Append(name, fmt.Sprint(r.Tokens), fmt.Sprintf("%.2f", r.Seconds), fmt.Sprintf("%.0f", r.TokensPerSec), fmt.Sprintf("%.3f", r.RatioToFirst))
	}
	return t.Render()
}
