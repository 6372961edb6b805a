package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/internal/testutil"
)

// TestCommittedQAData: testdata/qa-train.jsonl and qa-test.jsonl are what
// the make-qa commands in docs/data.md write.
func TestCommittedQAData(t *testing.T) {
	books := testutil.Shared(t, "corpus/books")
	model := testutil.Shared(t, "models/stories260K")
	for _, tc := range []struct {
		file string
		args []string
	}{
		{"qa-train.jsonl", []string{"--split", "train", "--samples", "64", "--seed", "1"}},
		{"qa-test.jsonl", []string{"--split", "eval", "--samples", "16", "--seed", "2"}},
	} {
		out := filepath.Join(t.TempDir(), tc.file)
		args := append([]string{"--books", books, "--model", model, "--segments", "1-4", "--segment-size", "128", "--out", out}, tc.args...)
		if err := runMakeQA(job{}, args); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(out)
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("testdata/%s differs from what make-qa writes now", tc.file)
		}
	}
}
