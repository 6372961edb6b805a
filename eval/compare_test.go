package eval

import (
	"fmt"
	"reflect"
	"testing"
)

func TestCompareAccuracyPivots(t *testing.T) {
	a := &RunResults{Accuracy: map[string]AccuracyReport{
		"memorize": {Task: "memorize", Results: []AccuracyResult{{Segments: 4, Tokens: 384, Accuracy: 0.5}, {Segments: 1, Tokens: 96, Accuracy: 1}}},
	}}
	b := &RunResults{Accuracy: map[string]AccuracyReport{
		"memorize": {Task: "memorize", Results: []AccuracyResult{{Segments: 4, Tokens: 512, Accuracy: 0.75}}},
		"detect":   {Task: "detect", Results: []AccuracyResult{{Segments: 2, Tokens: 256, Accuracy: 0.25}}},
	}}
	got := CompareAccuracy([]*RunResults{a, b})
	if len(got) != 2 || got[0].Task != "detect" || got[1].Task != "memorize" {
		t.Fatalf("CompareAccuracy tasks = %+v, want detect then memorize", got)
	}
	det := got[0].Rows
	if len(det) != 1 || det[0].Runs[0] != nil || det[0].Runs[1] == nil || det[0].Runs[1].Accuracy != 0.25 {
		t.Errorf("detect rows = %+v, want one row with only run 2 at 0.25", det)
	}
	mem := got[1].Rows
	if len(mem) != 2 || mem[0].Segments != 1 || mem[1].Segments != 4 {
		t.Fatalf("memorize rows = %+v, want segments 1 then 4", mem)
	}
	if mem[0].Runs[0].Accuracy != 1 || mem[0].Runs[1] != nil {
		t.Errorf("1 segment = %+v, want run 1 at 1 and run 2 missing", mem[0].Runs)
	}
	if mem[1].Runs[0].Accuracy != 0.5 || mem[1].Runs[1].Accuracy != 0.75 || len(mem[1].Tokens) != 2 {
		t.Errorf("4 segments = %+v (tokens %v), want 0.5 and 0.75 over two token counts", mem[1].Runs, mem[1].Tokens)
	}
}

func TestComparePerplexityPivots(t *testing.T) {
	if rows := ComparePerplexity([]*RunResults{{}}); len(rows) != 0 {
		t.Errorf("ComparePerplexity without perplexity = %d rows, want 0", len(rows))
	}
	a := &RunResults{Perplexity: &PerplexityReport{Results: []PerplexityResult{{Segment: 1, PPLNoMemory: 10}, {Segment: 3, PPLNoMemory: 8}}}}
	b := &RunResults{}
	rows := ComparePerplexity([]*RunResults{a, b})
	if len(rows) != 3 {
		t.Fatalf("ComparePerplexity = %d rows, want 3 (indexes 1 to 3)", len(rows))
	}
	if rows[0].Runs[0].PPLNoMemory != 10 || rows[1].Runs[0] != nil || rows[2].Runs[0].PPLNoMemory != 8 || rows[2].Runs[1] != nil {
		t.Errorf("rows = %+v %+v %+v, want run 1 at indexes 1 and 3 only", rows[0], rows[1], rows[2])
	}
}

// TestBabilongRunRows: a row per run and task, and an average row at the
// lengths where a run measured every one of its tasks.
func TestBabilongRunRows(t *testing.T) {
	a := &RunResults{Babilong: &BabilongReport{Results: []BabilongResult{
		{Task: 1, Length: "0k", Accuracy: 1}, {Task: 2, Length: "0k", Accuracy: 0.5},
		{Task: 1, Length: "1M", Accuracy: 0.25},
	}}}
	b := &RunResults{Babilong: &BabilongReport{Results: []BabilongResult{{Task: 1, Length: "4k", Accuracy: 0.75}}}}
	lengths, rows := BabilongRunRows([]*RunResults{a, {}, b}, []string{"A", "none", "B"})
	if fmt.Sprint(lengths) != "[0k 4k 1M]" {
		t.Fatalf("lengths %v", lengths)
	}
	want := []HeatRow{
		{"A qa1", map[string]float64{"0k": 1, "1M": 0.25}},
		{"A qa2", map[string]float64{"0k": 0.5}},
		{"A avg", map[string]float64{"0k": 0.75}},
		{"B qa1", map[string]float64{"4k": 0.75}},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Fatalf("rows %+v\nwant %+v", rows, want)
	}
}

// A length in GPT-2 units never shares a row with the same label in the
// model's tokens.
func TestCompareBabilongUnits(t *testing.T) {
	model := &RunResults{Babilong: &BabilongReport{Results: []BabilongResult{{Task: 1, Length: "1k", Tokens: 1024, Accuracy: 0.5}}}}
	gpt2 := &RunResults{Babilong: &BabilongReport{Units: UnitsGPT2, Results: []BabilongResult{{Task: 1, Length: "1k", Units: UnitsGPT2, Tokens: 2300, Accuracy: 0.4}}}}
	got := CompareBabilong([]*RunResults{model, gpt2})
	if len(got) == 2 && got[0].Length == "1k (GPT-2)" { // 1,000 before 1,024
		got[0], got[1] = got[1], got[0]
	}
	if len(got) != 2 || got[0].Length != "1k" || got[1].Length != "1k (GPT-2)" {
		t.Fatalf("CompareBabilong gives lengths %+v, want 1k and 1k (GPT-2) apart", got)
	}
	if got[0].Rows[0].Runs[1] != nil || got[1].Rows[0].Runs[0] != nil || got[1].Rows[0].Runs[1].Accuracy != 0.4 {
		t.Errorf("rows %+v %+v: each run's cell belongs under its own unit", got[0].Rows, got[1].Rows)
	}
}
