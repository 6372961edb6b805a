package data

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestMakeQA: every generated line holds its fact once in book text, asks
// about the fact's person and answers with its place; samples need the
// segment counts asked for, and the same seed writes the same bytes.
func TestMakeQA(t *testing.T) {
	needShared(t, booksDir)
	cfg := MakeQAConfig{BooksDir: booksDir, Split: SplitEval, Samples: 30, MinSegments: 1, MaxSegments: 6, SegmentSize: 64, Seed: 5, Tokenizer: NewByteTokenizer()}
	var a, b bytes.Buffer
	st, err := MakeQA(cfg, &a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := MakeQA(cfg, &b); err != nil {
		t.Fatal(err)
	}
	if a.String() != b.String() {
		t.Fatal("the same seed wrote different lines")
	}
	lines := strings.Split(strings.TrimSpace(a.String()), "\n")
	if len(lines) != 30 || st.Samples != 30 {
		t.Fatalf("%d lines, want 30", len(lines))
	}
	for _, l := range lines {
		rec, err := ParseRecord([]byte(l), "qa")
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(rec.Question, "Where is "), "?")
		facts := 0
		for _, v := range moveVerbs {
			facts += strings.Count(rec.Context, name+" "+v+" to the "+rec.Answer+".")
		}
		if facts != 1 {
			t.Fatalf("line %.80s...: %d facts of %s in %s, want 1", l, facts, name, rec.Answer)
		}
	}
	for k, n := range st.Segments {
		if k < 1 || k > 6 {
			t.Fatalf("%d samples of %d segments, want 1 to 6", n, k)
		}
	}
	if len(st.Segments) < 4 {
		t.Fatalf("segment counts %v: want most of 1-6", st.Segments)
	}
	var l struct{ ID string }
	json.Unmarshal([]byte(lines[3]), &l)
	if l.ID != fmt.Sprintf("%s-3", SplitEval) {
		t.Fatalf("id %q", l.ID)
	}
}
