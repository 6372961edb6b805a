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
	"github.com/rmtgo/rmt/internal/threadflag"
)

// runPerplexity reads windows of n*S tokens of long text and reports the
// perplexity of the predictions made in each segment index, for the
// checkpoint with its memory and for the same weights with none (M = 0,
// each segment alone). With memory, perplexity should fall as more
// segments have been read; without, it stays flat. Two controls tell why
// when it does not: the memory reset to its initial value every segment
// (what memory does as a learned prefix alone) and full attention over the
// preceding segments that fit the model's positions (what more context is
// worth to this model at all).
func runPerplexity(j job, args []string) error {
	return perplexity(j, os.Stdout, args)
}

func perplexity(j job, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("perplexity", flag.ContinueOnError)
	kern := threadflag.Bind(fs)
	ckFlag := fs.String("checkpoint", "", "checkpoint directory, or a run directory (its best checkpoint)")
	model := fs.String("model", "", "a plain HuggingFace folder instead of a checkpoint: no memory, so only the no-memory column")
	textDir := fs.String("text-dir", "", "folder of long .txt documents")
	allFiles := fs.Bool("all-files", false, "read every .txt of --text-dir (default: the eval split, every 5th file)")
	segments := fs.Int("segments", 8, "segments per window: windows of segments x segment-size tokens")
	segSize := fs.Int("segment-size", 0, "tokens per segment (default: the checkpoint's; required with --model)")
	samples := fs.Int("samples", 20, "windows to average over")
	seed := fs.Int64("seed", 424242, "seed of the windows")
	asJSON := fs.Bool("json", false, "print one JSON document")
	plotFile := fs.String("plot", "", "also draw perplexity against segment index into this .png")
	save := fs.Bool("save", true, "keep the results in CHECKPOINT/eval/perplexity.json (with --checkpoint)")
	reset := fs.Bool("reset", true, "also read every segment from the initial memory, carrying nothing (with memory)")
	fullCtx := fs.Bool("full-context", true, "also read each segment with full attention over the preceding segments that fit the model's positions")
	history := fs.Bool("history", false, "also score the last segment of each window after 0, 1, ..., segments-1 segments read before it (the same text in every row; segments(segments+1)/2 passes a window)")
	historyPlot := fs.String("history-plot", "", "draw the --history rows into this .png")
	every := fs.Duration("progress", 10*time.Second, "report progress on stderr at most this often (0: never)")
	dataFile := fs.String("data", "", "JSONL file of {\"text\": ...} lines instead of --text-dir: windows from its lines long enough for one")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	out, stderr := j.quiet(out)
	if (*ckFlag == "") == (*model == "") {
		return fmt.Errorf("give one of --checkpoint (memory and no-memory columns) or --model (no-memory column only)")
	}
	if (*textDir == "") == (*dataFile == "") {
		return fmt.Errorf("give one of --text-dir (a folder of long .txt documents) or --data (a JSONL file of text lines)")
	}
	if *segments < 1 || *samples < 1 {
		return fmt.Errorf("--segments %d and --samples %d, want both at least 1", *segments, *samples)
	}
	rep := eval.PerplexityReport{TextDir: *textDir, Segments: *segments, Samples: *samples, Seed: *seed}
	m := &eval.Model{} // the weights and tokenizer read with
	if *ckFlag != "" {
		ck, err := eval.LoadCheckpoint(*ckFlag)
		if err != nil {
			return err
		}
		m.Weights, m.Tokenizer = ck.Weights, ck.Tokenizer
		rep.Checkpoint, rep.MemTokens, rep.SegmentSize = ck.Dir, ck.RMT.MemTokens, ck.RMT.SegmentSize
		if *segSize > 0 && *segSize != rep.SegmentSize {
			fmt.Fprintf(stderr, "note: --segment-size %d, the checkpoint was trained with %d\n", *segSize, rep.SegmentSize)
			rep.SegmentSize = *segSize
		}
		if rep.MemTokens == 0 {
			fmt.Fprintln(stderr, "note: the checkpoint has no memory; only the no-memory column is computed")
		}
	} else {
		if *segSize < 1 {
			return fmt.Errorf("--segment-size is required with --model")
		}
		rep.Model, rep.SegmentSize = *model, *segSize
		var err error
		if m, err = loadModel(*model); err != nil {
			return err
		}
		if m.Tokenizer == nil {
			return fmt.Errorf("%s has no tokenizer.json to read --text-dir with", *model)
		}
	}
	w := m.Weights
	windows := eval.TextWindows{Dir: *textDir, Data: *dataFile, AllFiles: *allFiles, Segments: *segments, SegmentSize: rep.SegmentSize, Seed: *seed}
	task, err := windows.Task(m.Tokenizer)
	if err != nil {
		return err
	}
	if *historyPlot != "" && !*history {
		return fmt.Errorf("--history-plot needs --history")
	}
	opt := eval.PerplexityOptions{Reset: *reset, FullContext: *fullCtx, Comm: j.comm, Kernels: *kern}
	if *fullCtx {
		rep.ContextWindow = eval.ContextWindow(w.Config, rep.SegmentSize)
	}
	cols := int64(opt.Columns(rep.MemTokens))
	mine := j.comm.Share(*samples) // the progress of rank 0's own windows
	p := eval.NewProgress(stderr, fmt.Sprintf("perplexity %d seg", *segments), mine, cols*int64(mine)*int64(task.Config().Length()), *every)
	if rep.Results, err = eval.Perplexity(w, rep.MemTokens, task, *samples, opt, p); err != nil {
		return err
	}
	if *history {
		scored := int64(eval.HistoryScored(rep.MemTokens, *segments, rep.ContextWindow))
		hp := eval.NewProgress(stderr, fmt.Sprintf("history %d seg", *segments), mine, scored*int64(mine)*int64(rep.SegmentSize), *every)
		if rep.History, err = eval.PerplexityHistory(w, rep.MemTokens, task, *samples, opt, hp); err != nil {
			return err
		}
	}
	if !j.comm.Root() {
		return nil // rank 0 saves, draws and prints
	}
	if rep.Checkpoint != "" && *save {
		if path, err := eval.SavePerplexity(rep.Checkpoint, rep); err != nil {
			fmt.Fprintf(os.Stderr, "warning: results not saved beside the checkpoint: %v\n", err)
		} else {
			fmt.Fprintf(os.Stderr, "results saved to %s\n", path)
		}
	}
	if *plotFile != "" {
		if err := eval.PlotPerplexity(*plotFile, rep); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "plot saved to %s\n", *plotFile)
	}
	if *historyPlot != "" {
		if err := eval.PlotHistory(*historyPlot, rep); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "plot saved to %s\n", *historyPlot)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	perplexityTable(out, rep)
	if len(rep.History) > 0 {
		historyTable(out, rep)
	}
	return nil
}

func historyTable(w io.Writer, rep eval.PerplexityReport) {
	fmt.Fprintf(w, "\nthe last segment of each window (the same %d x %d tokens in every row) after reading the segments before it\n",
		rep.Samples, rep.SegmentSize)
	tw := table.New(w)
	full := rep.History[0].PPLFullContext != nil
	header := []any{"segments read before", "tokens read before", "ppl memory", "ppl no memory"}
	if full {
		header = append(header, fmt.Sprintf("ppl full attention (%d seg)", rep.ContextWindow))
	}
	tw.Header(append(header, "predictions")...)
	for _, r := range rep.History {
		row := []any{fmt.Sprint(r.Read), fmt.Sprint(r.Read * rep.SegmentSize), pplText(r.PPLMemory), fmt.Sprintf("%.3f", r.PPLNoMemory)}
		if full {
			row = append(row, pplText(r.PPLFullContext))
		}
		tw.Append(append(row, fmt.Sprint(r.Predictions))...)
	}
	tw.Render()
}

func perplexityTable(w io.Writer, rep eval.PerplexityReport) {
	fmt.Fprintf(w, "%d windows of %d x %d tokens from %s; memory: %d tokens\n",
		rep.Samples, rep.Segments, rep.SegmentSize, rep.TextDir, rep.MemTokens)
	tw := table.New(w)
	reset := len(rep.Results) > 0 && rep.Results[0].PPLMemoryReset != nil
	full := len(rep.Results) > 0 && rep.Results[0].PPLFullContext != nil
	header := []any{"segment", "tokens read", "ppl memory", "ppl no memory"}
	if reset {
		header = append(header, "ppl memory reset")
	}
	if full {
		header = append(header, fmt.Sprintf("ppl full attention (%d seg)", rep.ContextWindow))
	}
	tw.Header(append(header, "predictions")...)
	for _, r := range rep.Results {
		row := []any{fmt.Sprint(r.Segment), fmt.Sprint(r.Segment * rep.SegmentSize), pplText(r.PPLMemory), fmt.Sprintf("%.3f", r.PPLNoMemory)}
		if reset {
			row = append(row, pplText(r.PPLMemoryReset))
		}
		if full {
			row = append(row, pplText(r.PPLFullContext))
		}
		tw.Append(append(row, fmt.Sprint(r.Predictions))...)
	}
	tw.Render()
	if reset {
		fmt.Fprintln(w, "memory reset: every segment read from the initial memory, nothing carried")
	}
	if full {
		fmt.Fprintln(w, "full attention: no memory; each segment read together with the segments before it that fit the model's positions")
	}
}

// pplText prints a perplexity, or n/a for the memory column of a model
// without memory.
func pplText(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", *v)
}
