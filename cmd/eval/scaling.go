package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

func init() {
	register("scaling", "training step time and memory against segment count; streaming over 1M tokens", runScaling)
}

func runScaling(args []string) error {
	fs := flag.NewFlagSet("scaling", flag.ContinueOnError)
	shape := fs.String("shape", "stories260K", "stories260K, gpt2-small, or a model folder whose shape to use (random weights)")
	seg := fs.Int("segment-size", 512, "tokens per segment")
	mem := fs.Int("mem-tokens", 16, "memory tokens")
	countsFlag := fs.String("train-segments", "1,2,4,8,16", "segment counts of the training steps")
	streamSegs := fs.Int("stream-segments", 2048, "segments to stream (0 skips the streaming run); 2048 x 512 = 1,048,576 tokens")
	window := fs.Int("window", 32, "segments averaged at the start and end of the stream")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := fs.Parse(args); err != nil {
		return err
	}
	counts, err := data.ParseInts(*countsFlag)
	if err != nil {
		return fmt.Errorf("--train-segments: %w", err)
	}
	c, err := shapeConfig(*shape)
	if err != nil {
		return err
	}
	if *streamSegs > 0 && *streamSegs < 2**window {
		return fmt.Errorf("--stream-segments %d must be at least twice --window %d", *streamSegs, *window)
	}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		return err
	}
	if *mem > 0 {
		if err := graph.InitMemory(w, *mem, 1); err != nil {
			return err
		}
	}
	logf := func(s string) { fmt.Fprintln(os.Stderr, s) }
	rep, err := eval.TrainScaling(w, *seg, *mem, counts, logf)
	if err != nil {
		return err
	}
	rep.Shape = *shape
	if *streamSegs > 0 {
		if rep.Stream, err = eval.StreamTokens(w, *seg, *mem, *streamSegs, *window, logf); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(rep)
	}
	fmt.Printf("shape %s, segments of %d tokens, %d memory tokens; one segment forward+backward: %.1f ms\n", rep.Shape, rep.SegmentSize, rep.MemTokens, rep.OneSegmentMS)
	t := newTable(os.Stdout)
	t.Header("segments", "step ms", "ms / segment", "x one segment f+b", "peak RSS MiB", "settled RSS MiB", "live heap MiB")
	for _, r := range rep.Train {
		t.Append(fmt.Sprint(r.Segments), fmt.Sprintf("%.1f", r.StepMS), fmt.Sprintf("%.1f", r.MSPerSegment), fmt.Sprintf("%.2f", r.RatioToOneSegment),
			fmt.Sprintf("%.0f", r.PeakRSSMB), fmt.Sprintf("%.0f", r.SettledRSSMB), fmt.Sprintf("%.1f", r.HeapMB))
	}
	t.Render()
	if s := rep.Stream; s != nil {
		fmt.Printf("streaming %d tokens (%d segments) in %.1f s: %.2f us/token over the first %d segments, %.2f over the last %d (ratio %.3f)\n"+
			"settled RSS %.0f MiB after the first window, %.0f MiB at the end; live Go heap %.1f MiB and %.1f MiB\n",
			s.Tokens, s.Segments, s.Seconds, s.FirstUSPerToken, s.Window, s.LastUSPerToken, s.Window, s.LastUSPerToken/s.FirstUSPerToken,
			s.RSSStartMB, s.RSSEndMB, s.HeapStartMB, s.HeapEndMB)
	}
	return nil
}
