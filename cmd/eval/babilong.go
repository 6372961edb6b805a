package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

func init() {
	register("babilong", "BABILong: bAbI qa1-qa5 in book text from 0 to 1M tokens, as a table and heatmap", runBabilong)
	register("babi-holdout", "write the held-out stories of bAbI training files as a test-format folder", runBabiHoldout)
}

func runBabilong(args []string) error { return babilong(os.Stdout, os.Stderr, args) }

// babilongFlags are the parsed and checked flags of `eval babilong`.
type babilongFlags struct {
	checkpoint, babiDir, noiseDir string
	tasks                         []int // nil: the checkpoint's own
	lengths                       []string
	tokens                        []int // of each length
	samples                       []int // one per length
	seed                          int64
}

func parseBabilongFlags(fs *flag.FlagSet, args []string) (*babilongFlags, error) {
	ck := fs.String("checkpoint", "", "checkpoint directory, run directory (its best checkpoint) or exported folder")
	babiDir := fs.String("babi-dir", "", "folder of bAbI qaN_*_test.txt files (the test split; folders joined by ':' are searched in order)")
	noiseDir := fs.String("noise-dir", "", "folder of .txt books; the eval split of it (every 5th book) is the background")
	tasks := fs.String("tasks", "", "bAbI tasks, e.g. 1,2,3,4,5 (default: the tasks the checkpoint was trained on)")
	lengths := fs.String("lengths", strings.Join(eval.BabilongLengths, ","), "lengths in the model's tokens: 0k (the story alone), 1k = 1,024, 1M = 1,048,576")
	samples := fs.String("samples", "100", "samples per task and length: one number, or one per --lengths entry")
	seed := fs.Int64("seed", 424242, "seed of the evaluation samples")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q; every input is a flag", fs.Arg(0))
	}
	f := &babilongFlags{checkpoint: *ck, babiDir: *babiDir, noiseDir: *noiseDir, seed: *seed}
	switch {
	case f.checkpoint == "":
		return nil, fmt.Errorf("--checkpoint is required")
	case f.babiDir == "":
		return nil, fmt.Errorf("--babi-dir is required (a folder of bAbI qaN_*_test.txt files)")
	case f.noiseDir == "":
		return nil, fmt.Errorf("--noise-dir is required (a folder of .txt books)")
	}
	if *tasks != "" {
		var err error
		if f.tasks, err = data.ParseBabiTasks(*tasks); err != nil {
			return nil, fmt.Errorf("--tasks: %w", err)
		}
	}
	for l := range strings.SplitSeq(*lengths, ",") {
		l = strings.TrimSpace(l)
		n, err := eval.ParseLength(l)
		if err != nil {
			return nil, fmt.Errorf("--lengths: %w", err)
		}
		if slices.Contains(f.tokens, n) {
			return nil, fmt.Errorf("--lengths: %s is given twice", l)
		}
		f.lengths, f.tokens = append(f.lengths, l), append(f.tokens, n)
	}
	per, err := parseInts(*samples)
	if err != nil || (len(per) != 1 && len(per) != len(f.lengths)) {
		return nil, fmt.Errorf("--samples %q: give one count, or one per --lengths entry (%d)", *samples, len(f.lengths))
	}
	for _, k := range per {
		if k < 1 {
			return nil, fmt.Errorf("--samples %d, want at least 1", k)
		}
	}
	for i := range f.lengths {
		f.samples = append(f.samples, per[min(i, len(per)-1)])
	}
	return f, nil
}

// babilong evaluates a checkpoint on BABILong: for each length, each task,
// streaming every sample through the memory a segment at a time. Results
// are kept in CHECKPOINT/eval/babilong.json after every cell.
func babilong(out, log io.Writer, args []string) error {
	fs := flag.NewFlagSet("babilong", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print one JSON document")
	plotFile := fs.String("plot", "", "also draw the heatmap (tasks x lengths) into this .png")
	save := fs.Bool("save", true, "keep the results in CHECKPOINT/eval/babilong.json")
	every := fs.Duration("progress", 10*time.Second, "report progress on stderr at most this often (0: never)")
	gcPercent := fs.Int("gc-percent", defaultGCPercent, "Go collector target (GOGC) while evaluating; -1 keeps the GOGC environment's")
	f, err := parseBabilongFlags(fs, args)
	if err != nil {
		return err
	}
	if *gcPercent >= 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(*gcPercent))
	}
	w, info, tok, dir, err := eval.LoadMemoryModel(f.checkpoint)
	if err != nil {
		return err
	}
	trained := info.BabiTasks
	if info.Task != "babi" {
		trained = nil
	}
	tasks := f.tasks
	if tasks == nil {
		if len(trained) == 0 {
			return fmt.Errorf("checkpoint %s does not record bAbI tasks it was trained on (task %q); name them with --tasks", dir, info.Task)
		}
		tasks = trained
	}
	var untrained []int
	for _, t := range tasks {
		if !slices.Contains(trained, t) {
			untrained = append(untrained, t)
		}
	}
	if len(untrained) > 0 {
		fmt.Fprintf(log, "note: evaluating qa%s, which the checkpoint was not trained on (trained on %v)\n", joinInts(untrained, ",qa"), trained)
	}
	S := info.SegmentSize
	// Every task and length is built first: a missing test file or a
	// length no story fits in fails before hours of evaluation.
	built := map[[2]int]data.Task{}
	for _, t := range tasks {
		for _, n := range f.tokens {
			task, err := eval.BabilongTask(t, n, S, f.babiDir, f.noiseDir, f.seed, tok)
			if err != nil {
				return err
			}
			built[[2]int{t, n}] = task
		}
	}
	cell, err := graph.NewCell[float32](w, info.MemTokens, S, false)
	if err != nil {
		return err
	}
	// Compile the reading and generating graphs on one sample first, so
	// that the resident memory of each length is that of evaluating it.
	if warm, err := eval.BabilongTask(tasks[0], 2*S, S, f.babiDir, f.noiseDir, f.seed, tok); err == nil {
		if s, err := warm.SampleAt(0); err == nil {
			if _, _, err := eval.Answer(cell, tok, s); err != nil {
				return err
			}
		}
	}
	rep := eval.BabilongReport{Checkpoint: dir, Memory: "rmt", TrainedTasks: trained, Untrained: untrained, SegmentSize: S, MemTokens: info.MemTokens,
		Seed: f.seed, BabiDir: f.babiDir, NoiseDir: f.noiseDir}
	if rep.TrainedTasks == nil {
		rep.TrainedTasks = []int{}
	}
	saving := *save
	t0 := time.Now()
	for i, n := range f.tokens {
		for _, t := range tasks {
			k := f.samples[i]
			p := eval.NewProgress(log, fmt.Sprintf("babilong qa%d %s", t, f.lengths[i]), k, int64(k)*int64(max(n, S)), *every)
			r, err := eval.Babilong(cell, tok, built[[2]int{t, n}], f.lengths[i], k, p)
			if err != nil {
				return fmt.Errorf("qa%d at %s: %w", t, f.lengths[i], err)
			}
			rep.Results = append(rep.Results, r)
			fmt.Fprintf(log, "qa%d %s (%d tokens, %d segments): accuracy %.3f (%d/%d), %.1f s, %.0f tokens/s, RSS peak %.0f MiB, %.0f words/sample\n",
				t, r.Length, r.Tokens, r.Segments, r.Accuracy, r.Correct, r.Samples, r.Seconds, r.TokensPerSecond, r.PeakRSSMB, r.WordsPerSample)
			if saving {
				path, _, err := eval.SaveBabilong(dir, rep)
				if err != nil {
					// A read-only checkpoint folder must not cost the evaluation.
					fmt.Fprintf(log, "warning: results not saved beside the checkpoint: %v\n", err)
					saving = false
				} else if i == len(f.tokens)-1 && t == tasks[len(tasks)-1] {
					fmt.Fprintf(log, "results saved to %s\n", path)
				}
			}
		}
	}
	fmt.Fprintf(log, "evaluated in %s\n", time.Since(t0).Round(time.Second))
	if *plotFile != "" {
		if err := eval.PlotBabilong(*plotFile, rep); err != nil {
			return err
		}
		fmt.Fprintf(log, "heatmap saved to %s\n", *plotFile)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	babilongTable(out, rep)
	return nil
}

// babilongTable prints tasks x lengths (accuracy and its 95% interval), the
// average over tasks, then per length what reading it cost.
func babilongTable(w io.Writer, rep eval.BabilongReport) {
	tasks, lengths, cell := eval.BabilongGrid(rep.Results)
	tw := newTable(w)
	header := []any{"task"}
	for _, l := range lengths {
		header = append(header, l)
	}
	tw.Header(header...)
	for _, t := range tasks {
		name := fmt.Sprintf("qa%d", t)
		if slices.Contains(rep.Untrained, t) {
			name += " (not trained on)"
		}
		row := []any{name}
		for _, l := range lengths {
			text := "-"
			if x := cell(t, l); x != nil {
				text = fmt.Sprintf("%.2f (%.2f-%.2f)", x.Accuracy, x.CILow, x.CIHigh)
			}
			row = append(row, text)
		}
		tw.Append(row...)
	}
	if len(tasks) > 1 {
		row := []any{"average"}
		for _, l := range lengths {
			mean, n := eval.BabilongAverage(rep.Results, l)
			row = append(row, fmt.Sprintf("%.2f (%d tasks)", mean, n))
		}
		tw.Append(row...)
	}
	tw.Render()

	cost := newTable(w)
	cost.Header("length", "tokens", "segments", "samples", "words / sample", "seconds", "tokens/s", "peak RSS MiB")
	for _, l := range lengths {
		var tokens, segs, samples int
		var words, secs, peak float64
		var read int64
		for _, t := range tasks {
			if x := cell(t, l); x != nil {
				tokens, segs = max(tokens, x.Tokens), max(segs, x.Segments)
				samples += x.Samples
				words += x.WordsPerSample * float64(x.Samples)
				secs += x.Seconds
				read += x.TokensRead
				peak = max(peak, x.PeakRSSMB)
			}
		}
		tok := fmt.Sprint(tokens)
		if l == "0k" {
			tok = fmt.Sprintf("up to %d", tokens)
		}
		cost.Append(l, tok, fmt.Sprint(segs), fmt.Sprint(samples), fmt.Sprintf("%.0f", words/float64(max(samples, 1))),
			fmt.Sprintf("%.1f", secs), fmt.Sprintf("%.0f", float64(read)/max(secs, 1e-9)), fmt.Sprintf("%.0f", peak))
	}
	cost.Render()
}

func joinInts(xs []int, sep string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, sep)
}

func runBabiHoldout(args []string) error { return babiHoldout(os.Stdout, args) }

// babiHoldout writes the held-out share of bAbI training files (stories that
// neither training steps nor validation draw) as qaN_*_test.txt files, so
// that `eval babilong` can measure a model where the test split is absent.
func babiHoldout(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("babi-holdout", flag.ContinueOnError)
	babiDir := fs.String("babi-dir", "", "folder of bAbI qaN_*_train.txt files (folders joined by ':' are searched in order)")
	tasks := fs.String("tasks", "1,2,3,4,5", "bAbI tasks")
	outDir := fs.String("out", "", "folder to write qaN_*_test.txt into")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *babiDir == "" || *outDir == "" {
		return fmt.Errorf("--babi-dir and --out are required")
	}
	ts, err := data.ParseBabiTasks(*tasks)
	if err != nil {
		return fmt.Errorf("--tasks: %w", err)
	}
	files, questions, err := data.WriteBabiHoldout(*babiDir, ts, *outDir)
	if err != nil {
		return err
	}
	for i, f := range files {
		fmt.Fprintf(out, "%s: %d questions\n", f, questions[i])
	}
	return nil
}
