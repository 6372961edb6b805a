package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
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

// armtCheckpoint saves the tiny model with an associative memory.
func armtCheckpoint(t *testing.T) string {
	t.Helper()
	tied := true
	c := graph.Config{ModelType: "llama", VocabSize: data.ByteVocabSize, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 1,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 256, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	w, err := graph.RandomWeights(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.InitARMT(w, 2, 4, 3); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "step-000010")
	if err := checkpoints.Save(dir, &checkpoints.Checkpoint{Weights: w, RMT: checkpoints.RMTInfo{Memory: graph.KindARMT, DMem: 4, MemTokens: 2, SegmentSize: 96, BPTTDepth: -1}}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestAskMatchesAccuracy: for every line of a question file, ask on the
// line's context and question gives the prediction accuracy --predictions
// wrote, with RMT and ARMT checkpoints and an exported folder; contexts
// span 1 to 4 segments.
func TestAskMatchesAccuracy(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	contexts := map[string]string{}
	for i, words := range []int{3, 30, 60, 70} {
		ctx := strings.TrimSpace(strings.Repeat("The boat sailed on. ", words)) + fmt.Sprintf(" Mary went to room %d.", i)
		id := fmt.Sprintf("q%d", i)
		contexts[id] = ctx
		b, _ := json.Marshal(map[string]string{"id": id, "context": ctx, "question": "Where is Mary?", "answer": fmt.Sprintf("room %d", i)})
		lines = append(lines, string(b))
	}
	file := filepath.Join(dir, "qa.jsonl")
	os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	// An exported folder answers as its checkpoint does.
	exported := filepath.Join(t.TempDir(), "exported")
	src, err := checkpoints.Open(armtCheckpoint(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := checkpoints.Export(src, exported, checkpoints.ExportOptions{Format: checkpoints.FormatHF}); err != nil {
		t.Fatal(err)
	}
	for _, ck := range []string{tinyCheckpoint(t), armtCheckpoint(t), exported} {
		pred := filepath.Join(t.TempDir(), "pred.jsonl")
		var out bytes.Buffer
		if err := accuracy(job{}, &out, []string{"--checkpoint", ck, "--data", file, "--predictions", pred, "--max-new", "6", "--json", "--progress", "0"}); err != nil {
			t.Fatal(err)
		}
		var rep eval.FileReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Overall.Samples != 4 || len(rep.Buckets) < 2 {
			t.Fatalf("report %+v, want 4 samples in several length buckets", rep)
		}
		f, err := os.Open(pred)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		n := 0
		for sc.Scan() {
			var p eval.Prediction
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				t.Fatal(err)
			}
			n++
			cf := filepath.Join(t.TempDir(), "ctx.txt")
			os.WriteFile(cf, []byte(contexts[p.ID]+"\n"), 0o644)
			var got bytes.Buffer
			if err := ask(&got, nil, []string{"--checkpoint", ck, "--context", cf, "--question", "Where is Mary?", "--max-new", "6", "--json", "--progress", "0"}); err != nil {
				t.Fatal(err)
			}
			var r eval.AskResult
			if err := json.Unmarshal(got.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			if r.Answer != p.Prediction || r.Segments < p.Segments-1 {
				t.Errorf("%s line %s: ask answered %q after %d segments, accuracy predicted %q (%d segments)", ck, p.ID, r.Answer, r.Segments, p.Prediction, p.Segments)
			}
			if p.Match != (p.Prediction == p.Answer) {
				t.Errorf("prediction %+v: match is wrong", p)
			}
		}
		f.Close()
		if n != 4 {
			t.Fatalf("%d predictions, want 4", n)
		}
	}
	// stdin, a continuation, and a context that does not exist.
	var got bytes.Buffer
	if err := ask(&got, strings.NewReader("Once upon a time"), []string{"--checkpoint", tinyCheckpoint(t), "--context", "-", "--max-new", "3", "--progress", "0"}); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope.txt")
	if err := ask(&got, nil, []string{"--checkpoint", tinyCheckpoint(t), "--context", missing, "--question", "q"}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("missing context: %v, want an error naming it", err)
	}
}

// TestNormalize: the normalised match ignores case, punctuation and
// surrounding white space, nothing else.
func TestNormalize(t *testing.T) {
	if eval.Normalize("  The Hall. ") != eval.Normalize("the hall") || eval.Normalize("hall") == eval.Normalize("halls") {
		t.Fatal("normalised match")
	}
}

// TestPerplexityData: perplexity --data reads windows of whole segments
// from the JSONL text lines long enough for one, and refuses a file whose
// lines are all too short.
func TestPerplexityData(t *testing.T) {
	ck := tinyCheckpoint(t)
	dir := t.TempDir()
	long, _ := json.Marshal(map[string]string{"text": strings.Repeat("The rain came down over the hills. ", 40)})
	short, _ := json.Marshal(map[string]string{"text": "Too short."})
	file := filepath.Join(dir, "text.jsonl")
	os.WriteFile(file, []byte(string(short)+"\n"+string(long)+"\n"), 0o644)
	var out bytes.Buffer
	if err := perplexity(job{}, &out, []string{"--checkpoint", ck, "--data", file, "--segments", "3", "--samples", "2", "--progress", "0", "--json", "--save=false"}); err != nil {
		t.Fatal(err)
	}
	var rep eval.PerplexityReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Results) != 3 || math.IsNaN(rep.Results[2].PPLNoMemory) {
		t.Fatalf("report %+v, want 3 segments with finite perplexity", rep)
	}
	os.WriteFile(file, short, 0o644)
	if err := perplexity(job{}, &out, []string{"--checkpoint", ck, "--data", file, "--segments", "3", "--samples", "2", "--progress", "0", "--save=false"}); err == nil || !strings.Contains(err.Error(), "tokens of a window") {
		t.Fatalf("short lines: %v", err)
	}
}

// TestEmptySplitHint: a folder too small for an eval split names a fix,
// and the fix it names is a flag value eval sample accepts.
func TestEmptySplitHint(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("d%d.txt", i)), []byte(strings.Repeat("A line of a long document goes on here.\n", 300)), 0o644)
	}
	args := []string{"--task", "lm", "--text-dir", dir, "--split", "eval", "--segments", "1", "--segment-size", "64"}
	err := runSample(job{}, args)
	if err == nil || !strings.Contains(err.Error(), "--eval-every -1") {
		t.Fatalf("error %v, want one suggesting --eval-every -1", err)
	}
	stdout := os.Stdout
	os.Stdout, _ = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	defer func() { os.Stdout = stdout }()
	if err := runSample(job{}, append(args, "--eval-every", "-1")); err != nil {
		t.Fatalf("the suggested --eval-every -1 is refused: %v", err)
	}
}
