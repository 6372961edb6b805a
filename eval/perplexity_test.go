package eval

import (
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
// tinyARMT is tinyRMT with the associative memory (mem tokens, d_mem 4) in
// place of rmt.memory, W_mv random so that memory carries something.
func tinyARMT(t testing.TB, family string, mem int) *graph.Weights {
	t.Helper()
	w := tinyRMT(t, family, 0)
	if err := graph.InitARMT(w, mem, 4, 7); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 3))
	for _, p := range w.Params {
		if strings.HasSuffix(p.Name, "W_mv.weight") {
			for i := range p.Data {
				p.Data[i] = float32(0.2 * rng.NormFloat64())
			}
		}
	}
	return w
}

// tinyMemory is tinyRMT or tinyARMT.
func tinyMemory(t testing.TB, kind, family string, mem int) *graph.Weights {
	if kind == graph.KindARMT {
		return tinyARMT(t, family, mem)
	}
	return tinyRMT(t, family, mem)
}

func TestScorerMatchesCell(t *testing.T) {
	const S, n = 8, 4
	for _, kind := range []string{graph.KindRMT, graph.KindARMT} {
		for _, family := range []string{"llama", "gpt2"} {
			for _, mem := range []int{0, 3} {
				t.Run(kind+" "+family+map[bool]string{true: " with memory", false: " without memory"}[mem > 0], func(t *testing.T) {
					w := tinyMemory(t, kind, family, 3)
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
			rows, err := Perplexity(w, tc.mem, task, samples, PerplexityOptions{}, nil)
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
	rows, err := Perplexity(w, 2, task, 1, PerplexityOptions{}, nil)
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

// score runs sc over ids and returns its per-segment sums and counts.
func score(t *testing.T, sc scorer, ids []int, n int) ([]float64, []int) {
	t.Helper()
	nll, count := make([]float64, n), make([]int, n)
	if err := sc.Score(ids, nll, count, nil); err != nil {
		t.Fatal(err)
	}
	return nll, count
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-4*math.Max(1, math.Abs(b)) }

// TestContextScorer checks full-context scoring against one long segment:
// with a window that holds the whole row, the segments' sums add up to the
// row read as one segment; with a window of two, the last segment's sum is
// what reading the last two segments as one adds to reading the first of
// them alone (causal attention: the first half's predictions are the same).
func TestContextScorer(t *testing.T) {
	const S, n = 8, 4
	for _, family := range []string{"llama", "gpt2"} {
		t.Run(family, func(t *testing.T) {
			w := tinyRMT(t, family, 0)
			row := make([]int, n*S)
			for i := range row {
				row[i] = (i*53 + 5) % data.ByteVocabSize
			}
			full, err := NewContextScorer(w, S)
			if err != nil {
				t.Fatal(err)
			}
			if full.Window < n {
				t.Fatalf("window %d segments, want at least %d for a model of %d positions", full.Window, n, w.Config.MaxPositions())
			}
			nll, count := score(t, full, row, n)
			whole, err := NewSegmentScorer(w, 0, n*S)
			if err != nil {
				t.Fatal(err)
			}
			wantNLL, wantCount := score(t, whole, row, 1)
			sum, cnt := 0.0, 0
			for i := range n {
				sum += nll[i]
				cnt += count[i]
			}
			if !closeTo(sum, wantNLL[0]) || cnt != wantCount[0] {
				t.Errorf("window of the whole row: NLL %.6f over %d predictions, want %.6f over %d", sum, cnt, wantNLL[0], wantCount[0])
			}
			alone, err := NewSegmentScorer(w, 0, S)
			if err != nil {
				t.Fatal(err)
			}
			first, _ := score(t, alone, row, n)
			if !closeTo(nll[0], first[0]) {
				t.Errorf("segment 1: NLL %.6f with full context, want %.6f as alone (nothing before it)", nll[0], first[0])
			}

			full.Window, full.graphs = 2, full.graphs[:2]
			nll2, count2 := score(t, full, row, n)
			tail := row[(n-2)*S:]
			pair, err := NewSegmentScorer(w, 0, 2*S)
			if err != nil {
				t.Fatal(err)
			}
			both, _ := score(t, pair, tail, 1)
			firstOfPair, _ := score(t, alone, tail, 2)
			if want := both[0] - firstOfPair[0]; !closeTo(nll2[n-1], want) || count2[n-1] != S-1 {
				t.Errorf("window of 2, last segment: NLL %.6f over %d predictions, want %.6f over %d", nll2[n-1], count2[n-1], want, S-1)
			}
			if nll2[n-1] == nll[n-1] {
				t.Errorf("last segment: the same NLL %.6f with windows of %d and 2 segments; the window was not applied", nll2[n-1], n)
			}
		})
	}
}

// TestResetScorer: with Reset, segment i is read as if it began the row:
// the same sum as segment 1 of the row that starts at segment i.
func TestResetScorer(t *testing.T) {
	const S, n, mem = 8, 3, 2
	w := tinyRMT(t, "llama", mem)
	row := make([]int, n*S)
	for i := range row {
		row[i] = (i*29 + 3) % data.ByteVocabSize
	}
	reset, err := NewSegmentScorer(w, mem, S)
	if err != nil {
		t.Fatal(err)
	}
	reset.Reset = true
	carried, err := NewSegmentScorer(w, mem, S)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := score(t, reset, row, n)
	withMem, _ := score(t, carried, row, n)
	for i := range n {
		fresh, _ := score(t, carried, row[i*S:], n-i)
		if !closeTo(got[i], fresh[0]) {
			t.Errorf("segment %d reset: NLL %.6f, want %.6f (the row from segment %d read fresh)", i+1, got[i], fresh[0], i+1)
		}
	}
	if got[n-1] == withMem[n-1] {
		t.Errorf("last segment: the same NLL %.6f reset and carried; the memory carried nothing in the test either", got[n-1])
	}
}

// TestPerplexityColumns: the options add exactly the columns they name.
func TestPerplexityColumns(t *testing.T) {
	const S, n = 8, 3
	task := lmTask(t, textDir(t), n, S)
	for _, tc := range []struct {
		mem         int
		opt         PerplexityOptions
		reset, full bool
	}{
		{2, PerplexityOptions{}, false, false},
		{2, PerplexityOptions{Reset: true, FullContext: true}, true, true},
		{0, PerplexityOptions{Reset: true}, false, false},
		{0, PerplexityOptions{FullContext: true}, false, true},
	} {
		w := tinyRMT(t, "llama", tc.mem)
		rows, err := Perplexity(w, tc.mem, task, 1, tc.opt, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := ContextWindow(w.Config, S); got != 32 { // 256 positions, segments of 8
			t.Errorf("ContextWindow(%d positions, %d) = %d, want 32", w.Config.MaxPositions(), S, got)
		}
		for _, r := range rows {
			if (r.PPLMemoryReset != nil) != tc.reset || (r.PPLFullContext != nil) != tc.full {
				t.Fatalf("%+v, M = %d: reset %v, full %v", tc.opt, tc.mem, r.PPLMemoryReset, r.PPLFullContext)
			}
		}
		if tc.full && !closeTo(*rows[0].PPLFullContext, rows[0].PPLNoMemory) {
			t.Errorf("segment 1: full context %v, want the no-memory %v (nothing before it)", *rows[0].PPLFullContext, rows[0].PPLNoMemory)
		}
		if tc.reset && !closeTo(*rows[0].PPLMemoryReset, *rows[0].PPLMemory) {
			t.Errorf("segment 1: reset %v, want the memory column's %v", *rows[0].PPLMemoryReset, *rows[0].PPLMemory)
		}
		if got, want := tc.opt.Columns(tc.mem), 1+map[bool]int{true: 1}[tc.mem > 0]+map[bool]int{true: 1}[tc.reset]+map[bool]int{true: 1}[tc.full]; got != want {
			t.Errorf("%+v, M = %d: Columns %d, want %d", tc.opt, tc.mem, got, want)
		}
	}
}

// TestPerplexityHistory recomputes every row from whole-row scoring: after
// k segments read, the memory row is segment k of the window's last k+1
// segments read from the initial memory; full context is the last segment
// with min(k, window-1) before it; no memory is the last segment alone.
func TestPerplexityHistory(t *testing.T) {
	const S, n, samples, mem = 8, 4, 2, 2
	task := lmTask(t, textDir(t), n, S)
	w := tinyRMT(t, "llama", mem)
	p := NewProgress(io.Discard, "history", samples, 0, time.Hour)
	got, err := PerplexityHistory(w, mem, task, samples, PerplexityOptions{FullContext: true}, p)
	if err != nil {
		t.Fatal(err)
	}
	if want := int64(HistoryScored(mem, n, ContextWindow(w.Config, S)) * samples * S); p.doneT != want {
		t.Errorf("progress counted %d tokens, HistoryScored says %d", p.doneT, want)
	}
	withMem, err := NewSegmentScorer(w, mem, S)
	if err != nil {
		t.Fatal(err)
	}
	alone, err := NewSegmentScorer(w, 0, S)
	if err != nil {
		t.Fatal(err)
	}
	full, err := NewContextScorer(w, S)
	if err != nil {
		t.Fatal(err)
	}
	full.Window, full.graphs = 2, full.graphs[:2] // so that the window binds at 2 and 3 read
	got2, err := perplexityHistoryWith(w, mem, task, samples, full)
	if err != nil {
		t.Fatal(err)
	}
	memNLL, fullNLL := make([]float64, n), make([]float64, n)
	var aloneNLL float64
	count := 0
	for i := range samples {
		s, err := task.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		for k := range n {
			tail := s.IDs[(n-1-k)*S:]
			nll, c := score(t, withMem, tail, k+1)
			memNLL[k] += nll[k]
			if k == 0 {
				count += c[0]
			}
			fnll, _ := score(t, full, s.IDs[(n-1-min(k, 1))*S:], min(k, 1)+1)
			fullNLL[k] += fnll[min(k, 1)]
		}
		nll, _ := score(t, alone, s.IDs, n)
		aloneNLL += nll[n-1]
	}
	if len(got) != n || len(got2) != n {
		t.Fatalf("%d and %d rows, want %d", len(got), len(got2), n)
	}
	for k := range n {
		if got[k].Read != k || got[k].Predictions != count {
			t.Errorf("row %d: read %d, %d predictions; want %d, %d", k, got[k].Read, got[k].Predictions, k, count)
		}
		if want := ppl(memNLL[k], count); !closeTo(*got[k].PPLMemory, want) {
			t.Errorf("%d read: memory %v, want %v", k, *got[k].PPLMemory, want)
		}
		if want := ppl(aloneNLL, count); !closeTo(got[k].PPLNoMemory, want) {
			t.Errorf("%d read: no memory %v, want %v", k, got[k].PPLNoMemory, want)
		}
		if want := ppl(fullNLL[k], count); !closeTo(*got2[k].PPLFullContext, want) {
			t.Errorf("%d read, window 2: full context %v, want %v", k, *got2[k].PPLFullContext, want)
		}
	}
	if !closeTo(*got[0].PPLFullContext, got[0].PPLNoMemory) {
		t.Errorf("nothing read: full context %v, want the no-memory %v", *got[0].PPLFullContext, got[0].PPLNoMemory)
	}
	if *got[n-1].PPLMemory == *got[0].PPLMemory {
		t.Errorf("memory row the same (%v) after %d segments read as after none", *got[0].PPLMemory, n-1)
	}
}

// perplexityHistoryWith is PerplexityHistory with a given full-context
// scorer (tests narrow its window).
func perplexityHistoryWith(w *graph.Weights, mem int, task data.Task, samples int, full *ContextScorer) ([]HistoryResult, error) {
	alone, err := NewSegmentScorer(w, 0, task.Config().SegmentSize)
	if err != nil {
		return nil, err
	}
	withMem, err := NewSegmentScorer(w, mem, task.Config().SegmentSize)
	if err != nil {
		return nil, err
	}
	return perplexityHistory(nil, task, samples, alone, withMem, full, nil)
}
