package train

import (
	"errors"
	"fmt"
	"strings"

	"github.com/rmtgo/rmt/data"
)

// checkData checks the dataset flags (task qa, or lm on --data).
func (c *Config) checkData() error {
	switch {
	case c.Task == "qa" && c.Data == "":
		return bad("task", "qa needs {data} (JSONL files of context/question/answer lines, docs/data.md)")
	case c.Data != "" && c.Task != "qa" && c.Task != "lm":
		return bad("data", "is for {task} qa or lm, not %s", c.Task)
	case c.Data != "" && c.TextDir != "":
		return bad("task", "lm reads {data} or {text_dir}, not both")
	case c.ValData != "" && c.Data == "":
		return bad("val_data", "goes with {data}")
	case !(c.ValShare >= 0 && c.ValShare < 1):
		return bad("val_share", "%g, want a share from 0 up to (not including) 1, e.g. 0.1", c.ValShare)
	}
	return nil
}

// DataFiles is --data as a list.
func (c Config) DataFiles() []string {
	var out []string
	for f := range strings.SplitSeq(c.Data, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// logData reports, before training, what a dataset of files gives: the
// lines of each split, the blank lines skipped, and how many training
// lines each stage can draw by segment count. A stage no line fits is an
// error naming the stage and the shortest line.
func (t *trainer) logData() error {
	c := t.cfg
	if c.Data == "" {
		return nil
	}
	for i, st := range c.Stages {
		tc, err := t.taskConfig(st.Segments, data.SplitTrain)
		if err != nil {
			return err
		}
		task, err := data.NewTask(tc)
		if err != nil {
			return fmt.Errorf("train: stage %d (%d segments): %w", i+1, st.Segments, err)
		}
		if i == 0 {
			ds, err := data.OpenDataset(data.DatasetConfig{Kind: datasetKind(c.Task), Files: tc.DataFiles, ValFile: tc.ValData, ValShare: tc.ValShare, Tokenizer: t.tok})
			if err != nil {
				return fmt.Errorf("train: %w", err)
			}
			fmt.Fprintf(t.opt.Log, "data: %d training and %d validation lines from %s\n", ds.Lines(data.SplitTrain), ds.Lines(data.SplitValid), strings.Join(ds.Paths(), ", "))
			for j, n := range ds.Blank {
				if n > 0 {
					fmt.Fprintf(t.opt.Log, "data: %s: %d blank lines skipped\n", ds.Paths()[j], n)
				}
			}
		}
		d := data.Drawable(task)
		total := 0
		var parts []string
		for k, n := range d {
			total += n
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%d seg: %d", k+1, n))
			}
		}
		fmt.Fprintf(t.opt.Log, "data: stage %d (%d segments) draws from %d training lines (%s)\n", i+1, st.Segments, total, strings.Join(parts, ", "))
		if i == len(c.Stages)-1 && c.Task == "qa" {
			if f, ok := task.(data.Finite); ok {
				ds, _ := data.OpenDataset(data.DatasetConfig{Kind: "qa", Files: tc.DataFiles, ValFile: tc.ValData, ValShare: tc.ValShare, Tokenizer: t.tok})
				if skipped := ds.Lines(data.SplitTrain) - f.Len(); skipped > 0 {
					fmt.Fprintf(t.opt.Log, "data: %d training lines need more than the last stage's %d segments and are never drawn\n", skipped, st.Segments)
				}
			}
		}
	}
	return nil
}

func datasetKind(task string) string {
	if task == "lm" {
		return "lm"
	}
	return "qa"
}

// valFallback is the validation task when the held-out data cannot give
// one (err from the eval split): for --data without validation lines that
// fit, the training lines; for --text-dir or --noise-dir folders too small
// for an eval split, every file. Either way a warning says that validation
// is then not held out.
func (t *trainer) valFallback(tc data.TaskConfig, err error) (data.Task, error) {
	var empty *data.EmptySplitError
	switch {
	case len(tc.DataFiles) > 0:
		tc.Split = data.SplitTrain
		vt, err2 := data.NewTask(tc)
		if err2 != nil {
			return nil, fmt.Errorf("train: validation data: %w", err)
		}
		fmt.Fprintf(t.opt.Log, "  warning: no validation line fits %d segments (%v); validating on training lines, which are not held out: give %s or a larger %s\n", tc.Segments, err, t.name("val_data"), t.name("val_share"))
		return vt, nil
	case errors.As(err, &empty):
		tc.EvalEvery = -1
		vt, err2 := data.NewTask(tc)
		if err2 != nil {
			return nil, fmt.Errorf("train: validation data: %w", err2)
		}
		fmt.Fprintf(t.opt.Log, "  warning: %v; validation draws its own samples from every file, so it is not held out\n", err)
		return vt, nil
	}
	return nil, fmt.Errorf("train: validation data: %w", err)
}
