package eval

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// tinyRMT is a small random model over the byte vocabulary with mem memory
// tokens.
func tinyRMT(t testing.TB, family string, mem int) *graph.Weights {
	t.Helper()
	tied := true
	c := graph.Config{ModelType: "llama", VocabSize: data.ByteVocabSize, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 2,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 256, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	if family == "gpt2" {
		c = graph.Config{ModelType: "gpt2", VocabSize: data.ByteVocabSize, NEmbd: 16, NLayer: 2, NHead: 2, NPositions: 256,
			LayerNormEpsilon: 1e-5, TieWordEmbeddings: &tied}
	}
	w, err := graph.RandomWeights(c, 7)
	if err != nil {
		t.Fatal(err)
	}
	if mem > 0 {
		if err := graph.InitMemory(w, mem, 7); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

// textDir writes a few documents of plain English-like text for task lm.
func textDir(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	words := strings.Fields("the old house stood at the end of a long road where the river bent north and the fields ran down to the water in spring")
	for f := 0; f < 3; f++ {
		var b strings.Builder
		for i := 0; b.Len() < 40000; i++ {
			b.WriteString(words[(i*7+f*3)%len(words)])
			if i%13 == 12 {
				b.WriteString(".\n")
			} else {
				b.WriteByte(' ')
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "doc"+string(rune('a'+f))+".txt"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func lmTask(t testing.TB, dir string, n, S int) data.Task {
	t.Helper()
	task, err := data.NewTask(data.TaskConfig{Name: "lm", Segments: n, SegmentSize: S, Seed: 3, TextDir: dir,
		Split: data.SplitEval, EvalEvery: -1, Tokenizer: data.NewByteTokenizer()})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// TestScorerMatchesCell: the per-segment sums of the scorer are the
// cell's loss parts times the number of predictions (the cell's loss is
// one mean over the row, split by segment), with memory and without; so
// the prediction at the end of segment i counts in segment i in both.
func TestScorerMatchesCell(t *testing.T) {
	const S, n = 8, 4
	for _, family := range []string{"llama", "gpt2"} {
		for _, mem := range []int{0, 3} {
			t.Run(family+map[bool]string{true: " with memory", false: " without memory"}[mem > 0], func(t *testing.T) {
				w := tinyRMT(t, family, 3)
				row := make([]int, n*S)
				for i := range row {
					row[i] = (i*37 + 11) % data.ByteVocabSize
				}
				cell, err := graph.NewCell[float32](w, mem, S, false)
				if err != nil {
					t.Fatal(err)
				}
				tr, err := cell.Forward(graph.Sequence{IDs: [][]int{row}})
				if err != nil {
					t.Fatal(err)
				}
				sc, err := NewSegmentScorer(w, mem, S)
				if err != nil {
					t.Fatal(err)
				}
				nll, count := make([]float64, n), make([]int, n)
				if err := sc.Score(row, nll, count, nil); err != nil {
					t.Fatal(err)
				}
				N := float64(len(row) - 1)
				for i := range n {
					wantCount := S
					if i == n-1 {
						wantCount = S - 1
					}
					if count[i] != wantCount {
						t.Errorf("segment %d: %d predictions, want %d", i+1, count[i], wantCount)
					}
					want := tr.LossParts[i] * N
					if math.Abs(nll[i]-want) > 1e-4*math.Abs(want) {
						t.Errorf("segment %d: NLL sum %.6f, want the cell's %.6f", i+1, nll[i], want)
					}
				}
			})
		}
	}
}

func TestPerplexityTinyModel(t *testing.T) {
	const S, n, samples = 8, 3, 2
	dir := textDir(t)
	task := lmTask(t, dir, n, S)
	for _, tc := range []struct {
		name string
		mem  int
	}{{"checkpoint with memory", 2}, {"plain model", 0}} {
		t.Run(tc.name, func(t *testing.T) {
			w := tinyRMT(t, "llama", tc.mem)
			rows, err := Perplexity(w, tc.mem, task, samples, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != n {
				t.Fatalf("%d rows, want %d", len(rows), n)
			}
			for i, r := range rows {
				if r.Segment != i+1 {
					t.Errorf("row %d has segment %d, want %d", i, r.Segment, i+1)
				}
				if math.IsNaN(r.PPLNoMemory) || math.IsInf(r.PPLNoMemory, 0) || r.PPLNoMemory < 1 {
					t.Errorf("segment %d: ppl without memory %v, want finite and >= 1", r.Segment, r.PPLNoMemory)
				}
				if (r.PPLMemory != nil) != (tc.mem > 0) {
					t.Fatalf("segment %d: ppl with memory %v for %d memory tokens", r.Segment, r.PPLMemory, tc.mem)
				}
				if r.PPLMemory != nil && (math.IsNaN(*r.PPLMemory) || math.IsInf(*r.PPLMemory, 0) || *r.PPLMemory < 1) {
					t.Errorf("segment %d: ppl with memory %v, want finite and >= 1", r.Segment, *r.PPLMemory)
				}
			}
			if got, want := rows[0].Predictions, samples*S; got != want {
				t.Errorf("segment 1: %d predictions, want %d", got, want)
			}
			if got, want := rows[n-1].Predictions, samples*(S-1); got != want {
				t.Errorf("last segment: %d predictions, want %d", got, want)
			}
		})
	}
	// The first segment reads the same tokens either way, but from the
	// initial memory: with memory it must differ from no memory at all.
	w := tinyRMT(t, "llama", 2)
	rows, err := Perplexity(w, 2, task, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if *rows[0].PPLMemory == rows[0].PPLNoMemory {
		t.Errorf("segment 1: same perplexity %v with memory and without; the memory column did not use memory", rows[0].PPLNoMemory)
	}
}

func TestScorerErrors(t *testing.T) {
	w := tinyRMT(t, "llama", 0)
	if _, err := NewSegmentScorer(w, 2, 8); err == nil || !strings.Contains(err.Error(), graph.MemoryName) {
		t.Errorf("NewSegmentScorer with memory on a model without %s = %v, want an error naming it", graph.MemoryName, err)
	}
	sc, err := NewSegmentScorer(w, 0, 8)
	if err != nil {
		t.Fatal(err)
	}
	nll, count := make([]float64, 2), make([]int, 2)
	for _, tc := range []struct {
		name string
		ids  []int
	}{{"not whole segments", make([]int, 12)}, {"empty", nil}, {"more segments than sums", make([]int, 24)}} {
		t.Run(tc.name, func(t *testing.T) {
			if err := sc.Score(tc.ids, nll, count, nil); err == nil {
				t.Errorf("Score(%d ids) = nil error, want one", len(tc.ids))
			}
		})
	}
}
