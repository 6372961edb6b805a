package eval

import (
	"maps"
	"slices"
)

// AccuracyComparison is one task's accuracy across runs, pivoted for a
// side-by-side table: a row per segment count that any run measured.
type AccuracyComparison struct {
	Task string // the results key: the task, with its bAbI tasks ("babi-qa1")
	Rows []AccuracyRow
}

// AccuracyRow is one segment count across runs.
type AccuracyRow struct {
	Segments int
	// Tokens are the input lengths the runs read at this many segments:
	// one, unless runs with different segment sizes are compared.
	Tokens []int
	Runs   []*AccuracyResult // one per run, in the order given; nil where a run has no row
}

// CompareAccuracy pivots the accuracy results of runs: per task (sorted),
// a row per segment count (increasing), a column per run.
func CompareAccuracy(runs []*RunResults) []AccuracyComparison {
	tasks := map[string]bool{}
	for _, r := range runs {
		for k := range r.Accuracy {
			tasks[k] = true
		}
	}
	var out []AccuracyComparison
	for _, task := range slices.Sorted(maps.Keys(tasks)) {
		rows := map[int]*AccuracyRow{}
		for i, r := range runs {
			rep, ok := r.Accuracy[task]
			if !ok {
				continue
			}
			for j := range rep.Results {
				x := &rep.Results[j]
				row := rows[x.Segments]
				if row == nil {
					row = &AccuracyRow{Segments: x.Segments, Runs: make([]*AccuracyResult, len(runs))}
					rows[x.Segments] = row
				}
				if !slices.Contains(row.Tokens, x.Tokens) {
					row.Tokens = append(row.Tokens, x.Tokens)
				}
				row.Runs[i] = x
			}
		}
		c := AccuracyComparison{Task: task}
		for _, n := range slices.Sorted(maps.Keys(rows)) {
			c.Rows = append(c.Rows, *rows[n])
		}
		out = append(out, c)
	}
	return out
}

// PerplexityRow is one segment index across runs.
type PerplexityRow struct {
	Segment int                 // 1-based
	Runs    []*PerplexityResult // one per run; nil where a run has no perplexity or no such index
}

// ComparePerplexity pivots the perplexity results of runs: a row per
// segment index from 1 to the largest any run measured, a column per run.
// It is empty when no run has perplexity results.
func ComparePerplexity(runs []*RunResults) []PerplexityRow {
	last := 0
	for _, r := range runs {
		if r.Perplexity != nil {
			for _, x := range r.Perplexity.Results {
				last = max(last, x.Segment)
			}
		}
	}
	out := make([]PerplexityRow, last)
	for seg := 1; seg <= last; seg++ {
		out[seg-1] = PerplexityRow{Segment: seg, Runs: make([]*PerplexityResult, len(runs))}
	}
	for i, r := range runs {
		if r.Perplexity == nil {
			continue
		}
		for j := range r.Perplexity.Results {
			x := &r.Perplexity.Results[j]
			if x.Segment >= 1 {
				out[x.Segment-1].Runs[i] = x
			}
		}
	}
	return out
}

// BabilongComparison is one BABILong length across runs: a row per bAbI
// task that any run measured at it.
type BabilongComparison struct {
	Length string
	Rows   []BabilongRow
}

// BabilongRow is one bAbI task at one length across runs.
type BabilongRow struct {
	Task int
	Runs []*BabilongResult // one per run, in the order given; nil where a run has no cell
}

// CompareBabilong pivots the BABILong results of runs: per length (in
// order), a row per task, a column per run. It is empty when no run has
// BABILong results.
func CompareBabilong(runs []*RunResults) []BabilongComparison {
	// A length in GPT-2 units is another length than the same label in the
	// model's tokens: the two never share a row.
	labelled := make([][]BabilongResult, len(runs))
	var all []BabilongResult
	for i, r := range runs {
		if r.Babilong != nil {
			for _, x := range r.Babilong.Results {
				if x.Units == UnitsGPT2 {
					x.Length += " (GPT-2)"
				}
				labelled[i] = append(labelled[i], x)
			}
			all = append(all, labelled[i]...)
		}
	}
	tasks, lengths, _ := BabilongGrid(all)
	var out []BabilongComparison
	for _, l := range lengths {
		c := BabilongComparison{Length: l}
		for _, t := range tasks {
			row := BabilongRow{Task: t, Runs: make([]*BabilongResult, len(runs))}
			for i, r := range runs {
				if r.Babilong != nil {
					_, _, at := BabilongGrid(labelled[i])
					row.Runs[i] = at(t, l)
				}
			}
			c.Rows = append(c.Rows, row)
		}
		out = append(out, c)
	}
	return out
}
