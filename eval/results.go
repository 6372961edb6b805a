package eval

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
)

// Evaluation results live beside the checkpoint they measure, so that runs
// can be compared later (`eval compare`):
//
//	CHECKPOINT/eval/accuracy-<task>.json   AccuracyReport (task babi: accuracy-babi-qa1-qa2.json)
//	CHECKPOINT/eval/perplexity.json        PerplexityReport
//	CHECKPOINT/eval/babilong.json          BabilongReport
//
// Accuracy files accumulate: a new evaluation replaces the rows of the
// segment counts it measured and keeps the others, so that a long count
// can be run on its own.

// ResultsDir is the folder of a checkpoint that holds its evaluations.
const ResultsDir = "eval"

// PerplexityFile is the name of the perplexity results in ResultsDir.
const PerplexityFile = "perplexity.json"

// AccuracyReport is `eval accuracy`'s output and an accuracy-<task>.json.
// task, checkpoint and results are a stable contract (docs/cli.md).
type AccuracyReport struct {
	Task        string           `json:"task"`
	Checkpoint  string           `json:"checkpoint"`
	SegmentSize int              `json:"segment_size"`
	Memory      string           `json:"memory,omitempty"` // the memory kind; absent in older files (rmt)
	DMem        int              `json:"d_mem,omitempty"`
	MemTokens   int              `json:"mem_tokens"`
	Results     []AccuracyResult `json:"results"`
}

// DynamicsReport is `eval dynamics`'s output: MemoryDynamics of a
// checkpoint over the samples of a question task.
type DynamicsReport struct {
	Checkpoint  string           `json:"checkpoint"`
	Task        string           `json:"task"`
	SegmentSize int              `json:"segment_size"`
	Memory      string           `json:"memory"`
	DMem        int              `json:"d_mem,omitempty"`
	Features    string           `json:"armt_features,omitempty"`
	MemTokens   int              `json:"mem_tokens"`
	Segments    int              `json:"segments"`
	Samples     int              `json:"samples"`
	Seed        int64            `json:"seed"`
	Results     []DynamicsResult `json:"results"`
}

// AccuracyFile names the results file of a task: babi tasks are part of
// the name, since qa1 and qa2 are different questions.
func AccuracyFile(task string, babiTasks []int) string {
	name := "accuracy-" + task
	for _, t := range babiTasks {
		name += "-qa" + strconv.Itoa(t)
	}
	return name + ".json"
}

// Merge returns r with the rows of next added, a row of next replacing
// one of r with the same segment count, sorted by segment count. When the
// two are not of the same task on the same memory shape, next alone is
// returned.
func (r AccuracyReport) Merge(next AccuracyReport) AccuracyReport {
	if r.Task != next.Task || r.SegmentSize != next.SegmentSize || r.MemTokens != next.MemTokens || r.memory() != next.memory() || r.DMem != next.DMem {
		return next
	}
	out := next
	out.Results = slices.Clone(next.Results)
	for _, old := range r.Results {
		if !slices.ContainsFunc(next.Results, func(x AccuracyResult) bool { return x.Segments == old.Segments }) {
			out.Results = append(out.Results, old)
		}
	}
	slices.SortStableFunc(out.Results, func(a, b AccuracyResult) int { return a.Segments - b.Segments })
	return out
}

// SaveAccuracy merges rep into CKDIR/eval/<file> (see Merge; an unreadable
// old file is replaced) and writes it atomically, making the folder if
// needed. It returns the path written.
func SaveAccuracy(ckDir, file string, rep AccuracyReport) (string, error) {
	path := filepath.Join(ckDir, ResultsDir, file)
	return path, underRunLock(ckDir, func() error {
		var old AccuracyReport
		if raw, err := os.ReadFile(path); err == nil && json.Unmarshal(raw, &old) == nil {
			rep = old.Merge(rep)
		}
		return writeResults(path, rep)
	})
}

// SavePerplexity writes rep as CKDIR/eval/perplexity.json, replacing the
// one there, and returns the path written.
func SavePerplexity(ckDir string, rep PerplexityReport) (string, error) {
	path := filepath.Join(ckDir, ResultsDir, PerplexityFile)
	return path, underRunLock(ckDir, func() error { return writeResults(path, rep) })
}

// underRunLock runs write holding the lock of the run directory ckDir
// belongs to, when it belongs to one: a trainer writing into the run (and
// pruning its checkpoints) and an evaluation writing results never overlap.
func underRunLock(ckDir string, write func() error) error {
	run := checkpoints.RunDirOf(ckDir)
	if run == "" {
		return write()
	}
	l, err := checkpoints.LockRun(run, "eval")
	if err != nil {
		return fmt.Errorf("eval: results not written: %w", err)
	}
	defer l.Unlock()
	return write()
}

func writeResults(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("eval: results for %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	return checkpoints.WriteFileAtomic(path, append(raw, '\n'))
}

// memory is the report's memory kind, rmt for files written before there
// were two.
func (r AccuracyReport) memory() string {
	if r.Memory == "" {
		return graph.KindRMT
	}
	return r.Memory
}

// MemoryKind is the memory kind of the run's accuracy results ("" when it
// has none).
func (r *RunResults) MemoryKind() string {
	for _, k := range slices.Sorted(maps.Keys(r.Accuracy)) {
		return r.Accuracy[k].memory()
	}
	return ""
}

// RunResults is every evaluation found for one run or checkpoint.
type RunResults struct {
	Run string `json:"run"` // as given
	Dir string `json:"dir"` // the folder (or file) read
	// Label names a training run's curriculum, seed and steps (RunLabel);
	// "" outside a run directory.
	Label string `json:"label,omitempty"`
	Short string `json:"-"` // Label for a table column
	// FinalTable: the accuracy is the run's own final table (metrics.jsonl),
	// read because its best checkpoint has no eval/ folder.
	FinalTable bool                      `json:"final_table,omitempty"`
	Accuracy   map[string]AccuracyReport `json:"accuracy"`
	Perplexity *PerplexityReport         `json:"perplexity,omitempty"`
	Babilong   *BabilongReport           `json:"babilong,omitempty"`
}

// FindResults turns what a user names into the results to read: a results
// file itself; an eval folder; a folder holding eval/; or a checkpoint or
// run directory (checkpoints.Resolve: a run's best checkpoint) whose eval/
// folder is read.
func FindResults(path string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("eval: %w", err)
	}
	if !fi.IsDir() || filepath.Base(filepath.Clean(path)) == ResultsDir {
		return path, nil
	}
	if fi, err := os.Stat(filepath.Join(path, ResultsDir)); err == nil && fi.IsDir() {
		return filepath.Join(path, ResultsDir), nil
	}
	ck, err := checkpoints.Resolve(path)
	if err != nil {
		return "", fmt.Errorf("eval: %s has no %s/ folder of results and is not a checkpoint or run directory: %w", path, ResultsDir, err)
	}
	dir := filepath.Join(ck, ResultsDir)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("eval: checkpoint %s has no %s/ folder; run 'eval accuracy' or 'eval perplexity' on it first", ck, ResultsDir)
	}
	return dir, nil
}

// LoadResults reads the results of one run (see FindResults for what path
// may be): accuracy-*.json and perplexity.json; other files are ignored,
// malformed ones are an error naming the file.
func LoadResults(path string) (*RunResults, error) {
	dir, err := FindResults(path)
	if err != nil {
		return runFinalTable(path, err)
	}
	out := &RunResults{Run: path, Dir: dir, Accuracy: map[string]AccuracyReport{}}
	out.Label, out.Short = RunLabel(path)
	files := []string{dir}
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		if files, err = filepath.Glob(filepath.Join(dir, "*.json")); err != nil {
			return nil, fmt.Errorf("eval: %w", err)
		}
	}
	for _, f := range files {
		base := filepath.Base(f)
		kind := ""
		switch {
		case strings.HasPrefix(base, "accuracy"):
			kind = "accuracy"
		case strings.HasPrefix(base, "perplexity"):
			kind = "perplexity"
		case strings.HasPrefix(base, "babilong"):
			kind = "babilong"
		case f == dir: // a file named by the user: tell by its fields
			var probe struct {
				Task   string `json:"task"`
				Memory string `json:"memory"`
			}
			if err := readResults(f, &probe); err != nil {
				return nil, err
			}
			switch {
			case probe.Memory != "":
				kind = "babilong"
			case probe.Task != "":
				kind = "accuracy"
			default:
				kind = "perplexity"
			}
		}
		switch kind {
		case "accuracy":
			var r AccuracyReport
			if err := readResults(f, &r); err != nil {
				return nil, err
			}
			out.Accuracy[accuracyKey(base, r)] = r
		case "perplexity":
			var r PerplexityReport
			if err := readResults(f, &r); err != nil {
				return nil, err
			}
			out.Perplexity = &r
		case "babilong":
			var r BabilongReport
			if err := readResults(f, &r); err != nil {
				return nil, err
			}
			out.Babilong = &r
		}
	}
	if len(out.Accuracy) == 0 && out.Perplexity == nil && out.Babilong == nil {
		return nil, fmt.Errorf("eval: %s holds no accuracy-*.json, %s or %s", dir, PerplexityFile, BabilongFile)
	}
	return out, nil
}

// accuracyKey is what accuracy tables of different runs are matched by:
// the file name's task part ("memorize", "babi-qa1"), or the task.
func accuracyKey(base string, r AccuracyReport) string {
	k, ok := strings.CutPrefix(strings.TrimSuffix(base, ".json"), "accuracy-")
	if !ok || k == "" {
		k = r.Task
	}
	return k
}

func readResults(path string, v any) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("eval: %s: %w", path, err)
	}
	return nil
}
