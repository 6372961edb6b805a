package eval

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/rmtgo/rmt/internal/testutil"
)

// Greedy generation of stories260K from "Once upon a time" reproduces the
// continuation recorded with PyTorch and llama2.c (validation.json,
// prompt_greedy): the prompt's ids with BOS, every generated id, and the
// decoded text.
func TestGreedyStories260KMatchesRecord(t *testing.T) {
	dir := testutil.Shared(t, "models/stories260K")
	var rec struct {
		PromptGreedy struct {
			Prompt          string `json:"prompt"`
			PromptIDs       []int  `json:"prompt_ids_sentencepiece"`
			Steps           int    `json:"steps"`
			ContinuationIDs []int  `json:"continuation_ids"`
			FullText        string `json:"full_text"`
		} `json:"prompt_greedy"`
	}
	testutil.ReadJSON(t, filepath.Join(dir, "validation.json"), &rec)
	want := rec.PromptGreedy
	if want.Steps < 1 || len(want.ContinuationIDs) != want.Steps {
		t.Fatalf("validation.json prompt_greedy: %d steps, %d continuation ids; want a record to compare against", want.Steps, len(want.ContinuationIDs))
	}
	m, err := LoadModel(dir)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := PromptIDs(m.Weights.Config, m.Tokenizer, want.Prompt)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, want.PromptIDs) {
		t.Fatalf("PromptIDs(%q) = %v, recorded %v", want.Prompt, ids, want.PromptIDs)
	}
	out, err := Greedy(m.Weights, ids, want.Steps, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(out, want.ContinuationIDs) {
		for i := range min(len(out), len(want.ContinuationIDs)) {
			if out[i] != want.ContinuationIDs[i] {
				t.Fatalf("greedy token %d = %d, recorded %d (got %d tokens, recorded %d)", i, out[i], want.ContinuationIDs[i], len(out), len(want.ContinuationIDs))
			}
		}
		t.Fatalf("greedy gave %d tokens, recorded %d", len(out), len(want.ContinuationIDs))
	}
	if got := m.Tokenizer.Decode(append(ids, out...)); got != want.FullText {
		t.Errorf("decoded text = %q, recorded %q", got, want.FullText)
	}
}
