package eval

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

func TestParseLength(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int // -1: an error
	}{
		{"0k", 0}, {"1k", 1024}, {"128k", 131072}, {"512k", 524288}, {"1M", 1048576}, {"10M", 10485760},
		{"1", -1}, {"k", -1}, {"-1k", -1}, {"+1k", -1}, {"1.5k", -1}, {"1G", -1}, {"2000M", -1}, {"", -1},
	} {
		got, err := ParseLength(tc.in)
		if tc.want < 0 {
			if err == nil || !strings.Contains(err.Error(), "unknown length") {
				t.Errorf("ParseLength(%q) = %d, %v; want an unknown-length error", tc.in, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseLength(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
		}
	}
}

// A new evaluation replaces the cells it measured, keeps the others, and
// orders rows by task and length; untrained tasks are recomputed.
func TestBabilongMerge(t *testing.T) {
	row := func(task int, l string, acc float64) BabilongResult {
		n, _ := ParseLength(l)
		return BabilongResult{Task: task, Length: l, Tokens: n, Accuracy: acc}
	}
	old := BabilongReport{Memory: "rmt", SegmentSize: 512, MemTokens: 16, TrainedTasks: []int{1},
		Results: []BabilongResult{row(1, "1M", 0.5), row(1, "0k", 1), row(2, "4k", 0.3)}}
	next := BabilongReport{Memory: "rmt", SegmentSize: 512, MemTokens: 16, TrainedTasks: []int{1},
		Results: []BabilongResult{row(1, "1M", 0.9), row(1, "16k", 0.95)}}
	got := old.Merge(next)
	var cells []string
	for _, r := range got.Results {
		cells = append(cells, fmt.Sprintf("qa%d %s %.2f", r.Task, r.Length, r.Accuracy))
	}
	if want := "qa1 0k 1.00, qa1 16k 0.95, qa1 1M 0.90, qa2 4k 0.30"; strings.Join(cells, ", ") != want {
		t.Errorf("merged %s, want %s", strings.Join(cells, ", "), want)
	}
	if fmt.Sprint(got.Untrained) != "[2]" {
		t.Errorf("untrained %v, want [2]", got.Untrained)
	}
	other := next
	other.MemTokens = 0
	if m := old.Merge(other); len(m.Results) != 2 {
		t.Errorf("a report of another memory shape merged: %d rows, want next's 2", len(m.Results))
	}
	if mean, n := BabilongAverage(got.Results, "1M"); n != 1 || mean != 0.9 {
		t.Errorf("average at 1M = %g over %d, want 0.9 over 1", mean, n)
	}
}

// TestBabilongBothKinds: with either memory kind, a streamed BABILong
// sample (11 segments of 96 tokens at 1k) gets the answer a whole-sample
// read gives, and the row counts those answers.
func TestBabilongBothKinds(t *testing.T) {
	dir := t.TempDir()
	stories := "1 Mary went to the hallway.\n2 John moved to the garden.\n3 Where is Mary? \thallway\t1\n" +
		"1 Sandra went to the office.\n2 Sandra moved to the kitchen.\n3 Where is Sandra? \tkitchen\t2\n"
	if err := os.WriteFile(filepath.Join(dir, "qa1_single-supporting-fact_test.txt"), []byte(stories), 0o644); err != nil {
		t.Fatal(err)
	}
	const S, M, samples = 96, 2, 3
	tok := data.NewByteTokenizer()
	for _, kind := range []string{graph.KindRMT, graph.KindARMT} {
		t.Run(kind, func(t *testing.T) {
			cell, err := graph.NewCell[float32](tinyMemory(t, kind, "llama", M), M, S, false)
			if err != nil {
				t.Fatal(err)
			}
			task, err := BabilongTask(1, 1024, S, dir, "", 5, tok)
			if err != nil {
				t.Fatal(err)
			}
			r, err := Babilong(cell, tok, task, "1k", samples, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := streamedAsWhole(t, cell, tok, task.(data.Streamer), samples)
			if r.Correct != want || r.Samples != samples || r.Tokens != 1024 || r.Segments != 11 || r.TokensRead <= 0 {
				t.Fatalf("row %+v, want %d of %d correct over 1,024 tokens in 11 segments", r, want, samples)
			}
		})
	}
}
