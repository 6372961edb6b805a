package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/internal/threadflag"
)

// runDynamics describes a checkpoint's memory after each hand-off over the
// samples of a question task: size, drift, and the share of its spread that
// is the answer. It tells a memory that holds a fact at a fixed point from
// one that drifts away from where the question can read it.
func runDynamics(_ job, args []string) error {
	return dynamics(os.Stdout, args)
}

func dynamics(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("dynamics", flag.ContinueOnError)
	kern := threadflag.Bind(fs)
	ckFlag := fs.String("checkpoint", "", "checkpoint directory, or a run directory (its best checkpoint)")
	q := addQuestionFlags(fs)
	segments := fs.Int("segments", 48, "segments per sample; hand-offs 1..segments-1 can be described")
	handoffFlag := fs.String("handoffs", "", "hand-offs to describe, e.g. 1,2,4,32 (default 1-4, the powers of two, and segments-1)")
	samples := fs.Int("samples", 60, "samples (at least 2)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	every := fs.Duration("progress", 10*time.Second, "report progress on stderr at most this often (0: never)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *ckFlag == "" {
		return fmt.Errorf("--checkpoint is required")
	}
	if *segments < 2 {
		return fmt.Errorf("--segments %d, want at least 2 (a hand-off and the question's segment)", *segments)
	}
	if err := q.check(); err != nil {
		return err
	}
	handoffs := eval.DefaultHandoffs(*segments)
	if *handoffFlag != "" {
		var err error
		if handoffs, err = eval.ParseInts(*handoffFlag); err != nil || len(handoffs) == 0 {
			return fmt.Errorf("--handoffs: give hand-offs such as 1,2,4 (%v)", err)
		}
	}
	ck, err := eval.LoadCheckpoint(*ckFlag)
	if err != nil {
		return err
	}
	S := ck.RMT.SegmentSize
	t, err := q.questions().Of(ck, *segments)
	if err != nil {
		return err
	}
	p := eval.NewProgress(os.Stderr, "dynamics", *samples, int64(*samples)*int64(slices.Max(handoffs)*S), *every)
	rep := eval.DynamicsReport{Checkpoint: ck.Dir, Task: *q.task, SegmentSize: S, Memory: ck.RMT.Kind().Kind, DMem: ck.RMT.DMem, Features: ck.RMT.Kind().ARMTFeatures(), MemTokens: ck.RMT.MemTokens,
		Segments: *segments, Samples: *samples, Seed: *q.seed}
	if rep.Results, err = eval.MemoryDynamics(ck.Weights, ck.RMT.MemTokens, t, *samples, handoffs, *kern, p); err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	fmt.Fprintf(out, "%s: memory after each hand-off, %d samples of %s (segments of %d, %d memory tokens)\n",
		ck.Dir, rep.Samples, rep.Task, S, rep.MemTokens)
	tw := table.New(out)
	tw.Header("hand-off", "tokens read", "mean square", "drift (mean square change)", "separation by answer")
	for _, r := range rep.Results {
		tw.Append(fmt.Sprint(r.Handoff), fmt.Sprint(r.Handoff*S), fmt.Sprintf("%.4f", r.MeanSquare),
			fmt.Sprintf("%.4f", r.Drift), fmt.Sprintf("%.3f", r.Separation))
	}
	tw.Render()
	fmt.Fprintln(out, "separation: the share of the states' variance between the per-answer means (1: the state is the answer)")
	if len(rep.Results) > 0 && len(rep.Results[0].Layers) > 0 { // an associative memory's layers
		printARMTDynamics(out, rep)
	}
	return nil
}

// printARMTDynamics is the per-layer table of an ARMT checkpoint.
func printARMTDynamics(out io.Writer, rep eval.DynamicsReport) {
	fmt.Fprintf(out, "\nassociative memory by layer (features %s):\n", rep.Features)
	tw := table.New(out)
	tw.Header("hand-off", "layer", "A mean square", "z mean square", "mean γ", "read scale ‖zᵀA‖/(z·z)")
	for _, r := range rep.Results {
		for _, l := range r.Layers {
			tw.Append(fmt.Sprint(r.Handoff), fmt.Sprint(l.Layer), fmt.Sprintf("%.4g", l.AMeanSquare), fmt.Sprintf("%.4g", l.ZMeanSquare),
				fmt.Sprintf("%.3f", l.MeanGamma), fmt.Sprintf("%.4g", l.ReadScale))
		}
	}
	tw.Render()
	fmt.Fprintln(out, "mean γ: the share of each written key added to z; read scale: what a query along z reads, per unit of z")
}
