package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

func init() {
	register("perplexity", "perplexity per segment index, with memory and without", runPerplexity)
}

// runPerplexity reads windows of n*S tokens of long text and reports the
// perplexity of the predictions made in each segment index, for the
// checkpoint with its memory and for the same weights with none (M = 0,
// each segment alone). With memory, perplexity should fall as more
// segments have been read; without, it stays flat.
func runPerplexity(args []string) error {
	return perplexity(os.Stdout, args)
}

func perplexity(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("perplexity", flag.ContinueOnError)
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
	every := fs.Duration("progress", 10*time.Second, "report progress on stderr at most this often (0: never)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*ckFlag == "") == (*model == "") {
		return fmt.Errorf("give one of --checkpoint (memory and no-memory columns) or --model (no-memory column only)")
	}
	if *textDir == "" {
		return fmt.Errorf("--text-dir is required: a folder of long .txt documents")
	}
	if *segments < 1 || *samples < 1 {
		return fmt.Errorf("--segments %d and --samples %d, want both at least 1", *segments, *samples)
	}
	rep := eval.PerplexityReport{TextDir: *textDir, Segments: *segments, Samples: *samples, Seed: *seed}
	var (
		w   *graph.Weights
		tok data.Tokenizer
		err error
	)
	if *ckFlag != "" {
		if rep.Checkpoint, err = checkpoints.Resolve(*ckFlag); err != nil {
			return err
		}
		ck, ckTok, err := eval.LoadCheckpoint(rep.Checkpoint)
		if err != nil {
			return err
		}
		w, tok, rep.MemTokens, rep.SegmentSize = ck.Weights, ckTok, ck.RMT.MemTokens, ck.RMT.SegmentSize
		if *segSize > 0 && *segSize != rep.SegmentSize {
			fmt.Fprintf(os.Stderr, "note: --segment-size %d, the checkpoint was trained with %d\n", *segSize, rep.SegmentSize)
			rep.SegmentSize = *segSize
		}
		if rep.MemTokens == 0 {
			fmt.Fprintln(os.Stderr, "note: the checkpoint has no memory; only the no-memory column is computed")
		}
	} else {
		if *segSize < 1 {
			return fmt.Errorf("--segment-size is required with --model")
		}
		rep.Model, rep.SegmentSize = *model, *segSize
		if w, tok, err = loadModel(*model); err != nil {
			return err
		}
		if tok == nil {
			return fmt.Errorf("%s has no tokenizer.json to read --text-dir with", *model)
		}
	}
	cfg := data.TaskConfig{Name: "lm", Segments: *segments, SegmentSize: rep.SegmentSize, Seed: *seed,
		TextDir: *textDir, Split: data.SplitEval, Tokenizer: tok}
	if *allFiles {
		cfg.EvalEvery = -1
	}
	task, err := data.NewTask(cfg)
	if err != nil {
		return err
	}
	cols := int64(1)
	if rep.MemTokens > 0 {
		cols = 2
	}
	p := eval.NewProgress(os.Stderr, fmt.Sprintf("perplexity %d seg", *segments), *samples, cols*int64(*samples)*int64(cfg.Length()), *every)
	if rep.Results, err = eval.Perplexity(w, rep.MemTokens, task, *samples, p); err != nil {
		return err
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
	if *asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	perplexityTable(out, rep)
	return nil
}

func perplexityTable(w io.Writer, rep eval.PerplexityReport) {
	fmt.Fprintf(w, "%d windows of %d x %d tokens from %s; memory: %d tokens\n",
		rep.Samples, rep.Segments, rep.SegmentSize, rep.TextDir, rep.MemTokens)
	tw := newTable(w)
	tw.Header("segment", "tokens read", "ppl memory", "ppl no memory", "predictions")
	for _, r := range rep.Results {
		tw.Append(fmt.Sprint(r.Segment), fmt.Sprint(r.Segment*rep.SegmentSize), pplText(r.PPLMemory),
			fmt.Sprintf("%.3f", r.PPLNoMemory), fmt.Sprint(r.Predictions))
	}
	tw.Render()
}

// pplText prints a perplexity, or n/a for the memory column of a model
// without memory.
func pplText(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", *v)
}
