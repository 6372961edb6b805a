package data

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

// unitsTask makes a BabilongTask of N GPT-2 tokens that reads its samples in
// GPT-2's own tokens, so that a sample's model tokens are its GPT-2 count.
func unitsTask(t *testing.T, n int, babi, books string, evalEvery int, filter bool) *BabilongTask {
	t.Helper()
	gpt2, err := GPT2Tokenizer()
	if err != nil {
		t.Fatal(err)
	}
	task, err := NewBabilongTask(BabilongConfig{Task: 1, GPT2Tokens: n, SegmentSize: 128, Seed: 7, BabiDir: babi, BabiStories: BabiTrain,
		NoiseDir: books, EvalEvery: evalEvery, NoiseFilter: filter, Tokenizer: gpt2})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// A 1k and a 1M sample in GPT-2 units are at most their length and less
// than one background sentence short of it; read in GPT-2 tokens, the prompt
// has exactly the counted tokens, the stream gives the same tokens as the
// whole sample, and every statement is there in story order.
func TestBabilongUnitsLength(t *testing.T) {
	needShared(t, booksDir)
	needShared(t, babiDir)
	for _, n := range []int{1000, 1_000_000} {
		if n > 1000 && testing.Short() {
			continue
		}
		task := unitsTask(t, n, babiDir, booksDir, 0, false)
		samples := 3
		if n > 1000 {
			samples = 1
		}
		for i := range samples {
			got, next, err := task.GPT2Count(i)
			if err != nil {
				t.Fatal(err)
			}
			if got > n || n-got >= next {
				t.Errorf("N=%d sample %d: %d GPT-2 tokens, next sentence %d; want at most N and within one sentence of it", n, i, got, next)
			}
			ps, err := task.StreamAt(i)
			if err != nil {
				t.Fatal(err)
			}
			var streamed []int
			for {
				streamed, err = ps.Next(streamed)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			// The answer marker follows the question and is not counted.
			marker := len(task.ids[markerKey])
			if len(streamed) != got+marker || ps.PromptTokens != got+marker || ps.GPT2Tokens != got {
				t.Errorf("N=%d sample %d: streamed %d tokens (PromptTokens %d, GPT2Tokens %d), want the %d counted and %d of the marker", n, i, len(streamed), ps.PromptTokens, ps.GPT2Tokens, got, marker)
			}
			if n > 1000 {
				continue
			}
			s, err := task.SampleAt(i)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(s.IDs[:s.AnswerStart], streamed) {
				t.Errorf("N=%d sample %d: the stream differs from SampleAt", n, i)
			}
			p, _ := task.plan(i)
			if len(s.Facts) != len(p.q.facts) {
				t.Fatalf("sample %d: %d statements placed, want %d", i, len(s.Facts), len(p.q.facts))
			}
			gpt2, _ := GPT2Tokenizer()
			for j, f := range s.Facts {
				if text := strings.TrimSpace(gpt2.Decode(s.IDs[f.Start:f.End])); text != p.q.facts[j] {
					t.Errorf("sample %d statement %d = %q, want %q", i, j, text, p.q.facts[j])
				}
			}
		}
	}
}

// Background sentences naming task entities stay (BABILong keeps them);
// --noise-filter drops them; sentences under 10 GPT-2 tokens never appear.
func TestBabilongUnitsNoise(t *testing.T) {
	const entity = "Mary went back to the kitchen after the long and tiring walk home."
	const short = "He sat."
	const plain = "The old sailor mended the broken fence before supper on a cold day."
	var book strings.Builder
	for range 200 {
		book.WriteString(entity + " " + short + " " + plain + " ")
	}
	books := writeFiles(t, map[string]string{"book.txt": book.String()})
	babi := writeFiles(t, map[string]string{"qa1_single-supporting-fact_train.txt": storyFile(20, 2)})
	for _, filter := range []bool{false, true} {
		task := unitsTask(t, 1000, babi, books, -1, filter)
		s, err := task.SampleAt(0)
		if err != nil {
			t.Fatal(err)
		}
		gpt2, _ := GPT2Tokenizer()
		text := gpt2.Decode(s.IDs)
		if got := strings.Contains(text, entity); got == filter {
			t.Errorf("filter %v: a sentence naming Mary and the kitchen appears: %v, want %v", filter, got, !filter)
		}
		if strings.Contains(text, short) {
			t.Errorf("filter %v: the sentence %q of under 10 GPT-2 tokens appears", filter, short)
		}
		if !strings.Contains(text, plain) {
			t.Errorf("filter %v: no background sentence in the sample", filter)
		}
	}
}

// At 0k a sample is its story and question alone.
func TestBabilongUnitsStoryAlone(t *testing.T) {
	babi := writeFiles(t, map[string]string{"qa1_single-supporting-fact_train.txt": storyFile(20, 3)})
	task := unitsTask(t, 0, babi, "", -1, false)
	s, err := task.SampleAt(1)
	if err != nil {
		t.Fatal(err)
	}
	gpt2, _ := GPT2Tokenizer()
	got := gpt2.Decode(s.IDs)
	k := storyOf(t, s.Answer)
	want := ""
	for i := range 3 {
		want += " Mary went to the room" + string(rune('0'+k%10)) + string(rune('a'+i)) + "."
	}
	if k < 10 && !strings.HasPrefix(got, want+" Where is Mary? Answer: "+s.Answer) {
		t.Errorf("0k sample = %q, want the story %q and its question", got, want)
	}
}
