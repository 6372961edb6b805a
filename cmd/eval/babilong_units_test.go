package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/eval"
)

// In GPT-2 units (the default) a 1k row holds samples of at most 1,000
// GPT-2 tokens, within one background sentence (23 GPT-2 tokens here) of
// it, read as however many model tokens that is; the baselines stand beside
// the rows; and a second run on other data (another seed) is refused
// without --out and goes to its own file with it, leaving the saved cells
// and their labels byte for byte as they were.
func TestBabilongGPT2Units(t *testing.T) {
	ck := babiCheckpoint(t)
	babi, books := babiFolders(t)
	train := t.TempDir()
	os.WriteFile(filepath.Join(train, "qa1_single-supporting-fact_train.txt"),
		[]byte("1 Mary went to the hallway.\n2 Where is Mary? \thallway\t1\n1 John went to the garden.\n2 Where is John? \tgarden\t1\n"), 0o644)
	args := []string{"--checkpoint", ck, "--babi-dir", babi, "--noise-dir", books, "--babi-train-dir", train, "--tasks", "1",
		"--lengths", "0k,1k", "--samples", "2", "--seed", "7", "--progress", "0"}
	var out, log bytes.Buffer
	if err := babilong(job{}, &out, &log, append(args, "--json")); err != nil {
		t.Fatal(err)
	}
	var rep eval.BabilongReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Units != eval.UnitsGPT2 || len(rep.Results) != 2 {
		t.Fatalf("report units %q with %d rows, want gpt2 and 2", rep.Units, len(rep.Results))
	}
	for _, r := range rep.Results {
		if r.Units != eval.UnitsGPT2 || r.Data == nil || r.Data.Units != eval.UnitsGPT2 {
			t.Errorf("%s row: units %q, data %+v; want gpt2 recorded", r.Length, r.Units, r.Data)
		}
		if r.Length == "1k" {
			if r.GPT2Tokens > 1000 || r.GPT2Tokens < 1000-23 {
				t.Errorf("1k row: %.1f GPT-2 tokens per sample, want within one sentence (23) below 1,000", r.GPT2Tokens)
			}
			if r.ModelTokens <= r.GPT2Tokens || r.Segments != int(math.Ceil(r.ModelTokens/96)) {
				t.Errorf("1k row: %.1f model tokens in %d segments; want the byte-level model's count, more than GPT-2's, in whole segments of 96", r.ModelTokens, r.Segments)
			}
			if len(r.Data.Books) != 1 || r.Data.Books[0].Path != "book4.txt" {
				t.Errorf("1k row reads books %+v, want the eval split's book4.txt", r.Data.Books)
			}
		}
	}
	if len(rep.Baselines) != 1 || rep.Baselines[0].Questions != 2 || rep.Baselines[0].QuestionOnly != 0.5 || rep.Baselines[0].LastCandidate != 0 {
		t.Errorf("baselines %+v, want qa1 over 2 questions: question only 0.5 (Mary's hallway right, Sandra's kitchen not a training answer), last candidate 0 (John's garden comes last; office and kitchen are no training answers)", rep.Baselines)
	}
	saved := filepath.Join(ck, eval.ResultsDir, eval.BabilongFile)
	before, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	other := append(append([]string{}, args...), "--seed", "8")
	err = babilong(job{}, &out, &log, other)
	if err == nil || !strings.Contains(err.Error(), "--out") {
		t.Errorf("a run on another seed beside saved cells: error %v, want a refusal naming --out", err)
	}
	apart := filepath.Join(t.TempDir(), "seed8.json")
	out.Reset()
	if err := babilong(job{}, &out, &log, append(other, "--out", apart)); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(saved)
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("the saved file changed after a run on other data (%v)", err)
	}
	var sep eval.BabilongReport
	raw, err := os.ReadFile(apart)
	if err != nil || json.Unmarshal(raw, &sep) != nil || len(sep.Results) != 2 || sep.Results[0].Data.Seed != 8 {
		t.Errorf("--out file: %v, %d rows; want the seed-8 cells", err, len(sep.Results))
	}
	for _, want := range []string{"lengths in gpt2 units", "question only", "last candidate", "GPT-2 tokens", "model tokens"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
	// --control evaluates a second checkpoint on the same cells: here the
	// model itself, which must answer the same.
	out.Reset()
	if err := babilong(job{}, &out, &log, append(args, "--control", ck, "--save=false", "--json")); err != nil {
		t.Fatal(err)
	}
	var withCtl eval.BabilongReport
	if err := json.Unmarshal(out.Bytes(), &withCtl); err != nil {
		t.Fatal(err)
	}
	if withCtl.Control == nil || len(withCtl.Control.Results) != len(withCtl.Results) {
		t.Fatalf("--control: control %+v, want a row per cell", withCtl.Control)
	}
	for i, r := range withCtl.Results {
		if c := withCtl.Control.Results[i]; c.Correct != r.Correct || c.Length != r.Length || c.GPT2Tokens != r.GPT2Tokens {
			t.Errorf("control row %+v differs from the model's %+v on the same cells", c, r)
		}
	}
}
