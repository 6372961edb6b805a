package data

import (
	"os"
	"path/filepath"
	"strings"
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

// With AnswerRoom every prompt ends AnswerRoom tokens before the sample's
// whole-segment length, the answer and EOS after it, padding after them;
// a room shorter than an answer is refused naming it.
func TestBabiAnswerRoom(t *testing.T) {
	dir := t.TempDir()
	story := "1 Mary went to the garden.\n2 Where is Mary?\tgarden\t1\n1 John went to the hallway.\n2 Where is John?\thallway\t1\n"
	if err := os.WriteFile(filepath.Join(dir, "qa1_single-supporting-fact_train.txt"), []byte(story+story+story+story+story), 0o644); err != nil {
		t.Fatal(err)
	}
	const n, S, room = 2, 96, 10
	tok := NewByteTokenizer()
	task, err := NewTask(TaskConfig{Name: "babi", Segments: n, SegmentSize: S, Seed: 3, BabiDir: dir, BabiTasks: []int{1}, AnswerRoom: room, Tokenizer: tok})
	if err != nil {
		t.Fatal(err)
	}
	answers := map[string]bool{}
	for i := range 20 {
		s, err := task.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		answers[s.Answer] = true
		if s.AnswerStart != n*S-room {
			t.Fatalf("sample %d: prompt ends at %d, want %d", i, s.AnswerStart, n*S-room)
		}
		want := s.AnswerStart + len(" "+s.Answer) // one byte a token
		if tok.EOS() >= 0 {
			want++
		}
		if len(s.IDs) != want {
			t.Fatalf("sample %d: %d tokens, want the prompt and answer %q (%d)", i, len(s.IDs), s.Answer, want)
		}
	}
	if len(answers) != 2 {
		t.Fatalf("answers %v, want both stories' answers (answers of two lengths)", answers)
	}
	_, err = NewTask(TaskConfig{Name: "babi", Segments: n, SegmentSize: S, Seed: 3, BabiDir: dir, BabiTasks: []int{1}, AnswerRoom: 5, Tokenizer: tok})
	if err == nil || !strings.Contains(err.Error(), "answer_room 5 is shorter than the answer") {
		t.Errorf("a room of 5 for answers of 7 and 8 tokens: %v", err)
	}
}
