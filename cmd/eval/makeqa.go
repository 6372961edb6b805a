package main

import (
	"bufio"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/rmtgo/rmt/eval"
)

// runMakeQA writes data.MakeQA's samples:
//
//	go run ./cmd/eval make-qa --books ../shared/corpus/books --model ../shared/models/stories260K \
//	    --split train --samples 2000 --segments 1-64 --segment-size 128 --out train.jsonl
func runMakeQA(_ job, args []string) error {
	fs := flag.NewFlagSet("make-qa", flag.ContinueOnError)
	books := fs.String("books", "", "folder of .txt books (every 5th file by name is the eval split)")
	model := fs.String("model", "", "model or checkpoint folder whose tokenizer sizes the contexts (default: the byte tokenizer)")
	split := fs.String("split", eval.SplitTrain, "books to read: train or eval")
	samples := fs.Int("samples", 100, "lines to write")
	segs := fs.String("segments", "1-64", "segment counts of the samples, uniform over MIN-MAX (or one count)")
	segSize := fs.Int("segment-size", 128, "tokens per segment")
	seed := fs.Int64("seed", 1, "seed of the samples")
	out := fs.String("out", "", "JSONL file to write")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; flags start with --", fs.Arg(0))
	}
	if *books == "" || *out == "" {
		return fmt.Errorf("--books and --out are required")
	}
	var lo, hi int
	if n, err := fmt.Sscanf(*segs, "%d-%d", &lo, &hi); n != 2 || err != nil {
		if _, err := fmt.Sscanf(*segs, "%d", &lo); err != nil {
			return fmt.Errorf("--segments %q: want MIN-MAX such as 1-64, or one count", *segs)
		}
		hi = lo
	}
	tok, err := eval.LoadTokenizer(*model) // "": the byte tokenizer
	if err != nil {
		return err
	}
	f, err := os.Create(*out)
	if err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	bw := bufio.NewWriter(f)
	st, err := eval.WriteQASet(eval.QASet{BooksDir: *books, Split: *split, Tokenizer: tok, Samples: *samples, MinSegments: lo, MaxSegments: hi,
		SegmentSize: *segSize, Seed: *seed}, bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "wrote %d samples, %d tokens, to %s; samples per segment count:", st.Samples, st.Tokens, *out)
	for _, k := range slices.Sorted(maps.Keys(st.Segments)) {
		fmt.Fprintf(os.Stderr, " %d:%d", k, st.Segments[k])
	}
	fmt.Fprintln(os.Stderr)
	return nil
}
