package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/internal/threadflag"
	"github.com/rmtgo/rmt/train"
)

// runScaling times training steps against segment count and streams a
// million tokens (bench.TrainScalingWith, bench.StreamTokens).
func runScaling(_ job, args []string) error {
	fs := flag.NewFlagSet("scaling", flag.ContinueOnError)
	kern := threadflag.Bind(fs)
	shape := fs.String("shape", "stories260K", "stories260K, gpt2-small, gpt2-medium, or a model folder whose shape to use (random weights)")
	seg := fs.Int("segment-size", 512, "tokens per segment")
	mem := fs.Int("mem-tokens", 16, "memory tokens")
	memFlags := addMemoryFlags(fs)
	timed := fs.Int("timed", 3, "timed training steps per segment count after a warm-up (0: time only the step whose peak RSS is measured)")
	keepEvery := fs.Int("keep-every", 0, "states the replay keeps: every k-th (0: every state for rmt, about the square root of the count for armt)")
	countsFlag := fs.String("train-segments", "1,2,4,8,16", "segment counts of the training steps")
	streamSegs := fs.Int("stream-segments", 2048, "segments to stream (0 skips the streaming run); 2048 x 512 = 1,048,576 tokens")
	window := fs.Int("window", 32, "segments averaged at the start and end of the stream")
	loop := fs.Int("train-loop", 0, "instead of timing the bare step, run the real training loop (cmd/train: batch 1, validation, a checkpoint, no final table) for this many steps at each --train-segments count and report its peak resident memory")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	counts, err := eval.ParseInts(*countsFlag)
	if err != nil {
		return fmt.Errorf("--train-segments: %w", err)
	}
	if *loop < 0 {
		return fmt.Errorf("--train-loop %d; want 0 (off) or a number of steps", *loop)
	}
	m := bench.MemoryOf(*memFlags.kind, *mem, *memFlags.dMem, *memFlags.features)
	if err := m.Check(); err != nil {
		return err
	}
	if *loop > 0 {
		return trainLoop(*shape, *seg, *mem, memFlags, counts, *loop, *asJSON)
	}
	c, err := bench.Shape(*shape)
	if err != nil {
		return fmt.Errorf("--%w", err)
	}
	if *streamSegs > 0 && *streamSegs < 2**window {
		return fmt.Errorf("--stream-segments %d must be at least twice --window %d", *streamSegs, *window)
	}
	w, err := bench.RandomModel(c, m)
	if err != nil {
		return err
	}
	logf := func(s string) { fmt.Fprintln(os.Stderr, s) }
	if *timed < 0 || *keepEvery < 0 {
		return fmt.Errorf("--timed %d and --keep-every %d must be at least 0", *timed, *keepEvery)
	}
	rep, err := bench.TrainScalingWith(w, *seg, *mem, counts, bench.ScalingOptions{Timed: *timed, KeepEvery: *keepEvery, Kernels: *kern}, logf)
	if err != nil {
		return err
	}
	rep.Shape = *shape
	if *streamSegs > 0 {
		if rep.Stream, err = bench.StreamTokens(w, *seg, *mem, *streamSegs, *window, logf); err != nil {
			return err
		}
	}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(rep)
	}
	fmt.Printf("shape %s, memory %s, segments of %d tokens, %d memory tokens, %d threads (spin %v); one segment forward+backward: %.1f ms\n", rep.Shape, m.Kind, rep.SegmentSize, rep.MemTokens, rep.Threads, rep.Spin, rep.OneSegmentMS)
	t := table.New(os.Stdout)
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

// trainLoop runs the training loop at each segment count, one after the
// other, and prints the peak resident memory of each; memory is tokens
// memory tokens of the kind memFlags give, checked.
func trainLoop(shape string, seg, tokens int, memFlags memoryFlags, counts []int, steps int, asJSON bool) error {
	mem := bench.MemoryOf(*memFlags.kind, tokens, *memFlags.dMem, *memFlags.features)
	model := shape
	if bench.IsNamedShape(shape) {
		model = eval.RandomPrefix + shape
	}
	var rows []train.LoopMemory
	for _, n := range counts {
		out, err := os.MkdirTemp("", "rmt-train-loop-")
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "training loop, %s, memory %s, %d segments of %d tokens, %d steps, in %s\n", shape, mem.Kind, n, seg, steps, out)
		r, err := train.MeasureLoop(context.Background(), model, seg, mem, n, steps, out, os.Stderr)
		os.RemoveAll(out)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "training loop over %d segments: peak RSS %.0f MiB in %.0f s\n", n, r.PeakRSSMB, r.Seconds)
		rows = append(rows, r)
	}
	if asJSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"shape": shape, "memory": mem.Kind, "d_mem": mem.DMem, "segment_size": seg, "mem_tokens": mem.Tokens, "train_loop": rows})
	}
	fmt.Printf("training loop (cmd/train, batch 1, %d steps, validation and a checkpoint), shape %s, memory %s, segments of %d tokens, %d memory tokens\n", steps, shape, mem.Kind, seg, mem.Tokens)
	t := table.New(os.Stdout)
	t.Header("segments", "peak RSS MiB", "seconds")
	for _, r := range rows {
		t.Append(fmt.Sprint(r.Segments), fmt.Sprintf("%.0f", r.PeakRSSMB), fmt.Sprintf("%.0f", r.Seconds))
	}
	return t.Render()
}
