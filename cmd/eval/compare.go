package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
)

func runCompare(_ job, args []string) error {
	return compare(os.Stdout, args)
}

// compare reads the results kept beside each run's checkpoint (or a
// results folder or file) and prints, per task, accuracy by segment count
// with one column per run, then perplexity by segment index.
func compare(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("compare", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON document with every run's results")
	plotFile := fs.String("plot", "", "also draw the runs into this .png: their accuracy curves overlaid (log axis), or, when every run has BABILong results, one heatmap of those")
	names := fs.String("names", "", "names of the runs in the plot, comma-separated (default: curriculum, seed and steps of a training run, else the path)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: eval compare [--json] [--plot FILE.png [--names A,B]] RUN...\n\nRUN is a run or checkpoint directory (its eval/ folder; a run without one: its own final table), an eval/ folder, or a results .json file")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("name at least one run, checkpoint or results file")
	}
	var runs []*eval.RunResults
	for _, a := range fs.Args() {
		r, err := eval.LoadResults(a)
		if err != nil {
			return err
		}
		runs = append(runs, r)
	}
	if *plotFile != "" {
		labels := make([]string, len(runs))
		allBabilong := true
		for i, r := range runs {
			labels[i] = r.Run
			if r.Label != "" {
				labels[i] = r.Label
			}
			allBabilong = allBabilong && r.Babilong != nil
		}
		if *names != "" {
			labels = strings.Split(*names, ",")
			if len(labels) != len(runs) {
				return fmt.Errorf("--names gives %d names for %d runs", len(labels), len(runs))
			}
		}
		if allBabilong {
			if err := eval.PlotBabilongRuns(*plotFile, runs, labels); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "heatmap saved to %s\n", *plotFile)
		} else {
			if err := eval.PlotAccuracyRuns(*plotFile, runs, labels); err != nil {
				return err
			}
			fmt.Fprintf(os.Stderr, "accuracy curves saved to %s\n", *plotFile)
		}
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(struct {
			Runs []*eval.RunResults `json:"runs"`
		}{runs})
	}
	for i, r := range runs {
		memory := ""
		if k := r.MemoryKind(); k != "" {
			memory = ", memory " + k
		}
		name := r.Run
		if r.Label != "" {
			name = r.Label + ": " + r.Run
		}
		source := r.Dir
		if r.FinalTable {
			source = "no eval/ folder: the run's final table, on its validation samples, in " + r.Dir
		}
		fmt.Fprintf(out, "[%d] %s (%s%s)\n", i+1, name, source, memory)
	}
	compareAccuracy(out, runs)
	comparePerplexity(out, runs)
	compareBabilong(out, runs)
	return nil
}

// compareBabilong prints, per length, BABILong accuracy by bAbI task with
// one column per run.
func compareBabilong(out io.Writer, runs []*eval.RunResults) {
	for _, c := range eval.CompareBabilong(runs) {
		fmt.Fprintf(out, "\nBABILong accuracy at %s (95%% interval)\n", c.Length)
		tw := table.New(out)
		tw.Header(runHeader(runs, "task")...)
		for _, r := range c.Rows {
			tw.Append(append([]any{fmt.Sprintf("qa%d", r.Task)}, intervalCells(r.Runs, func(x *eval.BabilongResult) [3]float64 {
				return [3]float64{x.Accuracy, x.CILow, x.CIHigh}
			})...)...)
		}
		tw.Render()
	}
}

func compareAccuracy(out io.Writer, runs []*eval.RunResults) {
	for _, c := range eval.CompareAccuracy(runs) {
		fmt.Fprintf(out, "\naccuracy, task %s (95%% interval)\n", c.Task)
		tw := table.New(out)
		tw.Header(runHeader(runs, "segments", "tokens")...)
		for _, r := range c.Rows {
			tokens := "varies"
			if len(r.Tokens) == 1 {
				tokens = fmt.Sprint(r.Tokens[0])
			}
			tw.Append(append([]any{fmt.Sprint(r.Segments), tokens}, intervalCells(r.Runs, func(x *eval.AccuracyResult) [3]float64 {
				return [3]float64{x.Accuracy, x.CILow, x.CIHigh}
			})...)...)
		}
		tw.Render()
	}
}

func comparePerplexity(out io.Writer, runs []*eval.RunResults) {
	rows := eval.ComparePerplexity(runs)
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(out, "\nperplexity per segment index: with memory / without")
	tw := table.New(out)
	tw.Header(runHeader(runs, "segment")...)
	for _, r := range rows {
		row := []any{fmt.Sprint(r.Segment)}
		for _, x := range r.Runs {
			cell := "-"
			if x != nil {
				cell = pplText(x.PPLMemory) + " / " + fmt.Sprintf("%.3f", x.PPLNoMemory)
			}
			row = append(row, cell)
		}
		tw.Append(row...)
	}
	tw.Render()
}

// columnNames names each run's column: [i], with the curriculum, seed and
// steps of a training run.
func columnNames(runs []*eval.RunResults) []string {
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = fmt.Sprintf("[%d]", i+1)
		if r.Short != "" {
			out[i] += " " + r.Short
		}
	}
	return out
}

// runHeader is a table header: cols, then a column per run.
func runHeader(runs []*eval.RunResults, cols ...any) []any {
	for _, name := range columnNames(runs) {
		cols = append(cols, name)
	}
	return cols
}

// intervalCells formats each run's accuracy with its 95% interval (what
// get returns: accuracy, low, high), "-" where a run has no result.
func intervalCells[T any](runs []*T, get func(*T) [3]float64) []any {
	cells := make([]any, len(runs))
	for i, x := range runs {
		cells[i] = "-"
		if x != nil {
			v := get(x)
			cells[i] = fmt.Sprintf("%.3f (%.2f-%.2f)", v[0], v[1], v[2])
		}
	}
	return cells
}
