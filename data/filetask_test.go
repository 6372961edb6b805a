package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeLines writes a JSONL file of lines into a temporary folder.
func writeLines(t *testing.T, name string, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func qaTaskOf(t *testing.T, files []string, n, S int, split string) Task {
	t.Helper()
	task, err := NewTask(TaskConfig{Name: "qa", Segments: n, SegmentSize: S, Seed: 3, DataFiles: files, Split: split, ValShare: 0.1, Batch: 4, Tokenizer: NewByteTokenizer()})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// TestQASampleLayout: a hand-made line becomes " context" " question"
// " Answer:" " answer" EOS, the mask marks the answer and EOS alone, and the
// three accepted layouts give the same sample.
func TestQASampleLayout(t *testing.T) {
	lines := []string{
		`{"id":"a","context":"  Mary went home. ","question":"Where is Mary?","answer":"home"}`,
		`{"id":"a","input":"Mary went home.","question":"Where is Mary?","target":" home"}`,
	}
	want := " Mary went home. Where is Mary? Answer: home"
	for _, line := range lines {
		task := qaTaskOf(t, []string{writeLines(t, "d.jsonl", line)}, 4, 16, SplitTrain)
		s, err := task.SampleAt(0)
		if err != nil {
			t.Fatal(err)
		}
		ids := append([]int(nil), s.IDs...)
		if ids[len(ids)-1] != ByteEOS {
			t.Fatalf("last id %d, want EOS", ids[len(ids)-1])
		}
		if got := string(bytesOf(ids[:len(ids)-1])); got != want {
			t.Fatalf("sample %q, want %q", got, want)
		}
		if s.AnswerStart != len(want)-len(" home") || s.Answer != "home" {
			t.Fatalf("answer at %d (%q), want %d (home)", s.AnswerStart, s.Answer, len(want)-len(" home"))
		}
		for i, m := range s.LabelMask {
			if m != (i >= s.AnswerStart) {
				t.Fatalf("mask[%d] = %v: only the answer and EOS are targets", i, m)
			}
		}
		if q := string(bytesOf(s.IDs[s.Question.Start:s.Question.End])); q != " Where is Mary?" {
			t.Fatalf("question span %q", q)
		}
	}
	// prompt/completion: the prompt is the context, no question.
	task := qaTaskOf(t, []string{writeLines(t, "p.jsonl", `{"prompt":"2+2=","completion":"4"}`)}, 1, 32, SplitTrain)
	s, _ := task.SampleAt(0)
	if got := string(bytesOf(s.IDs[:len(s.IDs)-1])); got != " 2+2= Answer: 4" {
		t.Fatalf("prompt/completion sample %q", got)
	}
}

func bytesOf(ids []int) []byte {
	b := make([]byte, len(ids))
	for i, id := range ids {
		b[i] = byte(id)
	}
	return b
}

// TestQABadInput: every kind of bad line is an error naming the file and
// the line; blank lines are skipped and counted.
func TestQABadInput(t *testing.T) {
	good := `{"context":"c","question":"q","answer":"a"}`
	for _, tc := range []struct{ name, line, want string }{
		{"malformed JSON", `{"context":"c",`, "malformed JSON"},
		{"not an object", `["c","q","a"]`, "want an object"},
		{"missing field", `{"context":"c","question":"q"}`, `field "answer" is missing`},
		{"empty field", `{"context":"c","question":" ","answer":"a"}`, `field "question" is empty`},
		{"non-string field", `{"context":"c","question":"q","answer":4}`, `field "answer" is a number, want a string`},
		{"no known fields", `{"foo":"c"}`, "want context/question/answer"},
		{"invalid UTF-8", "{\"context\":\"c\xff\",\"question\":\"q\",\"answer\":\"a\"}", "invalid UTF-8"},
		{"bad id", `{"id":[1],"context":"c","question":"q","answer":"a"}`, `field "id" is an array`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeLines(t, "bad.jsonl", good, "", tc.line, good)
			_, err := OpenDataset(DatasetConfig{Kind: "qa", Files: []string{p}, Tokenizer: NewByteTokenizer()})
			if err == nil || !strings.Contains(err.Error(), p+" line 3") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one naming %s line 3 and %q", err, p, tc.want)
			}
		})
	}
	empty := writeLines(t, "empty.jsonl")
	if _, err := OpenDataset(DatasetConfig{Kind: "qa", Files: []string{empty}, Tokenizer: NewByteTokenizer()}); err == nil || !strings.Contains(err.Error(), empty+" is empty") {
		t.Fatalf("empty file: %v", err)
	}
	if _, err := OpenDataset(DatasetConfig{Kind: "qa", Files: []string{filepath.Join(t.TempDir(), "none.jsonl")}, Tokenizer: NewByteTokenizer()}); err == nil || !strings.Contains(err.Error(), "none.jsonl") {
		t.Fatalf("missing file: %v", err)
	}
	lm := writeLines(t, "lm.jsonl", `{"text":"hello"}`, `{"text":7}`)
	if _, err := OpenDataset(DatasetConfig{Kind: "lm", Files: []string{lm}, Tokenizer: NewByteTokenizer()}); err == nil || !strings.Contains(err.Error(), lm+` line 2: field "text" is a number`) {
		t.Fatalf("lm non-string text: %v", err)
	}
	p := writeLines(t, "blanks.jsonl", "", good, "  ", "", good, "")
	ds, err := OpenDataset(DatasetConfig{Kind: "qa", Files: []string{p}, Tokenizer: NewByteTokenizer()})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Blank[0] != 3 || ds.Lines(SplitTrain) != 2 {
		t.Fatalf("blank %v, lines %d; want 3 blank lines counted and 2 usable", ds.Blank, ds.Lines(SplitTrain))
	}
}

// manyLines is n question lines whose contexts grow with the line number.
func manyLines(n int, withID bool) []string {
	var out []string
	for i := range n {
		id := ""
		if withID {
			id = fmt.Sprintf(`"id":"s%d",`, i)
		}
		out = append(out, fmt.Sprintf(`{%s"context":"%s","question":"q%d?","answer":"a%d"}`, id, strings.Repeat("x", 3*i+1), i, i))
	}
	return out
}

// TestValShare: the validation share is disjoint from training, about the
// share asked for, the same when the files are indexed again (another run,
// a resume), and follows the ids, not the line order.
func TestValShare(t *testing.T) {
	lines := manyLines(400, true)
	p := writeLines(t, "v.jsonl", lines...)
	cfg := DatasetConfig{Kind: "qa", Files: []string{p}, ValShare: 0.1, Tokenizer: NewByteTokenizer()}
	a, err := indexDataset(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := indexDataset(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(d *Dataset, split string) map[string]bool {
		m := map[string]bool{}
		for _, r := range d.split(split) {
			rec, err := d.read(r)
			if err != nil {
				t.Fatal(err)
			}
			m[rec.ID] = true
		}
		return m
	}
	train, val := ids(a, SplitTrain), ids(a, SplitEval)
	if len(val) < 20 || len(val) > 60 || len(train)+len(val) != 400 {
		t.Fatalf("%d validation and %d training lines of 400 at share 0.1", len(val), len(train))
	}
	for id := range val {
		if train[id] {
			t.Fatalf("line %s is in both splits", id)
		}
	}
	if fmt.Sprint(ids(b, SplitEval)) != fmt.Sprint(val) {
		t.Fatal("the validation share changed between two indexings of the same file")
	}
	// Shuffled lines keep their ids' split.
	rev := append([]string(nil), lines...)
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	c, err := indexDataset(DatasetConfig{Kind: "qa", Files: []string{writeLines(t, "r.jsonl", rev...)}, ValShare: 0.1, Tokenizer: NewByteTokenizer()})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(ids(c, SplitEval)) != fmt.Sprint(val) {
		t.Fatal("the validation share follows the line order, not the ids")
	}
	// Training draws never touch a validation line.
	task := qaTaskOf(t, []string{p}, 64, 32, SplitTrain)
	for i := range 500 {
		s, err := task.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		q := string(bytesOf(s.IDs[s.Question.Start:s.Question.End]))
		var k int
		fmt.Sscanf(q, " q%d?", &k)
		if val[fmt.Sprintf("s%d", k)] {
			t.Fatalf("training sample %d is validation line s%d", i, k)
		}
	}
}

// TestStageDrawing: a stage of n segments draws only samples that need at
// most n segments, a micro-batch shares one segment count, every fitting
// count is drawn, and a stage no sample fits is an error naming the
// shortest sample.
func TestStageDrawing(t *testing.T) {
	p := writeLines(t, "s.jsonl", manyLines(120, false)...) // 15 to 372 tokens
	const S = 64
	for _, n := range []int{1, 3, 6} {
		task := qaTaskOf(t, []string{p}, n, S, SplitTrain)
		seen := map[int]bool{}
		for g := range 60 {
			k0 := -1
			for b := range 4 {
				s, err := task.SampleAt(4*g + b)
				if err != nil {
					t.Fatal(err)
				}
				k := ceilDiv(len(s.IDs), S)
				if k > n {
					t.Fatalf("stage of %d segments drew a sample of %d tokens (%d segments)", n, len(s.IDs), k)
				}
				if k0 >= 0 && k != k0 {
					t.Fatalf("micro-batch %d mixes %d and %d segments", g, k0, k)
				}
				k0 = k
				seen[k] = true
			}
		}
		d := Drawable(task)
		for k := 1; k <= n; k++ {
			if k-1 < len(d) && d[k-1] > 0 && !seen[k] {
				t.Errorf("stage %d: %d lines need %d segments but none was drawn", n, d[k-1], k)
			}
		}
	}
	long := writeLines(t, "l.jsonl", `{"context":"`+strings.Repeat("y", 200)+`","question":"q?","answer":"a"}`)
	_, err := NewTask(TaskConfig{Name: "qa", Segments: 2, SegmentSize: 64, DataFiles: []string{long}, Tokenizer: NewByteTokenizer()})
	if err == nil || !strings.Contains(err.Error(), "2 segments") || !strings.Contains(err.Error(), long+" line 1") || !strings.Contains(err.Error(), "needs 4 segments") {
		t.Fatalf("error %v, want one naming the stage and the shortest sample", err)
	}
}

// TestTextEncoder: a text longer than a block gives the same ids from a
// string and from a reader with white space around it, and a short text
// the tokenizer's own ids.
func TestTextEncoder(t *testing.T) {
	tok := NewByteTokenizer()
	var sb strings.Builder
	for i := 0; sb.Len() < 3*textBlock; i++ {
		fmt.Fprintf(&sb, "word%d  \n", i)
		if i%1000 == 0 {
			sb.WriteString(strings.Repeat("z", 70000)) // a block without space
		}
	}
	text := sb.String()
	a, err := EncodeText(tok, text)
	if err != nil {
		t.Fatal(err)
	}
	e := NewTextEncoder(tok, io.MultiReader(strings.NewReader(" \n "), strings.NewReader(text), strings.NewReader("\n\n")))
	var b []int
	for {
		if b, err = e.Next(b); err != nil {
			break
		}
	}
	if err != io.EOF || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("reader and string differ (%v)", err)
	}
	if string(bytesOf(a)) != " "+strings.TrimSpace(text) {
		t.Fatal("the byte tokenizer's ids are not the trimmed text with a space in front")
	}
}
