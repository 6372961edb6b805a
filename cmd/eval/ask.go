package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"golang.org/x/term"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/threadflag"
)

func runAsk(_ job, args []string) error { return ask(os.Stdout, os.Stdin, args) }

// ask reads --context (a file, or - for stdin) a segment at a time through
// the memory, then answers --question greedily, or without a question
// continues the text:
//
//	go run ./cmd/eval ask --checkpoint runs/qa --context book.txt --question "Where is Mary?"
func ask(out io.Writer, stdin io.Reader, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	kern := threadflag.Bind(fs)
	ckFlag := fs.String("checkpoint", "", "checkpoint, run or exported folder (with memory)")
	ctxFlag := fs.String("context", "", "file of the text to read, or - for stdin")
	question := fs.String("question", "", "question about the text (without it, the text is continued)")
	maxNew := fs.Int("max-new", 32, "most tokens to generate; generation stops at the end-of-text token")
	asJSON := fs.Bool("json", false, "print answer, tokens read, segments, seconds and tokens/s as JSON")
	every := fs.Duration("progress", 5*time.Second, "report progress on stderr at most this often (0: never)")
	gcPercent := fs.Int("gc-percent", eval.DefaultGCPercent, "Go collector target (GOGC) while reading; -1 keeps the GOGC environment's")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *gcPercent >= 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(*gcPercent))
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; flags start with --", fs.Arg(0))
	}
	if *ckFlag == "" {
		return fmt.Errorf("--checkpoint is required")
	}
	if *ctxFlag == "" {
		return fmt.Errorf("--context is required: a file, or - for stdin")
	}
	if *maxNew < 1 {
		return fmt.Errorf("--max-new %d, want at least 1", *maxNew)
	}
	ck, err := eval.LoadCheckpoint(*ckFlag)
	if err != nil {
		return err
	}
	cell, err := eval.ReadCell(ck)
	if err != nil {
		return err
	}
	if cell.Kernels, err = kern.Pool(); err != nil {
		return err
	}
	var r io.Reader = stdin
	if *ctxFlag != "-" {
		f, err := os.Open(*ctxFlag)
		if err != nil {
			return fmt.Errorf("--context: %w", err)
		}
		defer f.Close()
		r = f
	}
	ps, err := eval.AskStream(ck.Tokenizer, r, *question)
	if err != nil {
		return err
	}
	progress, shown := askProgress(*every)
	res, err := eval.Ask(cell, ck.Tokenizer, ps, *maxNew, progress)
	if *shown {
		fmt.Fprintln(os.Stderr) // end the progress line
	}
	if err != nil {
		return fmt.Errorf("--context %s: %w", *ctxFlag, err)
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(res)
	}
	fmt.Fprintln(out, res.Answer)
	fmt.Fprintf(os.Stderr, "read %d tokens (%d segments) in %.1f s, %.0f tokens/s\n", res.TokensRead, res.Segments, res.Seconds, res.TokensPerS)
	return nil
}

// askProgress prints the tokens read so far on one stderr line, at most
// every d (nil for d <= 0); shown says whether it left a line to end.
func askProgress(d time.Duration) (func(int64), *bool) {
	shown := new(bool)
	if d <= 0 {
		return nil, shown
	}
	t0 := time.Now()
	last := t0
	// On a terminal the line is rewritten in place; in a log file each
	// report is a line of its own.
	start, end := "\r", ""
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		start, end = "", "\n"
	}
	return func(read int64) {
		if now := time.Now(); now.Sub(last) >= d {
			last, *shown = now, end == "" // a rewritten line needs ending
			fmt.Fprintf(os.Stderr, "%sask: %d tokens read, %.0f tokens/s%s", start, read, float64(read)/now.Sub(t0).Seconds(), end)
		}
	}, shown
}
