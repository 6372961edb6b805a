package data

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// storyFile is a qa1 file of n stories; story k says where Mary is in
// places room<k>a, room<k>b, ..., so that every statement names its story.
func storyFile(n, lines int) string {
	var b strings.Builder
	for k := range n {
		for i := range lines {
			fmt.Fprintf(&b, "%d Mary went to the room%d%c.\n", i+1, k, 'a'+i)
		}
		fmt.Fprintf(&b, "%d Where is Mary? \troom%d%c\t%d\n", lines+1, k, 'a'+lines-1, lines)
	}
	return b.String()
}

// storyOf is the story index a sample's answer names.
func storyOf(t *testing.T, answer string) int {
	t.Helper()
	var k int
	var c rune
	if _, err := fmt.Sscanf(answer, "room%d%c", &k, &c); err != nil {
		t.Fatalf("answer %q: %v", answer, err)
	}
	return k
}

// The three shares of a training file are fixed by story index and
// disjoint: training samples never draw a validation or held-out story,
// validation samples only validation stories, and every share is drawn.
func TestBabiSharesDisjoint(t *testing.T) {
	const stories = 40
	dir := writeFiles(t, map[string]string{"qa1_single-supporting-fact_train.txt": storyFile(stories, 3)})
	seen := map[string]map[int]bool{}
	for _, tc := range []struct{ split, stories, want string }{
		{SplitTrain, "", BabiTrain}, // a training run's default
		{SplitEval, "", BabiValid},  // validation during training
		{SplitEval, BabiHoldout, BabiHoldout},
	} {
		cfg := TaskConfig{Name: "babi", Segments: 2, SegmentSize: 128, Seed: 3, BabiDir: dir, Split: tc.split, BabiStories: tc.stories, Tokenizer: fakeBytes{}}
		tsk, err := NewTask(cfg)
		if err != nil {
			t.Fatal(err)
		}
		seen[tc.want] = map[int]bool{}
		for i := range 400 {
			s, err := tsk.SampleAt(i)
			if err != nil {
				t.Fatal(err)
			}
			k := storyOf(t, s.Answer)
			if got := BabiShare(k); got != tc.want {
				t.Fatalf("split %s stories %q: sample %d is of story %d, which is in share %s, want %s", tc.split, tc.stories, i, k, got, tc.want)
			}
			seen[tc.want][k] = true
		}
	}
	// 8 of 10 stories train, 1 validation, 1 held out: all of them drawn.
	for share, want := range map[string]int{BabiTrain: stories * 8 / 10, BabiValid: stories / 10, BabiHoldout: stories / 10} {
		if len(seen[share]) != want {
			t.Errorf("share %s: %d stories drawn, want %d", share, len(seen[share]), want)
		}
	}
}

// The held-out share is written in bAbI format as qaN_*_test.txt and read
// back as the test split, story for story; a folder without test files is
// refused by evaluation.
func TestWriteBabiHoldout(t *testing.T) {
	dir := writeFiles(t, map[string]string{"qa1_single-supporting-fact_train.txt": storyFile(30, 4)})
	if _, err := NewTask(TaskConfig{Name: "babi", Segments: 1, SegmentSize: 256, BabiDir: dir, BabiStories: BabiTest, Split: SplitEval, Tokenizer: fakeBytes{}}); err == nil || !strings.Contains(err.Error(), "qa1_*_test.txt") {
		t.Fatalf("a folder without test files: error %v, want a refusal naming qa1_*_test.txt", err)
	}
	out := filepath.Join(t.TempDir(), "holdout")
	files, questions, err := WriteBabiHoldout(dir, []int{1}, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || filepath.Base(files[0]) != "qa1_single-supporting-fact_test.txt" || questions[0] != 3 {
		t.Fatalf("wrote %v with %v questions, want qa1_single-supporting-fact_test.txt with 3", files, questions)
	}
	want, _, err := ReadBabiShare(dir, 1, BabiHoldout)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := ReadBabiShare(out, 1, BabiTest)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read back %v, want the held-out stories %v", got, want)
	}
	for _, st := range got {
		for _, q := range st.Questions() {
			if k := storyOf(t, q.Answer); BabiShare(k) != BabiHoldout {
				t.Fatalf("story %d written as held out is in share %s", k, BabiShare(k))
			}
		}
	}
	if _, err := NewTask(TaskConfig{Name: "babi", Segments: 1, SegmentSize: 256, BabiDir: out, BabiStories: BabiTest, Split: SplitEval, Tokenizer: fakeBytes{}}); err != nil {
		t.Fatalf("the written folder as a test split: %v", err)
	}
}

// BABILong samples at an exact length, on a hand-made story: every
// statement, in order, at a sentence boundary; the question last; the
// sample exactly as long as asked (the story alone for 0k); the streamed
// prompt token for token the sample's, also past one noise block.
func TestBabiLengths(t *testing.T) {
	var story strings.Builder
	places := []string{"bathroom", "hallway", "garden", "office", "kitchen", "bedroom", "cellar"}
	for i, p := range places {
		fmt.Fprintf(&story, "%d Mary went to the %s.\n", i+1, p)
	}
	fmt.Fprintf(&story, "%d Where is Mary? \tcellar\t%d\n", len(places)+1, len(places))
	dir := writeFiles(t, map[string]string{"qa1_single-supporting-fact_test.txt": story.String()})
	var facts []string
	for _, p := range places {
		facts = append(facts, " Mary went to the "+p+".")
	}
	factLen := len(strings.Join(facts, ""))
	tail := len(" Where is Mary?"+AnswerMarker+" cellar") + 1
	for _, L := range []int{0, factLen + tail, 1000, 4096, 3*fillBlock + 77} {
		cfg := TaskConfig{Name: "babi", Segments: max(1, (L+127)/128), SegmentSize: 128, Tokens: L, StoryOnly: L == 0, Seed: 5,
			BabiDir: dir, BabiStories: BabiTest, Split: SplitEval, Tokenizer: fakeBytes{}}
		tsk, err := NewTask(cfg)
		if err != nil {
			t.Fatal(err)
		}
		want := L
		if L == 0 {
			want = factLen + tail
		}
		for i := range 6 {
			s, err := tsk.SampleAt(i)
			if err != nil {
				t.Fatal(err)
			}
			if len(s.IDs) != want {
				t.Fatalf("length %d sample %d: %d tokens, want %d", L, i, len(s.IDs), want)
			}
			if len(s.Facts) != len(places) {
				t.Fatalf("length %d sample %d: %d facts, want %d", L, i, len(s.Facts), len(places))
			}
			for k, f := range s.Facts {
				if got := fb.Decode(s.IDs[f.Start:f.End]); got != facts[k] {
					t.Fatalf("length %d sample %d: fact %d = %q, want %q (in story order)", L, i, k, got, facts[k])
				}
				if f.Start > 0 && s.IDs[f.Start-1] != '.' {
					t.Fatalf("length %d sample %d: fact %d follows %q, want a sentence end", L, i, k, fb.Decode(s.IDs[max(0, f.Start-10):f.Start]))
				}
			}
			// The question, marker, answer and EOS end the sample.
			if got := fb.Decode(s.IDs[s.Question.Start:]); got != " Where is Mary?"+AnswerMarker+" cellar"+fb.Decode([]int{fb.EOS()}) || s.Question.Start != want-tail {
				t.Fatalf("length %d sample %d: the sample ends %q from %d, want the question last", L, i, got, s.Question.Start)
			}
			if L == 0 && fb.Decode(s.IDs[:s.Question.Start]) != strings.Join(facts, "") {
				t.Fatalf("0k sample %d has noise: %q", i, fb.Decode(s.IDs[:s.Question.Start]))
			}
			p, err := tsk.(Streamer).StreamAt(i)
			if err != nil {
				t.Fatal(err)
			}
			if got := drain(t, p); !slices.Equal(got, s.IDs[:s.AnswerStart]) || p.AnswerTokens != want-s.AnswerStart {
				t.Fatalf("length %d sample %d: the streamed prompt (%d tokens) is not the sample's (%d)", L, i, len(got), s.AnswerStart)
			}
		}
	}
	// A length the story does not fit in is refused, naming it.
	if _, err := NewTask(TaskConfig{Name: "babi", Segments: 1, SegmentSize: 128, Tokens: 100, BabiDir: dir, BabiStories: BabiTest, Tokenizer: fakeBytes{}}); err == nil || !strings.Contains(err.Error(), "fits in 100 tokens") {
		t.Fatalf("a story longer than the sample: error %v", err)
	}
}

// A stream of a million-token bAbI sample never holds more than a block:
// its pieces are at most fillBlock tokens, and it ends with the question.
func TestBabiStreamMillion(t *testing.T) {
	if testing.Short() {
		t.Skip("reads a million tokens of filler")
	}
	dir := writeFiles(t, map[string]string{"qa1_single-supporting-fact_test.txt": storyFile(2, 5)})
	const L = 1 << 20
	tsk, err := NewTask(TaskConfig{Name: "babi", Segments: L / 512, SegmentSize: 512, Tokens: L, BabiDir: dir, BabiStories: BabiTest, Split: SplitEval, Tokenizer: fakeBytes{}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tsk.(Streamer).StreamAt(0)
	if err != nil {
		t.Fatal(err)
	}
	n, facts, last := 0, 0, []int(nil)
	var buf []int
	for {
		buf, err = p.Next(buf[:0])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(buf) > fillBlock {
			t.Fatalf("a piece of %d tokens, want at most %d", len(buf), fillBlock)
		}
		if strings.HasPrefix(fb.Decode(buf), " Mary went to the room") {
			facts++
		}
		n += len(buf)
		last = append(last[:0], buf...)
	}
	if n != p.PromptTokens || n+p.AnswerTokens != L || facts != 5 || !strings.HasPrefix(fb.Decode(last), " Where is Mary?") {
		t.Fatalf("streamed %d tokens (prompt %d, answer %d), %d facts, last piece %q; want %d tokens, 5 facts, the question last", n, p.PromptTokens, p.AnswerTokens, facts, fb.Decode(last), L)
	}
}

// A story-only task for training (StoryFit) keeps the questions whose
// story fits in one sample; for evaluation (0k) it keeps them all.
func TestStoryFit(t *testing.T) {
	short := "1 Mary went to the garden.\n2 Where is Mary? \tgarden\t1\n"
	var long strings.Builder
	for i := range 10 {
		fmt.Fprintf(&long, "%d John went to the hallway.\n", i+1)
	}
	long.WriteString("11 Where is John? \thallway\t10\n")
	dir := writeFiles(t, map[string]string{"qa1_single-supporting-fact_test.txt": short + long.String()})
	for _, fit := range []bool{false, true} {
		tsk, err := NewTask(TaskConfig{Name: "babi", Segments: 1, SegmentSize: 128, StoryOnly: true, StoryFit: fit,
			BabiDir: dir, BabiStories: BabiTest, Tokenizer: fakeBytes{}})
		if err != nil {
			t.Fatal(err)
		}
		_, total, usable := BabiQuestions(tsk)
		want := 2
		if fit {
			want = 1
		}
		if total[0] != 2 || usable[0] != want {
			t.Fatalf("StoryFit %v: %d of %d questions usable, want %d of 2", fit, usable[0], total[0], want)
		}
		for i := range 4 {
			s, err := tsk.SampleAt(i)
			if err != nil {
				t.Fatal(err)
			}
			if fit && len(s.IDs) > 128 {
				t.Fatalf("StoryFit sample %d has %d tokens, more than its 128", i, len(s.IDs))
			}
		}
	}
}

// A task of several bAbI tasks leaves out one whose stories are all too
// long for its samples, and says which; a lone task, or all of them too
// long, is still an error.
func TestBabiSkipsTasksTooLong(t *testing.T) {
	var long strings.Builder
	for i := range 10 {
		fmt.Fprintf(&long, "%d John went to the hallway.\n", i+1)
	}
	long.WriteString("11 Where is John? \thallway\t10\n")
	dir := writeFiles(t, map[string]string{
		"qa1_single-supporting-fact_test.txt": "1 Mary went to the garden.\n2 Where is Mary? \tgarden\t1\n",
		"qa2_two-supporting-facts_test.txt":   long.String(),
	})
	cfg := TaskConfig{Name: "babi", Segments: 1, SegmentSize: 128, BabiTasks: []int{1, 2}, BabiDir: dir, BabiStories: BabiTest, Tokenizer: fakeBytes{}}
	tsk, err := NewTask(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := BabiSkipped(tsk); fmt.Sprint(got) != "[2]" {
		t.Fatalf("skipped %v, want [2]", got)
	}
	for i := range 8 {
		s, err := tsk.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		if s.Answer != "garden" {
			t.Fatalf("sample %d answers %q; only qa1 fits", i, s.Answer)
		}
	}
	cfg.Segments = 3
	if tsk, err = NewTask(cfg); err != nil || BabiSkipped(tsk) != nil {
		t.Fatalf("at 3 segments: %v, skipped %v; want both tasks", err, BabiSkipped(tsk))
	}
	cfg.Segments, cfg.BabiTasks = 1, []int{2}
	if _, err := NewTask(cfg); err == nil || !strings.Contains(err.Error(), "no qa2 question") {
		t.Fatalf("qa2 alone at 128 tokens: error %v", err)
	}
	cfg.SegmentSize, cfg.BabiTasks = 40, []int{1, 2}
	if _, err := NewTask(cfg); err == nil || !strings.Contains(err.Error(), "fits in 40 tokens") {
		t.Fatalf("no task fits: error %v", err)
	}
}
