package main

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/internal/testutil"
)

// tokenize needs only a tokenizer: a folder of tokenizer files alone, one
// whose config.json has another vocabulary, or the file itself.
func TestTokenizeNeedsOnlyATokenizer(t *testing.T) {
	model := testutil.Shared(t, "models/stories260K")
	raw, err := os.ReadFile(filepath.Join(model, "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	onlyTok := t.TempDir()
	if err := os.WriteFile(filepath.Join(onlyTok, "tokenizer.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	otherVocab := t.TempDir()
	os.WriteFile(filepath.Join(otherVocab, "tokenizer.json"), raw, 0o644)
	os.WriteFile(filepath.Join(otherVocab, "config.json"), []byte(`{"model_type":"llama","vocab_size":7}`), 0o644)
	file := filepath.Join(t.TempDir(), "my-tokenizer.json")
	os.WriteFile(file, raw, 0o644)

	const text = "Once upon a time, Lily saw a cat."
	tok, err := data.LoadTokenizer(model)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := tok.Encode(text)
	if err != nil || len(ids) == 0 {
		t.Fatalf("Encode(%q) = %v, %v", text, ids, err)
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.Itoa(id)
	}
	want := strings.Join(parts, ",")
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"the model folder", []string{"--model", model}},
		{"a folder with only tokenizer.json", []string{"--model", onlyTok}},
		{"a config of another vocabulary", []string{"--model", otherVocab}},
		{"--tokenizer FILE", []string{"--tokenizer", file}},
	} {
		var out strings.Builder
		if err := tokenize(strings.NewReader(text), &out, tc.args); err != nil {
			t.Errorf("%s: tokenize %v: %v", tc.name, tc.args, err)
			continue
		}
		if got := strings.TrimSpace(out.String()); got != want {
			t.Errorf("%s: tokenize %v = %s, want %s", tc.name, tc.args, got, want)
		}
		var back strings.Builder
		if err := tokenize(strings.NewReader(want), &back, append(tc.args, "--decode")); err != nil || back.String() != text {
			t.Errorf("%s: --decode gave %q, %v; want %q", tc.name, back.String(), err, text)
		}
	}
}

func TestTokenizeRefuses(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"a folder without tokenizer", []string{"--model", empty}, "has no tokenizer.json"},
		{"both flags", []string{"--model", empty, "--tokenizer", "x.json"}, "not both"},
		{"a missing file", []string{"--tokenizer", filepath.Join(empty, "none.json")}, "none.json"},
	} {
		err := tokenize(strings.NewReader("hi"), io.Discard, tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: tokenize %v = %v, want an error mentioning %q", tc.name, tc.args, err, tc.want)
		}
	}
	// The default is the built-in byte tokenizer.
	var out strings.Builder
	if err := tokenize(strings.NewReader("hi"), &out, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := data.NewByteTokenizer().Encode("hi")
	if got := strings.TrimSpace(out.String()); got != strconv.Itoa(ids[0])+","+strconv.Itoa(ids[1]) {
		t.Errorf("tokenize of \"hi\" with the byte tokenizer = %s, want %v", got, ids)
	}
}
