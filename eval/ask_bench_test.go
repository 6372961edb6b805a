package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/internal/testutil"
)

// BenchmarkAsk1M asks a question about a context of about 1M stories260K
// tokens (a fact hidden in eval books, data.MakeQA) and about 1k tokens,
// reading each from a file, and prints tokens/s and the peak resident set
// of each read: flat in the length, since only the memory is carried. The
// checkpoint is RMT_ASK_CHECKPOINT, or stories260K with random memory.
// RMT_ASK_TOKENS sets the long length. Not a test; run
//
//	go test ./eval -run '^$' -bench Ask1M -benchtime 1x
func BenchmarkAsk1M(b *testing.B) {
	books := testutil.Shared(b, "corpus/books")
	var cell *graph.Cell[float32]
	var tok data.Tokenizer
	S := 128
	if dir := os.Getenv("RMT_ASK_CHECKPOINT"); dir != "" {
		ck, err := LoadCheckpoint(dir)
		if err != nil {
			b.Fatal(err)
		}
		S, tok = ck.RMT.SegmentSize, ck.Tokenizer
		if cell, err = graph.NewMemoryCell[float32](ck.Weights, ck.RMT.Kind(), S, false); err != nil {
			b.Fatal(err)
		}
	} else {
		m, err := LoadModel(testutil.Shared(b, "models/stories260K"))
		if err != nil {
			b.Fatal(err)
		}
		if err := graph.InitMemory(m.Weights, 16, 1); err != nil {
			b.Fatal(err)
		}
		tok = m.Tokenizer
		if cell, err = graph.NewMemoryCell[float32](m.Weights, graph.Memory{Kind: graph.KindRMT, Tokens: 16}, S, false); err != nil {
			b.Fatal(err)
		}
	}
	defer debug.SetGCPercent(debug.SetGCPercent(DefaultGCPercent))
	long := 1 << 20
	if v := os.Getenv("RMT_ASK_TOKENS"); v != "" {
		long, _ = strconv.Atoi(v)
	}
	for b.Loop() {
		for _, segs := range []int{8, max(1, long/S)} {
			path, question, answer := askContext(b, books, tok, S, segs)
			var r AskResult
			peak, err := bench.PeakDuring(func() error {
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				defer f.Close()
				ps, err := data.QuestionStream(tok, bufio.NewReader(f), question, "", 0)
				if err != nil {
					return err
				}
				r, err = Ask(cell, tok, ps, 8, nil)
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			fmt.Printf("ask: %d tokens read (%d segments) in %.1f s, %.0f tokens/s, peak RSS %.0f MiB; answer %q, expected %q\n",
				r.TokensRead, r.Segments, r.Seconds, r.TokensPerS, peak, r.Answer, answer)
		}
	}
}

// askContext writes the context of a make-qa sample of segs segments to a
// file and returns it with the question and answer; nothing of the text
// stays in memory.
func askContext(b *testing.B, books string, tok data.Tokenizer, S, segs int) (path, question, answer string) {
	var line strings.Builder
	if _, err := data.MakeQA(data.MakeQAConfig{BooksDir: books, Split: data.SplitEval, Samples: 1, MinSegments: segs, MaxSegments: segs,
		SegmentSize: S, Seed: 7, Tokenizer: tok}, &line); err != nil {
		b.Fatal(err)
	}
	var rec struct{ Context, Question, Answer string }
	if err := json.Unmarshal([]byte(line.String()), &rec); err != nil {
		b.Fatal(err)
	}
	path = filepath.Join(b.TempDir(), "context.txt")
	if err := os.WriteFile(path, []byte(rec.Context), 0o644); err != nil {
		b.Fatal(err)
	}
	return path, rec.Question, rec.Answer
}
