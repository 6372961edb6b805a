package main

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// tinyCheckpoint saves a random byte-vocabulary model with 2 memory tokens
// and segments of 96 (room for a memorize question) as a checkpoint.
func tinyCheckpoint(t *testing.T) string {
	t.Helper()
	return tinyCheckpointWith(t, checkpoints.RMTInfo{MemTokens: 2, SegmentSize: 96, BPTTDepth: -1})
}

// tinyCheckpointWith saves the tiny model with the memory info given
// (2 memory tokens, as info must say).
func tinyCheckpointWith(t *testing.T, info checkpoints.RMTInfo) string {
	t.Helper()
	tied := true
	c := graph.Config{ModelType: "llama", VocabSize: data.ByteVocabSize, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 1,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 256, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	w, err := graph.RandomWeights(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.InitMemory(w, 2, 3); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "step-000010")
	ck := &checkpoints.Checkpoint{Weights: w, RMT: info}
	if err := checkpoints.Save(dir, ck); err != nil {
		t.Fatal(err)
	}
	return dir
}

func textDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	line := "The rain came down over the hills and the road ran on to the sea where the boats were drawn up.\n"
	if err := os.WriteFile(filepath.Join(dir, "book.txt"), []byte(strings.Repeat(line, 400)), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Errorf("%s does not decode as PNG: %v", path, err)
	}
}

func TestAccuracyCommand(t *testing.T) {
	ck := tinyCheckpoint(t)
	plot := filepath.Join(t.TempDir(), "acc.png")
	var out bytes.Buffer
	args := []string{"--checkpoint", ck, "--segments", "1,2", "--samples", "2", "--progress", "0", "--plot", plot}
	if err := accuracy(job{}, &out, append(args, "--json")); err != nil {
		t.Fatal(err)
	}
	var rep eval.AccuracyReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if rep.Task != "memorize" || rep.Checkpoint != ck || len(rep.Results) != 2 || rep.Results[1].Tokens != 2*96 {
		t.Errorf("report %+v, want memorize on %s at 1 and 2 segments of 96", rep, ck)
	}
	checkPNG(t, plot)
	saved, err := eval.LoadResults(ck)
	if err != nil {
		t.Fatal(err)
	}
	if got := saved.Accuracy["memorize"].Results; len(got) != 2 {
		t.Errorf("saved beside the checkpoint: %+v, want the 2 rows", got)
	}
	// A checkpoint folder that cannot take the results still evaluates.
	blocked := tinyCheckpoint(t)
	os.WriteFile(filepath.Join(blocked, eval.ResultsDir), nil, 0o644)
	out.Reset()
	if err := accuracy(job{}, &out, []string{"--checkpoint", blocked, "--segments", "1", "--samples", "1", "--progress", "0"}); err != nil {
		t.Errorf("accuracy with an unwritable eval folder = %v, want a warning and the table", err)
	}
	if !strings.Contains(out.String(), "accuracy") {
		t.Errorf("no table printed:\n%s", out.String())
	}
}

func TestPerplexityCommand(t *testing.T) {
	ck := tinyCheckpoint(t)
	text := textDir(t)
	plot := filepath.Join(t.TempDir(), "ppl.png")
	var out bytes.Buffer
	err := perplexity(job{}, &out, []string{"--checkpoint", ck, "--text-dir", text, "--all-files", "--segments", "3", "--samples", "2",
		"--progress", "0", "--json", "--plot", plot})
	if err != nil {
		t.Fatal(err)
	}
	var rep eval.PerplexityReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if len(rep.Results) != 3 || rep.MemTokens != 2 || rep.SegmentSize != 96 {
		t.Fatalf("report %+v, want 3 segments of 96 with 2 memory tokens", rep)
	}
	for _, r := range rep.Results {
		if r.PPLMemory == nil || math.IsNaN(*r.PPLMemory) || math.IsNaN(r.PPLNoMemory) {
			t.Errorf("segment %d: ppl %v / %v, want both finite", r.Segment, r.PPLMemory, r.PPLNoMemory)
		}
		if r.PPLMemoryReset == nil || r.PPLFullContext == nil {
			t.Errorf("segment %d: reset %v, full context %v; both controls are on by default", r.Segment, r.PPLMemoryReset, r.PPLFullContext)
		}
	}
	if len(rep.History) != 0 {
		t.Errorf("%d history rows without --history", len(rep.History))
	}
	checkPNG(t, plot)
	if _, err := os.Stat(filepath.Join(ck, eval.ResultsDir, eval.PerplexityFile)); err != nil {
		t.Errorf("results not saved beside the checkpoint: %v", err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"neither", []string{"--text-dir", text}, "--checkpoint"},
		{"both", []string{"--checkpoint", ck, "--model", ck, "--text-dir", text}, "--checkpoint"},
		{"no text", []string{"--checkpoint", ck}, "--text-dir"},
		{"model without segment size", []string{"--model", ck, "--text-dir", text}, "--segment-size"},
		{"history plot without history", []string{"--checkpoint", ck, "--text-dir", text, "--all-files", "--segments", "1",
			"--samples", "1", "--progress", "0", "--save=false", "--history-plot", filepath.Join(t.TempDir(), "h.png")}, "--history"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := perplexity(job{}, &bytes.Buffer{}, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("perplexity %v = %v, want an error mentioning %q", tc.args, err, tc.want)
			}
		})
	}
}

// TestPerplexityHistoryCommand: --history adds a row per number of
// segments read, printed as a second table and drawn by --history-plot.
func TestPerplexityHistoryCommand(t *testing.T) {
	ck := tinyCheckpoint(t)
	text := textDir(t)
	plot := filepath.Join(t.TempDir(), "history.png")
	args := []string{"--checkpoint", ck, "--text-dir", text, "--all-files", "--segments", "3", "--samples", "2",
		"--progress", "0", "--save=false", "--reset=false", "--history", "--history-plot", plot}
	var out bytes.Buffer
	if err := perplexity(job{}, &out, append(args, "--json")); err != nil {
		t.Fatal(err)
	}
	var rep eval.PerplexityReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if len(rep.History) != 3 || rep.Results[0].PPLMemoryReset != nil {
		t.Fatalf("%d history rows, reset column %v; want 3 rows and no reset column (--reset=false)", len(rep.History), rep.Results[0].PPLMemoryReset)
	}
	for i, r := range rep.History {
		if r.Read != i || r.PPLMemory == nil || r.PPLFullContext == nil || r.PPLNoMemory != rep.History[0].PPLNoMemory {
			t.Errorf("row %d: %+v", i, r)
		}
	}
	// Nothing read before: full attention sees the segment alone.
	if math.Abs(*rep.History[0].PPLFullContext-rep.History[0].PPLNoMemory) > 1e-4*rep.History[0].PPLNoMemory {
		t.Errorf("nothing read: full attention %v, no memory %v", *rep.History[0].PPLFullContext, rep.History[0].PPLNoMemory)
	}
	checkPNG(t, plot)
	out.Reset()
	if err := perplexity(job{}, &out, args); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "segments read before") {
		t.Errorf("no history table:\n%s", out.String())
	}
}

// TestPerplexityPlainModel: --model gives the no-memory column only.
func TestPerplexityPlainModel(t *testing.T) {
	const model = "../../../shared/models/stories260K"
	if _, err := os.Stat(model); err != nil {
		t.Skip("../shared not present: " + model)
	}
	var out bytes.Buffer
	err := perplexity(job{}, &out, []string{"--model", model, "--segment-size", "16", "--text-dir", textDir(t), "--all-files",
		"--segments", "2", "--samples", "1", "--progress", "0", "--json"})
	if err != nil {
		t.Fatal(err)
	}
	var rep eval.PerplexityReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 2 || rep.Results[0].PPLMemory != nil || rep.Results[0].PPLNoMemory < 1 || rep.Model != model {
		t.Errorf("report %+v, want 2 segments, no memory column", rep)
	}
	if !strings.Contains(out.String(), `"ppl_memory":null`) {
		t.Errorf("ppl_memory is not null in %s", out.String())
	}
}

func TestCompareCommand(t *testing.T) {
	runA, runB := t.TempDir(), t.TempDir()
	accA := eval.AccuracyReport{Task: "memorize", SegmentSize: 512, MemTokens: 10, Results: []eval.AccuracyResult{
		{Segments: 1, Tokens: 512, Samples: 10, Accuracy: 1, CILow: 0.72, CIHigh: 1},
		{Segments: 4096, Tokens: 2097152, Samples: 10, Accuracy: 0.9, CILow: 0.6, CIHigh: 0.98}}}
	accB := eval.AccuracyReport{Task: "memorize", SegmentSize: 512, MemTokens: 4, Results: []eval.AccuracyResult{
		{Segments: 1, Tokens: 512, Samples: 10, Accuracy: 0.5, CILow: 0.24, CIHigh: 0.76}}}
	m := 20.5
	ppl := eval.PerplexityReport{SegmentSize: 512, MemTokens: 10, Results: []eval.PerplexityResult{{Segment: 1, PPLMemory: &m, PPLNoMemory: 22.25}}}
	for _, s := range []struct {
		dir string
		rep eval.AccuracyReport
	}{{runA, accA}, {runB, accB}} {
		if _, err := eval.SaveAccuracy(s.dir, "accuracy-memorize.json", s.rep); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := eval.SavePerplexity(runA, ppl); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := compare(&out, []string{runA, runB}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"[1] " + runA, "[2] " + runB, "task memorize", "2097152", "0.900 (0.60-0.98)", "0.500 (0.24-0.76)", "20.500 / 22.250"} {
		if !strings.Contains(got, want) {
			t.Errorf("compare output lacks %q:\n%s", want, got)
		}
	}
	// Run B has no 4096-segment row: a dash, not a zero.
	for _, line := range strings.Split(got, "\n") {
		if strings.Contains(line, "2097152") && !strings.Contains(line, "│ - ") {
			t.Errorf("row for 4096 segments should show - for run B: %q", line)
		}
	}
	out.Reset()
	if err := compare(&out, []string{"--json", runA, runB}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Runs []eval.RunResults `json:"runs"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil || len(doc.Runs) != 2 || doc.Runs[0].Perplexity == nil {
		t.Errorf("compare --json: %v, %+v", err, doc)
	}
	if err := compare(&bytes.Buffer{}, nil); err == nil {
		t.Errorf("compare with no runs = nil error, want one")
	}
}

func TestDynamicsCommand(t *testing.T) {
	ck := tinyCheckpoint(t)
	var out bytes.Buffer
	if err := dynamics(&out, []string{"--checkpoint", ck, "--segments", "5", "--samples", "3", "--progress", "0", "--json"}); err != nil {
		t.Fatal(err)
	}
	var rep eval.DynamicsReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if len(rep.Results) != 4 || rep.Results[0].Handoff != 1 || rep.Results[3].Handoff != 4 || rep.MemTokens != 2 {
		t.Fatalf("report %+v, want hand-offs 1-4 of a 2-token memory", rep)
	}
	for _, r := range rep.Results {
		if !(r.MeanSquare > 0) || !(r.Drift > 0) || !(r.Separation >= 0 && r.Separation <= 1) {
			t.Errorf("hand-off %d: %+v", r.Handoff, r)
		}
	}
	out.Reset()
	if err := dynamics(&out, []string{"--checkpoint", ck, "--segments", "3", "--handoffs", "2", "--samples", "2", "--progress", "0"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "separation by answer") {
		t.Errorf("no table:\n%s", out.String())
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no checkpoint", []string{}, "--checkpoint"},
		{"one segment", []string{"--checkpoint", ck, "--segments", "1"}, "--segments"},
		{"hand-off past the samples", []string{"--checkpoint", ck, "--segments", "3", "--handoffs", "3", "--progress", "0"}, "hand-off 3"},
		{"lm", []string{"--checkpoint", ck, "--task", "lm"}, "lm"},
		{"one sample", []string{"--checkpoint", ck, "--segments", "3", "--samples", "1", "--progress", "0"}, "samples"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := dynamics(&bytes.Buffer{}, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("dynamics %v = %v, want an error mentioning %q", tc.args, err, tc.want)
			}
		})
	}
}

// TestComputingCommandsTakeThreads: every subcommand that runs a model
// takes --threads and --spin, so a user sharing a machine can rein it in.
func TestComputingCommandsTakeThreads(t *testing.T) {
	for _, name := range []string{"accuracy", "ask", "babilong", "dynamics", "generate", "logits", "perplexity"} {
		c, found := subcommands()[name]
		if found {
			err := c.run(job{}, []string{"--threads", "0"})
			if err == nil || !strings.Contains(err.Error(), "threads") {
				t.Errorf("%s --threads 0: error %v, want one naming --threads", name, err)
			}
		}
		if !found {
			t.Errorf("no subcommand %s", name)
		}
	}
}
