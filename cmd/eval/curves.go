package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
)

func runCurves(_ job, args []string) error { return curves(os.Stdout, args) }

// curves reads the metrics.jsonl of each run and prints its validations
// with the mean training loss since the one before; --plot draws them.
func curves(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("curves", flag.ContinueOnError)
	plotFile := fs.String("plot", "", "draw training loss and validation accuracy against step and wall time, runs overlaid, into this .png")
	asJSON := fs.Bool("json", false, "print one JSON document with every run's curves")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: eval curves [--plot FILE.png] [--json] RUN...\n\nRUN is a training run directory (or a checkpoint in one): its metrics.jsonl is read")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("name at least one run directory")
	}
	var cs []*eval.Curve
	for _, a := range fs.Args() {
		c, err := eval.LoadCurve(a)
		if err != nil {
			return err
		}
		cs = append(cs, c)
	}
	if *plotFile != "" {
		if err := eval.PlotCurves(*plotFile, cs); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "curves saved to %s\n", *plotFile)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(struct {
			Runs []*eval.Curve `json:"runs"`
		}{cs})
	}
	for i, c := range cs {
		if i > 0 {
			fmt.Fprintln(out)
		}
		curveTable(out, c)
	}
	return nil
}

func curveTable(out io.Writer, c *eval.Curve) {
	last := c.Train[len(c.Train)-1]
	wall := "no wall time in this log"
	if c.HasTime {
		wall = time.Duration(last.ElapsedS * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(out, "%s (%s): %d steps, %s\n", c.Label, c.Dir, last.Step, wall)
	for _, st := range c.Stages {
		fmt.Fprintf(out, "  stage %d (%d segments) from step %d\n", st.Stage, st.Segments, st.Step)
	}
	tw := table.New(out)
	tw.Header("step", "wall", "stage", "segments", "train loss (mean since last)", "val loss", "accuracy")
	k := 0
	for _, e := range c.Evals {
		sum, n := 0.0, 0
		for ; k < len(c.Train) && c.Train[k].Step <= e.Step; k++ {
			sum, n = sum+c.Train[k].Loss, n+1
		}
		mean := "-"
		if n > 0 {
			mean = fmt.Sprintf("%.4f", sum/float64(n))
		}
		w := "-"
		if c.HasTime {
			w = time.Duration(e.ElapsedS * float64(time.Second)).Round(time.Second).String()
		}
		acc := "n/a"
		if e.Accuracy >= 0 {
			acc = fmt.Sprintf("%.3f", e.Accuracy)
		}
		tw.Append(fmt.Sprint(e.Step), w, fmt.Sprint(e.Stage), fmt.Sprint(e.Segments), mean, fmt.Sprintf("%.4f", e.ValLoss), acc)
	}
	tw.Render()
}
