package eval

import (
	"fmt"
	"strings"
	"testing"
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
