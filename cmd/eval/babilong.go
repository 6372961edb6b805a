package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/internal/threadflag"
	"github.com/rmtgo/rmt/provenance"
)

func runBabilong(j job, args []string) error { return babilong(j, os.Stdout, os.Stderr, args) }

// babilong evaluates a checkpoint on BABILong (eval.BabilongSweep): for
// each length, each task, streaming every sample through the memory a
// segment at a time; results are kept in CHECKPOINT/eval/babilong.json
// after every cell.
func babilong(j job, out, log io.Writer, args []string) error {
	fs := flag.NewFlagSet("babilong", flag.ContinueOnError)
	kern := threadflag.Bind(fs)
	ck := fs.String("checkpoint", "", "checkpoint directory, run directory (its best checkpoint) or exported folder")
	babiDir := fs.String("babi-dir", "", "folder of bAbI qaN_*_test.txt files (the test split; folders joined by ':' are searched in order)")
	noiseDir := fs.String("noise-dir", "", "folder of .txt books; the eval split of it (every 5th book) is the background")
	tasks := fs.String("tasks", "", "bAbI tasks, e.g. 1,2,3,4,5 (default: the tasks the checkpoint was trained on)")
	lengths := fs.String("lengths", strings.Join(eval.BabilongLengths(), ","), "lengths: 0k (the story alone), then in --units: 1k = 1,000 GPT-2 tokens (gpt2) or 1,024 model tokens (model)")
	units := fs.String("units", eval.UnitsGPT2, "unit of --lengths: gpt2 (BABILong's: GPT-2 tokens of the whole sample, k = 1,000; unfiltered background) or model (the model's tokens, k = 1,024; background filtered of task entities)")
	align := fs.String("align", eval.AlignLeft, "how a sample is cut into segments: left (from its start) or right (from its end, so the question ends where a training sample's does)")
	room := fs.Int("answer-room", 0, "with --align right: tokens left after each prompt (0: the checkpoint's answer_room from training)")
	noiseFilter := fs.Bool("noise-filter", false, "with --units gpt2: drop background sentences that name a task entity (BABILong keeps them)")
	trainDir := fs.String("babi-train-dir", "", "folder of bAbI qaN_*_train.txt files whose training share gives the question-only baseline (default: --babi-dir)")
	control := fs.String("control", "", "no-memory control checkpoint, evaluated on the same cells and shown beside")
	outFile := fs.String("out", "", "save the results to this .json file instead of CHECKPOINT/eval/babilong.json (needed when the saved cells were measured on other data)")
	samples := fs.String("samples", "100", "samples per task and length: one number, or one per --lengths entry")
	seed := fs.Int64("seed", 424242, "seed of the evaluation samples")
	asJSON := fs.Bool("json", false, "print one JSON document")
	plotFile := fs.String("plot", "", "also draw the heatmap (tasks x lengths) into this .png")
	save := fs.Bool("save", true, "keep the results in CHECKPOINT/eval/babilong.json")
	every := fs.Duration("progress", 10*time.Second, "report progress on stderr at most this often (0: never)")
	gcPercent := fs.Int("gc-percent", eval.DefaultGCPercent, "Go collector target (GOGC) while evaluating; -1 keeps the GOGC environment's")
	saved := fs.Bool("saved", false, "evaluate nothing: print (and --plot) every cell saved beside the checkpoint so far")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *saved {
		if *ck == "" {
			return fmt.Errorf("--checkpoint is required")
		}
		res, err := eval.LoadResults(*ck)
		if err != nil {
			return err
		}
		if res.Babilong == nil {
			return fmt.Errorf("--saved: %s holds no %s; run babilong on the checkpoint first", res.Dir, eval.BabilongFile)
		}
		return babilongOutput(out, log, *res.Babilong, *plotFile, *asJSON)
	}
	run := eval.BabilongRun{BabiDir: *babiDir, NoiseDir: *noiseDir, Seed: *seed, GCPercent: *gcPercent, Save: *save, Log: log, Every: *every, Kernels: *kern,
		Units: *units, NoiseFilter: *noiseFilter, Align: *align, AnswerRoom: *room, BabiTrainDir: *trainDir, Out: *outFile, Command: commandLine(args)}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("unexpected argument %q; every input is a flag", fs.Arg(0))
	case *ck == "":
		return fmt.Errorf("--checkpoint is required")
	case run.BabiDir == "":
		return fmt.Errorf("--babi-dir is required (a folder of bAbI qaN_*_test.txt files)")
	case run.NoiseDir == "":
		return fmt.Errorf("--noise-dir is required (a folder of .txt books)")
	case run.Units != eval.UnitsGPT2 && run.Units != eval.UnitsModel:
		return fmt.Errorf("--units %q, want %s or %s", run.Units, eval.UnitsGPT2, eval.UnitsModel)
	case run.Align != eval.AlignLeft && run.Align != eval.AlignRight:
		return fmt.Errorf("--align %q, want left or right", run.Align)
	case run.NoiseFilter && run.Units == eval.UnitsModel:
		return fmt.Errorf("--noise-filter is for --units gpt2; model units always filter")
	}
	if *tasks != "" {
		var err error
		if run.Tasks, err = eval.ParseBabiTasks(*tasks); err != nil {
			return fmt.Errorf("--tasks: %w", err)
		}
	}
	for l := range strings.SplitSeq(*lengths, ",") {
		l = strings.TrimSpace(l)
		if _, err := eval.ParseLengthIn(l, run.Units); err != nil {
			return fmt.Errorf("--lengths: %w", err)
		}
		if slices.Contains(run.Lengths, l) {
			return fmt.Errorf("--lengths: %s is given twice", l)
		}
		run.Lengths = append(run.Lengths, l)
	}
	per, err := eval.ParseInts(*samples)
	if err != nil || (len(per) != 1 && len(per) != len(run.Lengths)) {
		return fmt.Errorf("--samples %q: give one count, or one per --lengths entry (%d)", *samples, len(run.Lengths))
	}
	if slices.Min(per) < 1 {
		return fmt.Errorf("--samples %d, want at least 1", slices.Min(per))
	}
	run.Samples = per
	c, err := eval.LoadCheckpoint(*ck)
	if err != nil {
		return err
	}
	if *control != "" {
		if run.Control, err = eval.LoadCheckpoint(*control); err != nil {
			return fmt.Errorf("--control: %w", err)
		}
	}
	t0 := time.Now()
	run.Comm = j.comm
	rep, err := eval.BabilongSweep(c, run)
	if err != nil {
		return err
	}
	if !j.comm.Root() {
		return nil // rank 0 draws and prints
	}
	fmt.Fprintf(log, "evaluated in %s\n", time.Since(t0).Round(time.Second))
	return babilongOutput(out, log, rep, *plotFile, *asJSON)
}

// babilongOutput draws the heatmap when asked and prints the report as
// JSON or as tables.
func babilongOutput(out, log io.Writer, rep eval.BabilongReport, plotFile string, asJSON bool) error {
	if plotFile != "" {
		if err := eval.PlotBabilong(plotFile, rep); err != nil {
			return err
		}
		fmt.Fprintf(log, "heatmap saved to %s\n", plotFile)
	}
	if asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	babilongTable(out, rep)
	return nil
}

// babilongTable prints tasks x lengths (accuracy and its 95% interval),
// each task's no-memory control beside it where there is one and its two
// baselines at the end of its row, the average over tasks, then per length
// what a sample is in both units and what reading it cost.
func babilongTable(w io.Writer, rep eval.BabilongReport) {
	tasks, lengths, cell := eval.BabilongGrid(rep.Results)
	units := rep.Units
	if units == "" {
		units = eval.UnitsModel
	}
	fmt.Fprintf(w, "lengths in %s units\n", units)
	tw := table.New(w)
	header := []any{"task"}
	for _, l := range lengths {
		header = append(header, l)
	}
	header = append(header, "question only", "last candidate")
	tw.Header(header...)
	base := func(t int) (string, string) {
		for _, b := range rep.Baselines {
			if b.Task == t {
				return fmt.Sprintf("%.2f", b.QuestionOnly), fmt.Sprintf("%.2f", b.LastCandidate)
			}
		}
		return "-", "-"
	}
	few := false
	row := func(name string, t int, cell func(int, string) *eval.BabilongResult, withBase bool) []any {
		r := []any{name}
		for _, l := range lengths {
			text := "-"
			if x := cell(t, l); x != nil {
				text = fmt.Sprintf("%.2f (%.2f-%.2f)", x.Accuracy, x.CILow, x.CIHigh)
				if x.DistinctQuestions > 0 && x.DistinctQuestions < x.Samples {
					text += fmt.Sprintf(" [%d q]", x.DistinctQuestions)
					few = true
				}
			}
			r = append(r, text)
		}
		q, c := "", ""
		if withBase {
			q, c = base(t)
		}
		return append(r, q, c)
	}
	var ctl func(int, string) *eval.BabilongResult
	if rep.Control != nil {
		_, _, ctl = eval.BabilongGrid(rep.Control.Results)
	}
	for _, t := range tasks {
		name := fmt.Sprintf("qa%d", t)
		if slices.Contains(rep.Untrained, t) {
			name += " (not trained on)"
		}
		tw.Append(row(name, t, cell, true)...)
		if ctl != nil {
			tw.Append(row(fmt.Sprintf("qa%d control", t), t, ctl, false)...)
		}
	}
	if len(tasks) > 1 {
		r := []any{"average"}
		for _, l := range lengths {
			mean, n := eval.BabilongAverage(rep.Results, l)
			r = append(r, fmt.Sprintf("%.2f (%d tasks)", mean, n))
		}
		tw.Append(append(r, "", "")...)
	}
	tw.Render()
	if few {
		fmt.Fprintln(w, "[N q]: the cell's samples ask only N different questions; its interval counts each once")
	}

	cost := table.New(w)
	cost.Header("length", "GPT-2 tokens", "model tokens", "segments", "samples", "words / sample", "seconds", "tokens/s", "peak RSS MiB")
	for _, l := range lengths {
		var tokens, segs, samples int
		var words, gpt2, model, secs, peak float64
		var read int64
		for _, t := range tasks {
			if x := cell(t, l); x != nil {
				tokens, segs = max(tokens, x.Tokens), max(segs, x.Segments)
				samples += x.Samples
				words += x.WordsPerSample * float64(x.Samples)
				gpt2 += x.GPT2Tokens * float64(x.Samples)
				model += x.ModelTokens * float64(x.Samples)
				secs += x.Seconds
				read += x.TokensRead
				peak = max(peak, x.PeakRSSMB)
			}
		}
		n := float64(max(samples, 1))
		tok := fmt.Sprintf("%.0f", model/n)
		if model == 0 { // files written before model_tokens
			tok = fmt.Sprint(tokens)
		}
		g := fmt.Sprintf("%.0f", gpt2/n)
		if gpt2 == 0 {
			g = "-"
		}
		if l == "0k" && units == eval.UnitsModel {
			tok = fmt.Sprintf("up to %d", tokens)
		}
		cost.Append(l, g, tok, fmt.Sprint(segs), fmt.Sprint(samples), fmt.Sprintf("%.0f", words/n),
			fmt.Sprintf("%.1f", secs), fmt.Sprintf("%.0f", float64(read)/max(secs, 1e-9)), fmt.Sprintf("%.0f", peak))
	}
	cost.Render()
}

func runBabiHoldout(_ job, args []string) error { return babiHoldout(os.Stdout, args) }

// babiHoldout writes the held-out share of bAbI training files (stories that
// neither training steps nor validation draw) as qaN_*_test.txt files, so
// that `eval babilong` can measure a model where the test split is absent.
func babiHoldout(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("babi-holdout", flag.ContinueOnError)
	babiDir := fs.String("babi-dir", "", "folder of bAbI qaN_*_train.txt files (folders joined by ':' are searched in order)")
	tasks := fs.String("tasks", "1,2,3,4,5", "bAbI tasks")
	outDir := fs.String("out", "", "folder to write qaN_*_test.txt into")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *babiDir == "" || *outDir == "" {
		return fmt.Errorf("--babi-dir and --out are required")
	}
	ts, err := eval.ParseBabiTasks(*tasks)
	if err != nil {
		return fmt.Errorf("--tasks: %w", err)
	}
	files, err := eval.WriteBabiHoldout(*babiDir, ts, *outDir)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintf(out, "%s: %d questions (%d stories; dropped %d stories, %d questions, that also occur in the training share)\n",
			f.Path, f.Questions, f.Stories, f.Dropped, f.DroppedQuestions)
	}
	return nil
}

// commandLine is the command as typed, with absolute paths made relative
// (results never record a machine's paths).
func commandLine(args []string) string {
	out := []string{"eval", "babilong"}
	for _, a := range args {
		k, v, ok := strings.Cut(a, "=")
		switch {
		case ok && filepath.IsAbs(v):
			a = k + "=" + provenance.RelPath(v)
		case filepath.IsAbs(a):
			a = provenance.RelPath(a)
		}
		out = append(out, a)
	}
	return strings.Join(out, " ")
}
