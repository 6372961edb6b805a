package main

import (
	"flag"
	"fmt"

	"github.com/rmtgo/rmt/eval"
)

// questionFlags are the flags that pick the evaluation samples of a task
// with answers (memorize, detect, reasoning, babi), shared by the commands
// that read such samples through a checkpoint.
type questionFlags struct {
	task, noise, babiDir, babiTask *string
	seed                           *int64
	babi                           []int // parsed --babi-task, after check
}

func addQuestionFlags(fs *flag.FlagSet) *questionFlags {
	return &questionFlags{
		task:     fs.String("task", "memorize", "memorize, detect, reasoning or babi"),
		noise:    fs.String("noise-dir", "", "folder of .txt books for the background (default: built-in filler)"),
		babiDir:  fs.String("babi-dir", "", "bAbI folder (task babi)"),
		babiTask: fs.String("babi-task", "", "bAbI tasks, e.g. 1,2"),
		seed:     fs.Int64("seed", 424242, "seed of the evaluation samples"),
	}
}

// check refuses lm (no answers) and parses --babi-task.
func (q *questionFlags) check() error {
	if *q.task == "lm" {
		return fmt.Errorf("--task lm has no answers; use 'eval perplexity' for language modelling")
	}
	if *q.babiTask != "" {
		var err error
		if q.babi, err = eval.ParseBabiTasks(*q.babiTask); err != nil {
			return fmt.Errorf("--babi-task: %w", err)
		}
	}
	return nil
}

// questions are the samples the flags pick (after check).
func (q *questionFlags) questions() eval.Questions {
	return eval.Questions{Task: *q.task, NoiseDir: *q.noise, BabiDir: *q.babiDir, BabiTasks: q.babi, Seed: *q.seed}
}
