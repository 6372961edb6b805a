package sweep

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/internal/table"
)

// The files a sweep writes into its directory.
const (
	JSONFile  = "sweep.json"
	TableFile = "sweep.txt"
	PlotFile  = "sweep.png"
)

// Report is sweep.json: per evaluation length (rows) and curriculum
// (cells), the accuracy of the best checkpoints over the seeds.
type Report struct {
	Task         string       `json:"task"`
	SegmentSize  int          `json:"segment_size"`
	BudgetSteps  int          `json:"budget_steps,omitempty"`
	Seeds        []int64      `json:"seeds"`
	EvalSegments []int        `json:"eval_segments"`
	EvalSamples  []int        `json:"eval_samples"` // per evaluation length, or one for all
	EvalSeed     int64        `json:"eval_seed"`
	Curricula    []Curriculum `json:"curricula"`
	Rows         []Row        `json:"rows"`
}

// Curriculum is one column: its stages and its runs.
type Curriculum struct {
	Name     string    `json:"name"`     // "1,2,4"
	Segments []int     `json:"segments"` // per stage
	Steps    []int     `json:"steps"`    // step budget per stage
	Runs     []RunInfo `json:"runs"`
}

// RunInfo is one (curriculum, seed) pair's training.
type RunInfo struct {
	Seed     int64   `json:"seed"`
	Dir      string  `json:"dir"`
	Best     string  `json:"best"`      // the best checkpoint, evaluated
	ElapsedS float64 `json:"elapsed_s"` // training wall time, across resumes
}

// Row is one evaluation length.
type Row struct {
	Segments int    `json:"segments"`
	Tokens   int    `json:"tokens"`
	Cells    []Cell `json:"cells"` // in the order of Curricula
}

// Cell is one curriculum at one length: the mean accuracy over its seeds
// and the spread. Low and High are the band drawn in sweep.png: the
// lowest and highest seed with two seeds or more, the 95% Wilson interval
// of the one run with one seed.
type Cell struct {
	Curriculum string    `json:"curriculum"`
	Mean       float64   `json:"mean"`
	Std        float64   `json:"std"` // sample standard deviation over seeds; 0 with one seed
	Min        float64   `json:"min"`
	Max        float64   `json:"max"`
	Low        float64   `json:"low"`
	High       float64   `json:"high"`
	Trained    bool      `json:"trained"`    // a stage of the curriculum trained at this length
	Accuracies []float64 `json:"accuracies"` // per seed, in the order of Seeds
}

// gather reads every pair's kept results into the report.
func gather(plan Plan, pairs []Pair) (*Report, error) {
	rep := &Report{Seeds: plan.Seeds, EvalSegments: plan.EvalSegments, EvalSamples: plan.EvalSamples, EvalSeed: plan.EvalSeed, BudgetSteps: plan.BudgetSteps}
	type key struct {
		cur  string
		seed int64
	}
	results := map[key][]float64{}
	intervals := map[key][][2]float64{}
	for _, p := range pairs {
		c := p.Config
		rep.Task, rep.SegmentSize = c.Task, c.SegmentSize
		best, err := checkpoints.Run{Dir: c.Out}.Best()
		if err != nil {
			return nil, fmt.Errorf("sweep: run %s has no best checkpoint: %w", c.Out, err)
		}
		rs, ok := kept(plan, p, best)
		if !ok {
			return nil, fmt.Errorf("sweep: %s holds no results at every count of the sweep", best)
		}
		k := key{Name(p.Curriculum), p.Seed}
		for _, r := range rs {
			results[k] = append(results[k], r.Accuracy)
			intervals[k] = append(intervals[k], [2]float64{r.CILow, r.CIHigh})
		}
		i := slices.IndexFunc(rep.Curricula, func(x Curriculum) bool { return x.Name == k.cur })
		if i < 0 {
			cur := Curriculum{Name: k.cur, Segments: p.Curriculum}
			for _, s := range c.Stages {
				cur.Steps = append(cur.Steps, s.Steps)
			}
			rep.Curricula = append(rep.Curricula, cur)
			i = len(rep.Curricula) - 1
		}
		run := RunInfo{Seed: p.Seed, Dir: c.Out, Best: best}
		if d, err := readDone(c.Out); err == nil {
			run.ElapsedS = d.ElapsedS
		}
		rep.Curricula[i].Runs = append(rep.Curricula[i].Runs, run)
	}
	for j, n := range plan.EvalSegments {
		row := Row{Segments: n, Tokens: n * rep.SegmentSize}
		for _, cur := range rep.Curricula {
			cell := Cell{Curriculum: cur.Name, Min: math.Inf(1), Max: math.Inf(-1), Trained: slices.Contains(cur.Segments, n)}
			for _, r := range cur.Runs {
				a := results[key{cur.Name, r.Seed}][j]
				cell.Accuracies = append(cell.Accuracies, a)
				cell.Mean += a
				cell.Min, cell.Max = math.Min(cell.Min, a), math.Max(cell.Max, a)
			}
			k := float64(len(cell.Accuracies))
			cell.Mean /= k
			for _, a := range cell.Accuracies {
				cell.Std += (a - cell.Mean) * (a - cell.Mean)
			}
			if k > 1 {
				cell.Std = math.Sqrt(cell.Std / (k - 1))
				cell.Low, cell.High = cell.Min, cell.Max
			} else {
				cell.Std = 0
				ci := intervals[key{cur.Name, cur.Runs[0].Seed}][j]
				cell.Low, cell.High = ci[0], ci[1]
			}
			row.Cells = append(row.Cells, cell)
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// Table prints the report: a row per evaluation length, a column per
// curriculum, each cell the mean accuracy over the seeds and, in
// brackets, the lowest and highest seed (with one seed, the 95%
// interval); * marks a length the curriculum trained at.
func (r *Report) Table(w io.Writer) error {
	spread := "lowest-highest seed"
	if len(r.Seeds) == 1 {
		spread = "95% interval"
	}
	fmt.Fprintf(w, "task %s, segments of %d tokens: accuracy of the best checkpoint, mean over seeds %s (%s), %s samples per length; * trained at that length\n",
		r.Task, r.SegmentSize, seedList(r.Seeds), spread, intList(r.EvalSamples))
	tw := table.New(w)
	header := []any{"segments", "tokens"}
	for _, c := range r.Curricula {
		header = append(header, c.Name)
	}
	tw.Header(header...)
	for _, row := range r.Rows {
		line := []any{fmt.Sprint(row.Segments), fmt.Sprint(row.Tokens)}
		for _, c := range row.Cells {
			mark := ""
			if c.Trained {
				mark = "*"
			}
			line = append(line, fmt.Sprintf("%.3f (%.2f-%.2f)%s", c.Mean, c.Low, c.High, mark))
		}
		tw.Append(line...)
	}
	if err := tw.Render(); err != nil {
		return err
	}
	var steps []string
	for _, c := range r.Curricula {
		var s []string
		for _, n := range c.Steps {
			s = append(s, fmt.Sprint(n))
		}
		wall := 0.0
		for _, run := range c.Runs {
			wall += run.ElapsedS
		}
		steps = append(steps, fmt.Sprintf("%s: %s steps, %.0f s of training over %d runs", c.Name, strings.Join(s, "+"), wall, len(c.Runs)))
	}
	_, err := fmt.Fprintf(w, "budgets: %s\n", strings.Join(steps, "; "))
	return err
}

func intList(xs []int) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}

func seedList(seeds []int64) string {
	s := make([]string, len(seeds))
	for i, x := range seeds {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, ",")
}

// Write saves sweep.json, sweep.txt (the table) and sweep.png into dir.
func (r *Report) Write(dir string) error {
	raw, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if err := checkpoints.WriteFileAtomic(filepath.Join(dir, JSONFile), append(raw, '\n')); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	var tab strings.Builder
	if err := r.Table(&tab); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	if err := checkpoints.WriteFileAtomic(filepath.Join(dir, TableFile), []byte(tab.String())); err != nil {
		return fmt.Errorf("sweep: %w", err)
	}
	return r.Plot(filepath.Join(dir, PlotFile))
}

// ReadReport reads a sweep.json.
func ReadReport(path string) (*Report, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sweep: %w", err)
	}
	var r Report
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("sweep: %s: %w", path, err)
	}
	return &r, nil
}
