package eval

import (
	"io"
	"strings"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// What the commands read from their flags and pass on to data and graph,
// so that cmd reaches them only through eval.

// The data splits of the task flags.
const (
	SplitTrain = data.SplitTrain
	SplitEval  = data.SplitEval
)

// DefaultEvalEvery is the file split rule: every k-th file is eval.
const DefaultEvalEvery = data.DefaultEvalEvery

// DefaultValShare is the share of a JSONL file's lines held out as eval.
const DefaultValShare = data.DefaultValShare

// TaskNames are the tasks a sample can be drawn from, comma-separated.
func TaskNames() string { return strings.Join(data.TaskNames(), ", ") }

// ParseInts reads a comma-separated list of integers such as 1,4,16 (nil
// for an empty string).
func ParseInts(s string) ([]int, error) { return data.ParseInts(s) }

// ParseBabiTasks reads bAbI task numbers such as 1,2,5.
func ParseBabiTasks(s string) ([]int, error) { return data.ParseBabiTasks(s) }

// LoadTokenizerFrom is the tokenizer of the tokenizer.json file when one
// is named, else of the model folder (LoadTokenizer; "" is the byte
// tokenizer).
func LoadTokenizerFrom(model, file string) (data.Tokenizer, error) {
	if file != "" {
		return data.LoadTokenizerFile(file)
	}
	return LoadTokenizer(model)
}

// ReadCell is the cell that reads through ck's memory, a segment of its
// size at a time, without training.
func ReadCell(ck *Checkpoint) (*graph.Cell[float32], error) {
	return graph.NewMemoryCell[float32](ck.Weights, ck.RMT.Kind(), ck.RMT.SegmentSize, false)
}

// AskStream is the text of r read by tok, then the question when there is
// one (without one, the text is to be continued).
func AskStream(tok data.Tokenizer, r io.Reader, question string) (*data.PromptStream, error) {
	if question == "" {
		return data.TextStream(tok, r), nil
	}
	return data.QuestionStream(tok, r, question, "", 0)
}

// QuestionLines are the lines of a JSONL question file read by ck's
// tokenizer into segments of its size, and the blank lines skipped.
func QuestionLines(ck *Checkpoint, file string) (data.Liner, int, error) {
	task, err := data.NewTask(data.TaskConfig{Name: "qa", Segments: 1 << 30, SegmentSize: ck.RMT.SegmentSize, ValData: file, Split: data.SplitEval, Tokenizer: ck.Tokenizer})
	if err != nil {
		return nil, 0, err
	}
	blank := 0
	if ds, err := data.OpenDataset(data.DatasetConfig{Kind: "qa", ValFile: file, Tokenizer: ck.Tokenizer}); err == nil {
		blank = ds.Blank[0]
	}
	return task.(data.Liner), blank, nil
}

// Questions pick the evaluation samples of a task with answers
// (memorize, detect, reasoning, babi).
type Questions struct {
	Task      string
	NoiseDir  string // .txt books of the background ("": built-in filler)
	BabiDir   string
	BabiTasks []int
	Seed      int64
}

// Of is the eval-split task of n segments of ck's segment size.
func (q Questions) Of(ck *Checkpoint, n int) (data.Task, error) {
	return data.NewTask(data.TaskConfig{Name: q.Task, Segments: n, SegmentSize: ck.RMT.SegmentSize, Seed: q.Seed,
		NoiseDir: q.NoiseDir, BabiDir: q.BabiDir, BabiTasks: q.BabiTasks, Split: data.SplitEval, Tokenizer: ck.Tokenizer})
}

// For is Of as a Sweep's NewTask.
func (q Questions) For(ck *Checkpoint) func(n int) (data.Task, error) {
	return func(n int) (data.Task, error) { return q.Of(ck, n) }
}

// TextWindows are perplexity's windows of Segments x SegmentSize tokens of
// long text: from the .txt files of Dir (its eval split, or every file
// with AllFiles), or from the lines of the JSONL file Data long enough for
// one.
type TextWindows struct {
	Dir, Data             string
	AllFiles              bool
	Segments, SegmentSize int
	Seed                  int64
}

// Task is the language-modelling task of the windows, read by tok.
func (t TextWindows) Task(tok data.Tokenizer) (data.Task, error) {
	cfg := data.TaskConfig{Name: "lm", Segments: t.Segments, SegmentSize: t.SegmentSize, Seed: t.Seed,
		TextDir: t.Dir, Split: data.SplitEval, Tokenizer: tok}
	if t.AllFiles {
		cfg.EvalEvery = -1
	}
	if t.Data != "" {
		cfg.TextDir, cfg.ValData, cfg.Tokens = "", t.Data, t.Segments*t.SegmentSize
	}
	return data.NewTask(cfg)
}

// WriteBabiHoldout writes the held-out stories of the bAbI training files
// of tasks in dir as qaN_*_test.txt files in out (data.WriteBabiHoldoutFiles).
func WriteBabiHoldout(dir string, tasks []int, out string) ([]data.BabiHoldoutFile, error) {
	return data.WriteBabiHoldoutFiles(dir, tasks, out, false)
}

// SampleSpec names one task sample to show (ShowSample).
type SampleSpec struct {
	Task                  string
	Segments, SegmentSize int
	Seed                  int64
	Index                 int    // which sample of the seed's stream
	Model                 string // folder whose tokenizer reads ("": the byte tokenizer)
	NoiseDir, TextDir     string
	BabiDir, BabiTasks    string // BabiTasks as 1,2,5
	Split                 string
	EvalEvery             int
	DataFiles             []string
	ValShare              float64
	Context               int // noise tokens shown at each end of a noise run; 0 shows all
}

// ShowSample writes one task sample decoded, with its fact, question and
// answer marked (data.Render), and returns its length in tokens.
func ShowSample(w io.Writer, s SampleSpec) (int, error) {
	var tok data.Tokenizer = data.NewByteTokenizer()
	if s.Model != "" {
		var err error
		if tok, err = data.LoadTokenizer(s.Model); err != nil {
			return 0, err
		}
	}
	babiTasks, err := data.ParseBabiTasks(s.BabiTasks)
	if err != nil {
		return 0, err
	}
	cfg := data.TaskConfig{Name: s.Task, Segments: s.Segments, SegmentSize: s.SegmentSize, Seed: s.Seed,
		NoiseDir: s.NoiseDir, BabiDir: s.BabiDir, BabiTasks: babiTasks, TextDir: s.TextDir,
		Split: s.Split, EvalEvery: s.EvalEvery, Tokenizer: tok}
	if len(s.DataFiles) > 0 {
		cfg.DataFiles, cfg.ValShare = s.DataFiles, s.ValShare
	}
	t, err := data.NewTask(cfg)
	if err != nil {
		return 0, err
	}
	sample, err := t.SampleAt(s.Index)
	if err != nil {
		return 0, err
	}
	if err := data.Render(w, sample, t.Config(), s.Context); err != nil {
		return 0, err
	}
	return len(sample.IDs), nil
}

// QASet is a long-document question set to write (WriteQASet): Samples
// lines, a fact hidden in the Split books of BooksDir, over MinSegments to
// MaxSegments segments of SegmentSize tokens of Tokenizer.
type QASet struct {
	BooksDir, Split          string
	Tokenizer                data.Tokenizer
	Samples                  int
	MinSegments, MaxSegments int
	SegmentSize              int
	Seed                     int64
}

// WriteQASet writes the set as JSONL to w (data.MakeQA).
func WriteQASet(q QASet, w io.Writer) (data.MakeQAStats, error) {
	return data.MakeQA(data.MakeQAConfig{BooksDir: q.BooksDir, Split: q.Split, Samples: q.Samples, MinSegments: q.MinSegments,
		MaxSegments: q.MaxSegments, SegmentSize: q.SegmentSize, Seed: q.Seed, Tokenizer: q.Tokenizer}, w)
}
