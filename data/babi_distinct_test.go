package data

import (
	"strings"
	"testing"
)

// BabiQuestionKey names the question each sample really asks, in both
// units: the key's answer is the sample's, and the key's question is the
// one in the sample.
func TestBabiQuestionKey(t *testing.T) {
	babi := writeFiles(t, map[string]string{"qa1_single-supporting-fact_train.txt": storyFile(30, 2)})
	books := writeFiles(t, map[string]string{"a.txt": fillerText(1, 3000)})
	model, err := NewTask(TaskConfig{Name: "babi", Segments: 2, SegmentSize: 128, Seed: 4, BabiDir: babi, NoiseDir: books, EvalEvery: -1, Tokenizer: fb})
	if err != nil {
		t.Fatal(err)
	}
	units := unitsTask(t, 300, babi, books, -1, false)
	gpt2, _ := GPT2Tokenizer()
	for _, tc := range []struct {
		name string
		task Task
		tok  Tokenizer
	}{{"model units", model, fb}, {"gpt2 units", units, gpt2}} {
		for i := range 30 {
			key, ok := BabiQuestionKey(tc.task, i)
			if !ok {
				t.Fatalf("%s: no key", tc.name)
			}
			s, err := tc.task.SampleAt(i)
			if err != nil {
				t.Fatal(err)
			}
			q := strings.TrimSpace(tc.tok.Decode(s.IDs[s.Question.Start:s.Question.End]))
			if !strings.HasSuffix(key, "\t"+s.Answer) || !strings.Contains(key, q) {
				t.Fatalf("%s sample %d: key %q, but the sample asks %q with answer %q", tc.name, i, key, q, s.Answer)
			}
		}
	}
	if _, ok := BabiQuestionKey(model, 0); !ok {
		t.Error("no key for a babi task")
	}
}
