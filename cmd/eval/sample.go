package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/rmtgo/rmt/eval"
)

// runSample prints one task sample as a model would see it:
//
//	go run ./cmd/eval sample --task detect --segments 4 --segment-size 512 --seed 1 --noise-dir ../shared/corpus/books
func runSample(_ job, args []string) error {
	fs := flag.NewFlagSet("sample", flag.ContinueOnError)
	task := fs.String("task", "memorize", "task: "+eval.TaskNames())
	segments := fs.Int("segments", 2, "segments per sample (n)")
	segSize := fs.Int("segment-size", 256, "tokens per segment (S); a sample has n*S tokens")
	seed := fs.Int64("seed", 0, "seed of the sample stream")
	index := fs.Int("index", 0, "which sample of the seed's stream")
	model := fs.String("model", "", "HuggingFace folder whose tokenizer.json to use (default: the byte tokenizer)")
	noiseDir := fs.String("noise-dir", "", "directory of .txt books for background noise (default: built-in filler)")
	babiDir := fs.String("babi-dir", "", "folder of bAbI qaN_*_train.txt files (task babi; folders joined by ':' are searched in order)")
	babiTask := fs.String("babi-task", "1", "bAbI tasks to draw from, e.g. 1 or 1,2,5 (qa1-qa20 where the files exist)")
	textDir := fs.String("text-dir", "", "directory of long .txt documents (task lm)")
	split := fs.String("split", eval.SplitTrain, "data split: train or eval (they use different files)")
	evalEvery := fs.Int("eval-every", eval.DefaultEvalEvery, "split rule: every k-th file (by name) is eval; -1 shares all files")
	dataFiles := fs.String("data", "", "JSONL files, comma-separated (task qa, or lm on text lines; docs/data.md)")
	valShare := fs.Float64("val-share", eval.DefaultValShare, "share of --data lines held out as the eval split")
	context := fs.Int("context", 48, "noise tokens shown at each end of a noise run; 0 shows everything")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	spec := eval.SampleSpec{Task: *task, Segments: *segments, SegmentSize: *segSize, Seed: *seed, Index: *index, Model: *model,
		NoiseDir: *noiseDir, TextDir: *textDir, BabiDir: *babiDir, BabiTasks: *babiTask, Split: *split, EvalEvery: *evalEvery,
		ValShare: *valShare, Context: *context}
	if *dataFiles != "" {
		spec.DataFiles = strings.Split(*dataFiles, ",")
	}
	tokens, err := eval.ShowSample(os.Stdout, spec)
	if err != nil {
		return err
	}
	// A sample of natural length (task qa) takes as many segments as it needs.
	fmt.Printf("segments: %d (%d tokens in segments of %d)\n", (tokens+*segSize-1) / *segSize, tokens, *segSize)
	return nil
}
