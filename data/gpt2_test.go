package data

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestGPT2EmbeddedMatchesShared checks that the embedded vocab and merges are
// byte for byte the shared fixture's, and that the tokenizer built from them
// gives the reference ids of every case HF's tokenizers computed.
func TestGPT2EmbeddedMatchesShared(t *testing.T) {
	var ref struct {
		Cases []struct {
			Name string `json:"name"`
			Text string `json:"text"`
			IDs  []int  `json:"ids"`
		} `json:"cases"`
	}
	loadRef(t, gpt2TokDir, &ref) // skips without ../shared
	vocab, merges, err := GPT2Files()
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{"vocab.json": vocab, "merges.txt": merges} {
		want, err := os.ReadFile(filepath.Join(gpt2TokDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("embedded %s (%d bytes) differs from %s (%d bytes)", name, len(got), filepath.Join(gpt2TokDir, name), len(want))
		}
	}
	tok, err := GPT2Tokenizer()
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 50257 || tok.EOS() != 50256 {
		t.Errorf("GPT2Tokenizer: vocab %d, EOS %d; want 50257, 50256", tok.VocabSize(), tok.EOS())
	}
	if len(ref.Cases) < 70 {
		t.Fatalf("%d reference cases, want the fixture's 73", len(ref.Cases))
	}
	for i, c := range ref.Cases {
		got, err := tok.Encode(c.Text)
		if err != nil {
			t.Errorf("case %s: %v", c.Name, err)
			continue
		}
		if !slices.Equal(got, c.IDs) {
			t.Errorf("%s: Encode gives %d ids, want %d (first difference at %d)", caseName(i, c.Text), len(got), len(c.IDs), firstDiff(got, c.IDs))
		}
	}
}

func firstDiff(a, b []int) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}
