package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rmtgo/rmt/data"
)

// A training run directory holds config.json (the run's config) and
// metrics.jsonl (its log, ending with the final table: the best
// checkpoint scored at every segment count of the curriculum and at twice
// the last). Package train writes both; these readers keep to the fields
// docs/formats.md gives, so that eval need not import train.

// runConfig is the part of a run's config.json that labels and tables
// need.
type runConfig struct {
	Task        string `json:"task"`
	BabiTask    string `json:"babi_task"`
	Curriculum  string `json:"curriculum"`
	SegmentSize int    `json:"segment_size"`
	Memory      string `json:"memory"`
	DMem        int    `json:"d_mem"`
	MemTokens   int    `json:"mem_tokens"`
	EvalSamples int    `json:"eval_samples"`
	Seed        int64  `json:"seed"`
	Stages      []struct {
		Segments int `json:"segments"`
		Steps    int `json:"steps"`
	} `json:"stages"`
}

// metricRecord is one line of metrics.jsonl.
type metricRecord struct {
	Type     string   `json:"type"`
	Stage    int      `json:"stage"`
	Step     int      `json:"step"`
	Segments int      `json:"segments"`
	Loss     float64  `json:"loss"`
	ValLoss  *float64 `json:"val_loss"`
	Accuracy *float64 `json:"accuracy"`
	Time     string   `json:"time"`
	ElapsedS float64  `json:"elapsed_s"`
}

// RunDir is the training run directory that path is or lies in (a run, a
// checkpoint of it, its eval/ folder or a results file there): the
// nearest folder, path itself or up to three above it, that holds
// metrics.jsonl and config.json. ok is false when there is none (an
// exported folder, a results file kept elsewhere).
func RunDir(path string) (dir string, ok bool) {
	dir = filepath.Clean(path)
	for range 4 {
		if isFile(filepath.Join(dir, "metrics.jsonl")) && isFile(filepath.Join(dir, "config.json")) {
			return dir, true
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	return "", false
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir()
}

func readRunConfig(runDir string) (runConfig, error) {
	var c runConfig
	raw, err := os.ReadFile(filepath.Join(runDir, "config.json"))
	if err != nil {
		return c, fmt.Errorf("eval: %w", err)
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("eval: %s: %w", filepath.Join(runDir, "config.json"), err)
	}
	return c, nil
}

// readMetrics reads a run's metrics.jsonl; a torn last line is skipped.
func readMetrics(runDir string) ([]metricRecord, error) {
	path := filepath.Join(runDir, "metrics.jsonl")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("eval: %w", err)
	}
	var out []metricRecord
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r metricRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			if line == bytes.Count(raw, []byte("\n"))+1 { // the last line, cut short
				break
			}
			return nil, fmt.Errorf("eval: %s line %d: %w", path, line, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// RunLabel names a training run by what tells runs apart in a
// curriculum experiment: "curriculum 1,2,4, seed 7, 600 steps" (the steps
// trained, from its log, or its budget when the log has none). It is ""
// for a path outside a run directory. short is the same for a table
// column: "1,2,4 s7 600 steps".
func RunLabel(path string) (label, short string) {
	dir, ok := RunDir(path)
	if !ok {
		return "", ""
	}
	c, err := readRunConfig(dir)
	if err != nil {
		return "", ""
	}
	var segs []string
	budget := 0
	for _, s := range c.Stages {
		segs = append(segs, fmt.Sprint(s.Segments))
		budget += s.Steps
	}
	cur := strings.Join(segs, ",")
	if cur == "" {
		cur = c.Curriculum
	}
	steps := 0
	if rs, err := readMetrics(dir); err == nil {
		for _, r := range rs {
			if r.Type == "step" {
				steps = r.Step // the last step trained
			}
		}
	}
	if steps == 0 {
		steps = budget
	}
	return fmt.Sprintf("curriculum %s, seed %d, %d steps", cur, c.Seed, steps), fmt.Sprintf("%s s%d %d steps", cur, c.Seed, steps)
}

// finalTable is the accuracy report of a run's own final table (the
// "final" records of metrics.jsonl): what a run measured without an
// `eval accuracy`, on its validation samples.
func finalTable(runDir string) (AccuracyReport, error) {
	c, err := readRunConfig(runDir)
	if err != nil {
		return AccuracyReport{}, err
	}
	rs, err := readMetrics(runDir)
	if err != nil {
		return AccuracyReport{}, err
	}
	rep := AccuracyReport{Task: c.Task, Checkpoint: runDir, SegmentSize: c.SegmentSize, Memory: c.Memory, DMem: c.DMem, MemTokens: c.MemTokens}
	for _, r := range rs {
		if r.Type != "final" || r.Accuracy == nil || *r.Accuracy < 0 {
			continue
		}
		n := max(c.EvalSamples, 1)
		correct := int(*r.Accuracy*float64(n) + 0.5)
		lo, hi := WilsonInterval(correct, n)
		row := AccuracyResult{Segments: r.Segments, Tokens: r.Segments * c.SegmentSize, Samples: n, Correct: correct,
			Accuracy: *r.Accuracy, CILow: lo, CIHigh: hi}
		if i := slices.IndexFunc(rep.Results, func(x AccuracyResult) bool { return x.Segments == r.Segments }); i >= 0 {
			rep.Results[i] = row
		} else {
			rep.Results = append(rep.Results, row)
		}
	}
	if len(rep.Results) == 0 {
		return rep, fmt.Errorf("eval: %s has no eval/ folder and its metrics.jsonl no final table (did the run finish?)", runDir)
	}
	slices.SortFunc(rep.Results, func(a, b AccuracyResult) int { return a.Segments - b.Segments })
	return rep, nil
}

// runFinalTable is the results of a run directory (or a checkpoint in
// one) without an eval/ folder: its own final table. notFound is what
// FindResults said, returned when path is in no run directory.
func runFinalTable(path string, notFound error) (*RunResults, error) {
	dir, ok := RunDir(path)
	if !ok {
		return nil, notFound
	}
	rep, err := finalTable(dir)
	if err != nil {
		return nil, err
	}
	c, _ := readRunConfig(dir)
	key := c.Task
	if c.Task == "babi" {
		tasks := []int{1}
		if c.BabiTask != "" {
			if t, err := data.ParseBabiTasks(c.BabiTask); err == nil {
				tasks = t
			}
		}
		key = strings.TrimSuffix(strings.TrimPrefix(AccuracyFile(c.Task, tasks), "accuracy-"), ".json")
	}
	out := &RunResults{Run: path, Dir: filepath.Join(dir, "metrics.jsonl"), FinalTable: true, Accuracy: map[string]AccuracyReport{key: rep}}
	out.Label, out.Short = RunLabel(path)
	return out, nil
}

// PlotAccuracyRuns overlays the accuracy curves of runs (every task each
// measured), labelled by names, on one log-axis figure (PlotAccuracy).
func PlotAccuracyRuns(path string, runs []*RunResults, names []string) error {
	var reps []AccuracyReport
	var labels []string
	for i, r := range runs {
		for _, k := range slices.Sorted(maps.Keys(r.Accuracy)) {
			reps = append(reps, r.Accuracy[k])
			label := names[i]
			if len(r.Accuracy) > 1 {
				label += " " + k
			}
			labels = append(labels, label)
		}
	}
	if len(reps) == 0 {
		return fmt.Errorf("eval: plot: no run has accuracy results")
	}
	return plotAccuracy(path, reps, labels)
}
