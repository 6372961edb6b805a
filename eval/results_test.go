package eval

import (
	"encoding/json"
	"flag"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func fakeAccuracy() AccuracyReport {
	return AccuracyReport{Task: "memorize", Checkpoint: "runs/a/checkpoints/step-000100", SegmentSize: 512, MemTokens: 10,
		Results: []AccuracyResult{
			{Segments: 1, Tokens: 512, Samples: 100, Correct: 100, Accuracy: 1, CILow: 0.963, CIHigh: 1, SecondsPerSample: 0.01, Seed: 424242},
			{Segments: 4096, Tokens: 2097152, Samples: 100, Correct: 99, Accuracy: 0.99, CILow: 0.9455, CIHigh: 0.9982, SecondsPerSample: 95.5, Seed: 424242},
		}}
}

// withControls is fakePerplexity with the reset and full-context columns
// and history rows.
func withControls() PerplexityReport {
	rep := fakePerplexity()
	rep.ContextWindow = 4
	for i := range rep.Results {
		r, f := 30.5+float64(i), 29.0-float64(i)
		rep.Results[i].PPLMemoryReset, rep.Results[i].PPLFullContext = &r, &f
		m := 31.0 - float64(i)
		rep.History = append(rep.History, HistoryResult{Read: i, PPLMemory: &m, PPLNoMemory: 31.25, PPLFullContext: &f, Predictions: 10220})
	}
	return rep
}

func fakePerplexity() PerplexityReport {
	m1, m2 := 31.5, 24.25
	return PerplexityReport{Checkpoint: "runs/a/checkpoints/step-000100", TextDir: "books", SegmentSize: 512, MemTokens: 10,
		Segments: 2, Samples: 20, Seed: 424242,
		Results: []PerplexityResult{
			{Segment: 1, PPLMemory: &m1, PPLNoMemory: 31.25, Predictions: 10240},
			{Segment: 2, PPLMemory: &m2, PPLNoMemory: 30.75, Predictions: 10220},
		}}
}

// keys returns the object keys of raw at the top and in its first result.
func keys(t *testing.T, raw []byte) (top, row []string) {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(doc["results"], &rows); err != nil || len(rows) == 0 {
		t.Fatalf("results: %v (%d rows)", err, len(rows))
	}
	for k := range doc {
		top = append(top, k)
	}
	for k := range rows[0] {
		row = append(row, k)
	}
	sort.Strings(top)
	sort.Strings(row)
	return top, row
}

// TestJSONContract: the field names docs/cli.md promises scripts
// are all there (others may be added), and the whole documents match
// golden files, so that a renamed field is a failing test.
func TestJSONContract(t *testing.T) {
	noMem := fakePerplexity()
	noMem.Checkpoint, noMem.Model, noMem.MemTokens = "", "models/gpt2", 0
	for i := range noMem.Results {
		noMem.Results[i].PPLMemory = nil
	}
	controls := withControls()
	for _, tc := range []struct {
		name     string
		v        any
		top, row []string
	}{
		{"accuracy", fakeAccuracy(), []string{"task", "checkpoint", "results"},
			[]string{"segments", "tokens", "samples", "accuracy", "ci_low", "ci_high", "seconds_per_sample"}},
		{"perplexity", fakePerplexity(), []string{"results"}, []string{"segment", "ppl_memory", "ppl_no_memory"}},
		{"perplexity-controls", controls, []string{"results", "context_window"},
			[]string{"segment", "ppl_memory", "ppl_no_memory", "ppl_memory_reset", "ppl_full_context"}},
		{"perplexity-history", struct {
			Results []HistoryResult `json:"results"`
		}{controls.History}, []string{"results"}, []string{"read", "ppl_memory", "ppl_no_memory", "ppl_full_context"}},
		{"perplexity-no-memory", noMem, []string{"results"}, []string{"segment", "ppl_memory", "ppl_no_memory"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.MarshalIndent(tc.v, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			top, row := keys(t, raw)
			for _, k := range tc.top {
				if !slices.Contains(top, k) {
					t.Errorf("top-level keys %v lack %q", top, k)
				}
			}
			for _, k := range tc.row {
				if !slices.Contains(row, k) {
					t.Errorf("result keys %v lack %q", row, k)
				}
			}
			golden := filepath.Join("testdata", tc.name+".golden.json")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, append(raw, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to write it)", err)
			}
			if got := string(raw) + "\n"; got != string(want) {
				t.Errorf("JSON differs from %s:\n got %s\nwant %s", golden, got, want)
			}
		})
	}
}

func TestSaveAccuracyMerges(t *testing.T) {
	ck := t.TempDir()
	file := AccuracyFile("babi", []int{1, 2})
	if file != "accuracy-babi-qa1-qa2.json" {
		t.Errorf("AccuracyFile(babi, [1 2]) = %q, want accuracy-babi-qa1-qa2.json", file)
	}
	first := fakeAccuracy()
	if _, err := SaveAccuracy(ck, file, first); err != nil {
		t.Fatal(err)
	}
	// A later run at 1 and 16 segments replaces 1, adds 16, keeps 4096.
	next := fakeAccuracy()
	next.Results = []AccuracyResult{{Segments: 16, Tokens: 8192, Samples: 10, Accuracy: 0.5}, {Segments: 1, Tokens: 512, Samples: 10, Accuracy: 0.7}}
	path, err := SaveAccuracy(ck, file, next)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(ck, ResultsDir, file); path != want {
		t.Errorf("saved to %s, want %s", path, want)
	}
	got, err := LoadResults(ck)
	if err != nil {
		t.Fatal(err)
	}
	rows := got.Accuracy["babi-qa1-qa2"].Results
	var counts []int
	for _, r := range rows {
		counts = append(counts, r.Segments)
	}
	if !slices.Equal(counts, []int{1, 16, 4096}) || rows[0].Accuracy != 0.7 {
		t.Errorf("merged rows %+v, want segments 1 (the new 0.7), 16, 4096", rows)
	}
	// Another memory shape is another model: its results replace the file.
	other := fakeAccuracy()
	other.MemTokens = 4
	if merged := got.Accuracy["babi-qa1-qa2"].Merge(other); len(merged.Results) != 2 || merged.MemTokens != 4 {
		t.Errorf("merge across memory shapes kept %d rows, want the new report's 2", len(merged.Results))
	}
	// No temporary files are left beside the result.
	entries, _ := os.ReadDir(filepath.Join(ck, ResultsDir))
	if len(entries) != 1 {
		t.Errorf("eval folder holds %d entries, want the one results file", len(entries))
	}
}

func TestSaveFailsWhereFolderCannotBeMade(t *testing.T) {
	ck := t.TempDir()
	// eval is a file, so the folder cannot be made (as with a read-only
	// checkpoint, and unlike chmod this holds for root too).
	if err := os.WriteFile(filepath.Join(ck, ResultsDir), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := SaveAccuracy(ck, "accuracy-memorize.json", fakeAccuracy()); err == nil {
		t.Errorf("SaveAccuracy into a blocked folder = nil error, want one")
	}
	if _, err := SavePerplexity(ck, fakePerplexity()); err == nil {
		t.Errorf("SavePerplexity into a blocked folder = nil error, want one")
	}
}

func TestLoadResults(t *testing.T) {
	ck := t.TempDir()
	if _, err := SaveAccuracy(ck, "accuracy-memorize.json", fakeAccuracy()); err != nil {
		t.Fatal(err)
	}
	if _, err := SavePerplexity(ck, fakePerplexity()); err != nil {
		t.Fatal(err)
	}
	loose := filepath.Join(t.TempDir(), "run-a.json")
	raw, _ := json.Marshal(fakeAccuracy())
	if err := os.WriteFile(loose, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(t.TempDir(), ResultsDir)
	os.MkdirAll(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "accuracy-x.json"), []byte("{not json"), 0o644)
	for _, tc := range []struct {
		name    string
		path    string
		acc     []string
		ppl     bool
		errPart string
	}{
		{"checkpoint folder", ck, []string{"memorize"}, true, ""},
		{"its eval folder", filepath.Join(ck, ResultsDir), []string{"memorize"}, true, ""},
		{"one results file", filepath.Join(ck, ResultsDir, PerplexityFile), nil, true, ""},
		{"a file with another name", loose, []string{"memorize"}, false, ""},
		{"malformed file", bad, nil, false, "accuracy-x.json"},
		{"no results", t.TempDir(), nil, false, "not a checkpoint"},
		{"missing", filepath.Join(ck, "nope"), nil, false, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := LoadResults(tc.path)
			if tc.errPart != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errPart) {
					t.Errorf("LoadResults(%s) = %v, want an error mentioning %q", tc.path, err, tc.errPart)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var acc []string
			for k := range r.Accuracy {
				acc = append(acc, k)
			}
			if !slices.Equal(acc, tc.acc) || (r.Perplexity != nil) != tc.ppl {
				t.Errorf("LoadResults(%s): accuracy %v, perplexity %v; want %v, %v", tc.path, acc, r.Perplexity != nil, tc.acc, tc.ppl)
			}
		})
	}
}

func TestPlotsRender(t *testing.T) {
	dir := t.TempDir()
	acc := fakeAccuracy()
	noMem := fakePerplexity()
	noMem.Results[1].PPLMemory = nil
	for _, tc := range []struct {
		name string
		draw func(path string) error
	}{
		{"accuracy", func(p string) error { return PlotAccuracy(p, acc) }},
		{"accuracy two runs", func(p string) error { b := acc; b.Checkpoint = "runs/b"; return PlotAccuracy(p, acc, b) }},
		{"perplexity", func(p string) error { return PlotPerplexity(p, fakePerplexity()) }},
		{"perplexity without memory column", func(p string) error { return PlotPerplexity(p, noMem) }},
		{"perplexity with controls", func(p string) error { return PlotPerplexity(p, withControls()) }},
		{"history", func(p string) error { return PlotHistory(p, withControls()) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".png")
			if err := tc.draw(path); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil {
				t.Fatalf("%s does not decode as PNG: %v", path, err)
			}
			if b := img.Bounds(); b.Dx() < 300 || b.Dy() < 200 {
				t.Errorf("%s is %dx%d pixels, want a 6x4 inch figure", path, b.Dx(), b.Dy())
			}
		})
	}
}
