package data

import (
	"os"
	"path/filepath"
	"testing"
)

// With RaggedEnd a babi sample keeps its segment count but ends anywhere in
// its last segment, the question and answer closing it; without it every
// sample ends at the last segment's end.
func TestBabiRaggedEnd(t *testing.T) {
	dir := t.TempDir()
	story := "1 Mary went to the garden.\n2 John moved to the hallway.\n3 Where is Mary?\tgarden\t1\n"
	if err := os.WriteFile(filepath.Join(dir, "qa1_single-supporting-fact_train.txt"), []byte(story+story+story), 0o644); err != nil {
		t.Fatal(err)
	}
	const n, S = 3, 96
	mk := func(ragged bool) Task {
		task, err := NewTask(TaskConfig{Name: "babi", Segments: n, SegmentSize: S, Seed: 5, BabiDir: dir, BabiTasks: []int{1},
			RaggedEnd: ragged, Tokenizer: NewByteTokenizer()})
		if err != nil {
			t.Fatal(err)
		}
		return task
	}
	fixed, ragged := mk(false), mk(true)
	lengths := map[int]bool{}
	for i := range 200 {
		s, err := fixed.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.IDs) != n*S {
			t.Fatalf("sample %d without RaggedEnd has %d tokens, want %d", i, len(s.IDs), n*S)
		}
		r, err := ragged.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.IDs) <= (n-1)*S || len(r.IDs) > n*S {
			t.Fatalf("ragged sample %d has %d tokens, want %d segments (%d..%d)", i, len(r.IDs), n, (n-1)*S+1, n*S)
		}
		if r.Answer != "garden" || !r.LabelMask[r.AnswerStart] || r.Question.End > r.AnswerStart {
			t.Fatalf("ragged sample %d: answer %q at %d, question %v", i, r.Answer, r.AnswerStart, r.Question)
		}
		for _, f := range r.Facts {
			if f.End > r.Question.Start {
				t.Fatalf("ragged sample %d: fact %v after the question at %v", i, f, r.Question)
			}
		}
		lengths[len(r.IDs)%S] = true
	}
	// 200 draws over 96 end positions: most positions of the segment occur.
	if len(lengths) < S/2 {
		t.Errorf("ragged samples ended at %d distinct positions of their last segment, want at least %d", len(lengths), S/2)
	}
}
