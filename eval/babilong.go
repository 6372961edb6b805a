package eval

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
	"github.com/rmtgo/rmt/provenance"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// BABILong (Kuratov et al. 2024, arXiv:2406.10149) measures bAbI qa1-qa5
// with the story scattered through book text, at lengths from the story
// alone (0k) to millions of tokens. Lengths are in GPT-2 tokens by
// default, as the benchmark counts them (k = 1,000, M = 1,000,000, the whole
// sample: statements, background and question; data.BabilongTask), or in
// the model's own tokens (UnitsModel: k = 1,024 and M = 1,048,576, a sample
// exactly that long, answer and end token included).

// BabilongLengths are the lengths of the BABILong leaderboard, a fresh
// slice each call.
func BabilongLengths() []string { return slices.Clone(babilongLengths) }

var babilongLengths = []string{"0k", "1k", "2k", "4k", "8k", "16k", "32k", "64k", "128k", "256k", "512k", "1M"}

// The units of a BABILong length.
const (
	UnitsGPT2  = "gpt2"  // GPT-2 tokens of the whole sample, k = 1,000 (the benchmark's)
	UnitsModel = "model" // the model's tokens, k = 1,024
)

// ParseLengthIn reads a length in units: UnitsGPT2 reads "1k" as 1,000 and
// "1M" as 1,000,000 GPT-2 tokens; UnitsModel is ParseLength.
func ParseLengthIn(s, units string) (int, error) {
	switch units {
	case UnitsModel:
		return ParseLength(s)
	case UnitsGPT2, "":
	default:
		return 0, fmt.Errorf("units %q, want %s or %s", units, UnitsGPT2, UnitsModel)
	}
	unit := 0
	switch {
	case strings.HasSuffix(s, "k"):
		unit = 1000
	case strings.HasSuffix(s, "M"):
		unit = 1000000
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(s, "k"), "M"))
	if unit == 0 || err != nil || n < 0 || strings.HasPrefix(s, "+") || n > (1<<30)/unit {
		return 0, fmt.Errorf("unknown length %q: want 0k, or a number of k (1,000 GPT-2 tokens) or M (1,000,000) such as 1k, 128k, 1M", s)
	}
	return n * unit, nil
}

// BabilongFile is the name of the BABILong results in ResultsDir.
const BabilongFile = "babilong.json"

// ParseLength reads a BABILong length: "0k" (the story alone) or a whole
// number of k (1,024 tokens) or M (1,048,576 tokens), such as 4k, 128k, 1M,
// 10M. It returns the tokens, 0 for 0k.
func ParseLength(s string) (int, error) {
	unit := 0
	switch {
	case strings.HasSuffix(s, "k"):
		unit = 1 << 10
	case strings.HasSuffix(s, "M"):
		unit = 1 << 20
	}
	n, err := strconv.Atoi(strings.TrimRight(s, "kM"))
	if unit == 0 {
		unit = 1 // for the error below
	}
	if unit == 1 || err != nil || n < 0 || len(s) < 2 || strings.HasPrefix(s, "+") || n > (1<<30)/unit {
		return 0, fmt.Errorf("unknown length %q: want 0k, or a number of k (1,024 tokens) or M (1,048,576 tokens) such as 1k, 128k, 1M", s)
	}
	return n * unit, nil
}

// BabilongResult is the accuracy on one bAbI task at one length.
type BabilongResult struct {
	Task   int    `json:"task"`   // bAbI qaN
	Length string `json:"length"` // as given: "0k", "1M"
	// Tokens is each sample's length (answer and end token included); for
	// 0k, where every sample is as long as its story, the longest.
	Tokens int `json:"tokens"`
	// Segments is how many segments a sample of Tokens spans.
	Segments int     `json:"segments"`
	Samples  int     `json:"samples"`
	Correct  int     `json:"correct"`
	Accuracy float64 `json:"accuracy"`
	// CILow and CIHigh are the 95% Wilson interval, over the distinct
	// questions asked where they are fewer than the samples.
	CILow  float64 `json:"ci_low"`
	CIHigh float64 `json:"ci_high"`
	// DistinctQuestions is how many different bAbI questions the samples
	// ask (a test file of few stories repeats them); absent in older files.
	DistinctQuestions int `json:"distinct_questions,omitempty"`
	// Questions is how many questions of the test file fit in a sample of
	// this length (all of them from the length of the longest story on),
	// of QuestionsTotal; samples draw from these.
	Questions      int `json:"questions"`
	QuestionsTotal int `json:"questions_total"`
	// WordsPerSample is the mean number of words (runs between spaces) of
	// the samples' prompts: how much text a length is with this tokenizer.
	WordsPerSample float64 `json:"words_per_sample"`
	// TokensRead is every token of every sample, read or generated.
	TokensRead      int64   `json:"tokens_read"`
	Seconds         float64 `json:"seconds"`
	TokensPerSecond float64 `json:"tokens_per_second"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`
	SettledRSSMB    float64 `json:"settled_rss_mb"`
	HeapMB          float64 `json:"heap_mb"`
	// Units is the unit of Length (UnitsGPT2 or UnitsModel; empty in files
	// written before there were two: model). For GPT-2 units Tokens is the
	// mean sample in the model's tokens and Segments the segments it spans.
	Units string `json:"units,omitempty"`
	// GPT2Tokens and ModelTokens are a sample's mean length in GPT-2 tokens
	// (statements, background and question; in model units counted on the
	// decoded text) and in the model's tokens (the whole sample).
	GPT2Tokens  float64 `json:"gpt2_tokens,omitempty"`
	ModelTokens float64 `json:"model_tokens,omitempty"`
	// Data is what the cell was measured on; Command and Commit what
	// measured it. Absent in files written before they were recorded.
	Data    *CellData `json:"data,omitempty"`
	Command string    `json:"command,omitempty"`
	Commit  string    `json:"commit,omitempty"`
	Dirty   bool      `json:"dirty,omitempty"`
}

// BabilongReport is `eval babilong`'s output and CHECKPOINT/eval/babilong.json.
type BabilongReport struct {
	Checkpoint string `json:"checkpoint"`
	Memory     string `json:"memory"` // the memory kind: "rmt" or "armt"
	// TrainedTasks are the bAbI tasks the checkpoint was trained on (empty
	// when the checkpoint does not say); Untrained lists the evaluated
	// tasks outside them.
	TrainedTasks []int  `json:"trained_tasks"`
	Untrained    []int  `json:"untrained_tasks,omitempty"`
	SegmentSize  int    `json:"segment_size"`
	MemTokens    int    `json:"mem_tokens"`
	Seed         int64  `json:"seed"`
	BabiDir      string `json:"babi_dir"`
	NoiseDir     string `json:"noise_dir"`
	// Units is the unit of the lengths (empty in older files: model).
	Units   string           `json:"units,omitempty"`
	Results []BabilongResult `json:"results"`
	// Baselines are the answers without a model, per task (BabilongBaselines).
	Baselines []BabilongBaseline `json:"baselines,omitempty"`
	// Control is the no-memory control's rows, where one was given.
	Control *BabilongReport `json:"control,omitempty"`
}

// BabilongTask is the task of BABILong samples of bAbI task qaN at a length
// (tokens, 0 for the story alone) read in segments of S tokens: the
// stories of the test file (data.BabiTest, required), the noise from the
// eval split of noiseDir.
func BabilongTask(qa, tokens, S int, babiDir, noiseDir string, seed int64, tok data.Tokenizer) (data.Task, error) {
	return data.NewTask(data.TaskConfig{Name: "babi", Segments: max(1, (tokens+S-1)/S), SegmentSize: S, Tokens: tokens, StoryOnly: tokens == 0,
		Seed: seed, NoiseDir: noiseDir, BabiDir: babiDir, BabiTasks: []int{qa}, BabiStories: data.BabiTest, Split: data.SplitEval, Tokenizer: tok})
}

// Babilong scores samples 0..samples-1 of a BabilongTask (each streamed
// through cell on its own, in constant memory) and returns the row.
func Babilong(cell *graph.Cell[float32], tok data.Tokenizer, task data.Task, length string, samples int, p *Progress) (BabilongResult, error) {
	return babilong(nil, cell, tok, task, length, samples, 0, p)
}

// babilong is Babilong with the samples dealt among the processes of comm.
func babilong(comm *dist.Comm, cell *graph.Cell[float32], tok data.Tokenizer, task data.Task, length string, samples int, room int, p *Progress) (BabilongResult, error) {
	cfg := task.Config()
	if samples < 1 {
		return BabilongResult{}, fmt.Errorf("eval: %d samples, want at least 1", samples)
	}
	if len(cfg.BabiTasks) != 1 {
		return BabilongResult{}, fmt.Errorf("eval: a BABILong row is one bAbI task, got %v", cfg.BabiTasks)
	}
	bt, units := task.(*data.BabilongTask)
	gpt2, err := data.GPT2Tokenizer()
	if err != nil {
		return BabilongResult{}, err
	}
	sc, err := scoreSamples(comm, cell, tok, task, samples, room, p, func(piece []int) (words, g int) {
		// Pieces join as words: every piece but noise cut mid-sentence
		// starts with a space, so a word is counted where it starts.
		text, space := tok.Decode(piece), true
		for _, r := range text {
			sp := r == ' ' || r == '\n' || r == '\t'
			if space && !sp {
				words++
			}
			space = sp
		}
		if !units { // GPT-2 units: the task counts exactly
			ids, _ := gpt2.Encode(text)
			g = len(ids)
		}
		return words, g
	})
	if err != nil {
		return BabilongResult{}, err
	}
	_, total, usable := data.BabiQuestions(task)
	r := BabilongResult{
		Task: cfg.BabiTasks[0], Length: length, Tokens: cfg.Length(), Segments: cfg.Segments, Samples: samples, Correct: sc.correct,
		Accuracy: float64(sc.correct) / float64(samples), WordsPerSample: float64(sc.counted) / float64(samples),
		TokensRead: sc.tokens, Seconds: sc.seconds, TokensPerSecond: float64(sc.tokens) / max(sc.seconds, 1e-9),
		PeakRSSMB: sc.peakMB, SettledRSSMB: sc.settledMB, HeapMB: sc.heapMB,
	}
	if len(total) == 1 {
		r.Questions, r.QuestionsTotal = usable[0], total[0]
	}
	r.GPT2Tokens = float64(sc.gpt2) / float64(samples)
	r.ModelTokens = float64(sc.tokens) / float64(samples)
	switch {
	case units:
		r.Units = UnitsGPT2
		r.Tokens = int(math.Round(r.ModelTokens))
		r.Segments = max(1, int(math.Ceil(r.ModelTokens/float64(cfg.SegmentSize))))
		r.Questions, r.QuestionsTotal = bt.Questions()
	case cfg.StoryOnly:
		r.Units = UnitsModel
		r.Tokens = data.BabiLongest(task)
		r.Segments = max(1, (r.Tokens+cfg.SegmentSize-1)/cfg.SegmentSize)
	default:
		r.Units = UnitsModel
	}
	r.CILow, r.CIHigh = WilsonInterval(sc.correct, samples)
	if d := distinctQuestions(task, samples); d > 0 {
		r.DistinctQuestions = d
		if d < samples {
			// Repeats of a question are not independent draws: the interval
			// counts each question once, at the cell's accuracy.
			r.CILow, r.CIHigh = WilsonInterval(int(math.Round(r.Accuracy*float64(d))), d)
		}
	}
	return r, nil
}

// distinctQuestions counts the different questions of samples 0..n-1 (0
// when the task cannot say).
func distinctQuestions(task data.Task, n int) int {
	seen := map[string]bool{}
	for i := range n {
		k, ok := data.BabiQuestionKey(task, i)
		if !ok {
			return 0
		}
		seen[k] = true
	}
	return len(seen)
}

// BabilongRun is a BABILong evaluation of one checkpoint (BabilongSweep).
type BabilongRun struct {
	// Tasks are the bAbI tasks; nil means those the checkpoint was
	// trained on (an error when it does not say).
	Tasks   []int
	Lengths []string // as ParseLength reads them, in the order evaluated
	Samples []int    // per length: one for every length, or one per length
	BabiDir string   // the test split, qaN_*_test.txt
	// NoiseDir is the folder of books whose eval split is the background.
	NoiseDir string
	Seed     int64
	// GCPercent is the collector target while evaluating
	// (DefaultGCPercent); negative keeps the one GOGC set.
	GCPercent int
	// Kernels is how the evaluation's ops split their work (the cell's
	// Kernels; the zero value: the kernels' defaults).
	Kernels kernels.Settings
	// Units of the lengths: UnitsGPT2 (empty) or UnitsModel.
	Units string
	// NoiseFilter drops background sentences that name a task entity.
	// Model units always filter, as they always did.
	NoiseFilter bool
	// BabiTrainDir holds the qaN_*_train.txt files whose training share
	// gives the question-only baseline's counts (empty: BabiDir; where no
	// training file is found the baselines are left out, with a note).
	BabiTrainDir string
	// Align is how a sample is cut into segments: AlignLeft (empty) from
	// its start, AlignRight from its end (alignment.go), leaving AnswerRoom
	// tokens after the prompt (0: the checkpoint's answer_room).
	Align      string
	AnswerRoom int
	// Control is the no-memory control, evaluated on the same cells.
	Control *Checkpoint
	// Command is the command line, recorded with every cell.
	Command string
	// Save merges each finished cell into CKDIR/eval/babilong.json (Out
	// when set); a run whose data differ from the saved cells' is refused
	// before it starts. A folder that cannot be written costs a warning,
	// not the evaluation.
	Save  bool
	Out   string
	Log   io.Writer     // a line per cell, notes, warnings, progress (nil: none)
	Every time.Duration // progress at most this often (0: never)
	// Comm deals each cell's samples among the processes of a job (nil:
	// one process); every process returns the report, and rank 0 alone
	// logs and saves.
	Comm *dist.Comm
}

// BabilongSweep evaluates ck on every task at every length of run, length
// by length, each sample streamed through the memory one segment at a time.
// Every task and length is built before the first sample, so that a
// missing test file or a length no story fits in fails at once.
func BabilongSweep(ck *Checkpoint, run BabilongRun) (BabilongReport, error) {
	if run.Units != "" && run.Units != UnitsGPT2 && run.Units != UnitsModel {
		return BabilongReport{}, fmt.Errorf("eval: units %q, want %s or %s", run.Units, UnitsGPT2, UnitsModel)
	}
	if err := run.resolveAlign(ck); err != nil {
		return BabilongReport{}, err
	}
	log := run.Log
	if log == nil || !run.Comm.Root() {
		log = io.Discard
	}
	if len(run.Samples) != 1 && len(run.Samples) != len(run.Lengths) {
		return BabilongReport{}, fmt.Errorf("eval: %d sample counts for %d lengths; want one, or one per length", len(run.Samples), len(run.Lengths))
	}
	for _, k := range run.Samples {
		if k < 1 {
			return BabilongReport{}, fmt.Errorf("eval: %d samples, want at least 1", k)
		}
	}
	trained := []int{}
	if ck.RMT.Task == "babi" {
		trained = append(trained, ck.RMT.BabiTasks...)
	}
	tasks := run.Tasks
	if tasks == nil {
		if len(trained) == 0 {
			return BabilongReport{}, fmt.Errorf("eval: checkpoint %s does not record bAbI tasks it was trained on (task %q); name the tasks", ck.Dir, ck.RMT.Task)
		}
		tasks = trained
	}
	var untrained []int
	for _, t := range tasks {
		if !slices.Contains(trained, t) {
			untrained = append(untrained, t)
		}
	}
	if len(untrained) > 0 {
		fmt.Fprintf(log, "note: evaluating qa%v, which the checkpoint was not trained on (trained on %v)\n", untrained, trained)
	}
	S, tok := ck.RMT.SegmentSize, ck.Tokenizer
	tokens := make([]int, len(run.Lengths))
	built := map[[2]int]data.Task{}
	cells := map[[2]int]*CellData{}
	for i, l := range run.Lengths {
		n, err := ParseLengthIn(l, run.units())
		if err != nil {
			return BabilongReport{}, fmt.Errorf("eval: %w", err)
		}
		tokens[i] = n
		for _, t := range tasks {
			if built[[2]int{t, n}], err = run.task(t, n, S, tok); err != nil {
				return BabilongReport{}, err
			}
			if cells[[2]int{t, n}], err = cellData(run, t, n); err != nil {
				return BabilongReport{}, err
			}
		}
	}
	saving := run.Save && run.Comm.Root()
	if saving {
		for key, d := range cells {
			if err := checkSaved(run.savePath(ck.Dir), run, map[int]*CellData{key[0]: d}); err != nil {
				return BabilongReport{}, err
			}
		}
	}
	code := provenance.Current()
	align, _ := ParseAlign(run.Align)
	fmt.Fprintf(log, "units %s; segments aligned %s; background: the %s books of %s (%d), %s; commit %s (dirty %v)\n", run.units(), align, data.SplitEval, run.NoiseDir,
		len(firstBooks(cells)), map[bool]string{true: "sentences naming a task entity dropped", false: "unfiltered"}[run.NoiseFilter || run.units() == UnitsModel], code.Commit, code.Dirty)
	if run.GCPercent >= 0 {
		defer debug.SetGCPercent(debug.SetGCPercent(run.GCPercent))
	}
	cell, err := graph.NewCell[float32](ck.Weights, ck.RMT.MemTokens, S, false)
	if err != nil {
		return BabilongReport{}, err
	}
	if cell.Kernels, err = kernels.NewPool(run.Kernels); err != nil {
		return BabilongReport{}, fmt.Errorf("eval: %w", err)
	}
	// Compile the reading and generating graphs on one sample first, so
	// that the resident memory of each length is that of evaluating it.
	if warm, err := BabilongTask(tasks[0], 2*S, S, run.BabiDir, run.NoiseDir, run.Seed, tok); err == nil {
		if s, err := warm.SampleAt(0); err == nil {
			if _, _, err := Answer(cell, tok, s); err != nil {
				return BabilongReport{}, err
			}
		}
	}
	rep := BabilongReport{Checkpoint: provenance.RelPath(ck.Dir), Memory: ck.RMT.Kind().Kind, TrainedTasks: trained, Untrained: untrained, SegmentSize: S, MemTokens: ck.RMT.MemTokens,
		Seed: run.Seed, BabiDir: provenance.RelPath(run.BabiDir), NoiseDir: provenance.RelPath(run.NoiseDir), Units: run.units()}
	rep.Baselines = run.baselines(tasks, log)
	ratio := modelPerGPT2(run, tok) // model tokens per unit of length, for progress
	for i, n := range tokens {
		k := run.Samples[min(i, len(run.Samples)-1)]
		for _, t := range tasks {
			mine := run.Comm.Share(k) // progress counts this process's samples
			p := NewProgress(log, fmt.Sprintf("babilong qa%d %s", t, run.Lengths[i]), mine, int64(float64(mine)*float64(max(n, S))*ratio), run.Every)
			r, err := babilong(run.Comm, cell, tok, built[[2]int{t, n}], run.Lengths[i], k, run.AnswerRoom, p)
			if err != nil {
				return BabilongReport{}, fmt.Errorf("eval: qa%d at %s: %w", t, run.Lengths[i], err)
			}
			r.Data, r.Command, r.Commit, r.Dirty = cells[[2]int{t, n}], run.Command, code.Commit, code.Dirty
			rep.Results = append(rep.Results, r)
			fmt.Fprintf(log, "qa%d %s (%.0f GPT-2 tokens, %d model tokens, %d segments): accuracy %.3f (%d/%d), %.1f s, %.0f tokens/s, RSS peak %.0f MiB, %.0f words/sample\n",
				t, r.Length, r.GPT2Tokens, r.Tokens, r.Segments, r.Accuracy, r.Correct, r.Samples, r.Seconds, r.TokensPerSecond, r.PeakRSSMB, r.WordsPerSample)
			if !saving {
				continue
			}
			path := run.savePath(ck.Dir)
			_, err = saveBabilongTo(path, rep)
			switch {
			case err != nil:
				// A read-only checkpoint folder must not cost the evaluation.
				fmt.Fprintf(log, "warning: results not saved beside the checkpoint: %v\n", err)
				saving = false
			case i == len(tokens)-1 && t == tasks[len(tasks)-1]:
				fmt.Fprintf(log, "results saved to %s\n", path)
			}
		}
	}
	if run.Control != nil {
		ctl := run
		ctl.Control, ctl.Save, ctl.Log = nil, false, nil
		c, err := BabilongSweep(run.Control, ctl)
		if err != nil {
			return BabilongReport{}, fmt.Errorf("eval: control %s: %w", run.Control.Dir, err)
		}
		c.Baselines = nil
		rep.Control = &c
		if saving {
			if _, err := saveBabilongTo(run.savePath(ck.Dir), rep); err != nil {
				fmt.Fprintf(log, "warning: control not saved: %v\n", err)
			}
		}
	}
	return rep, nil
}

func (run BabilongRun) units() string {
	if run.Units == "" {
		return UnitsGPT2
	}
	return run.Units
}

// task builds the samples of bAbI task qa at a length of n units.
func (run BabilongRun) task(qa, n, S int, tok data.Tokenizer) (data.Task, error) {
	if run.units() == UnitsModel {
		return BabilongTask(qa, n, S, run.BabiDir, run.NoiseDir, run.Seed, tok)
	}
	return data.NewBabilongTask(data.BabilongConfig{Task: qa, GPT2Tokens: n, SegmentSize: S, Seed: run.Seed, BabiDir: run.BabiDir,
		NoiseDir: run.NoiseDir, NoiseFilter: run.NoiseFilter, Tokenizer: tok})
}

// firstBooks is the books of any cell that has background.
func firstBooks(cells map[[2]int]*CellData) []provenance.File {
	for _, d := range cells {
		if len(d.Books) > 0 {
			return d.Books
		}
	}
	return nil
}

// Merge returns r with the rows of next added, a row of next replacing one
// of r with the same task and length, ordered by task and then by length.
// Reports of another checkpoint shape are not merged: next alone is
// returned.
func (r BabilongReport) Merge(next BabilongReport) BabilongReport {
	if r.SegmentSize != next.SegmentSize || r.MemTokens != next.MemTokens || r.Memory != next.Memory {
		return next
	}
	out := next
	out.Results = slices.Clone(next.Results)
	for _, old := range r.Results {
		if !slices.ContainsFunc(next.Results, func(x BabilongResult) bool { return x.Task == old.Task && x.Length == old.Length }) {
			out.Results = append(out.Results, old)
		}
	}
	out.Untrained = nil
	for _, x := range out.Results {
		if len(out.TrainedTasks) > 0 && !slices.Contains(out.TrainedTasks, x.Task) && !slices.Contains(out.Untrained, x.Task) {
			out.Untrained = append(out.Untrained, x.Task)
		}
	}
	slices.Sort(out.Untrained)
	slices.SortStableFunc(out.Results, func(a, b BabilongResult) int {
		if a.Task != b.Task {
			return a.Task - b.Task
		}
		return lengthOrder(a) - lengthOrder(b)
	})
	return out
}

// lengthOrder sorts 0k first, then by length in the cell's units (a label
// CompareBabilong marked " (GPT-2)" is in GPT-2 units).
func lengthOrder(x BabilongResult) int {
	l, units := x.Length, x.Units
	if t, ok := strings.CutSuffix(l, " (GPT-2)"); ok {
		l, units = t, UnitsGPT2
	}
	if units == "" {
		units = UnitsModel
	}
	n, err := ParseLengthIn(l, units)
	if err != nil {
		return x.Tokens
	}
	return n
}

// SaveBabilong merges rep into CKDIR/eval/babilong.json (an unreadable old
// file is replaced) and writes it atomically; it returns the path and the
// merged report.
func SaveBabilong(ckDir string, rep BabilongReport) (string, BabilongReport, error) {
	path := filepath.Join(ckDir, ResultsDir, BabilongFile)
	rep, err := saveBabilongTo(path, rep)
	return path, rep, err
}

// BabilongGrid lays the rows out as a table: the tasks and lengths present
// (lengths in order) and the row of each cell, nil where none was measured.
func BabilongGrid(rows []BabilongResult) (tasks []int, lengths []string, cell func(task int, length string) *BabilongResult) {
	sorted := slices.Clone(rows)
	slices.SortStableFunc(sorted, func(a, b BabilongResult) int { return lengthOrder(a) - lengthOrder(b) })
	for _, x := range sorted {
		if !slices.Contains(tasks, x.Task) {
			tasks = append(tasks, x.Task)
		}
		if !slices.Contains(lengths, x.Length) {
			lengths = append(lengths, x.Length)
		}
	}
	slices.Sort(tasks)
	return tasks, lengths, func(task int, length string) *BabilongResult {
		for i := range rows {
			if rows[i].Task == task && rows[i].Length == length {
				return &rows[i]
			}
		}
		return nil
	}
}

// BabilongAverage is the mean accuracy over the tasks measured at a length.
func BabilongAverage(rows []BabilongResult, length string) (mean float64, n int) {
	for _, x := range rows {
		if x.Length == length {
			mean += x.Accuracy
			n++
		}
	}
	if n > 0 {
		mean /= float64(n)
	}
	return mean, n
}

// PlotBabilong draws the heatmap of the BABILong paper: bAbI tasks as rows,
// lengths as columns, each cell coloured by accuracy (red 0 through yellow
// to green 1) with its accuracy printed in it, and saves it as an image
// (the format from path's extension). Cells not measured stay blank.
func PlotBabilong(path string, rep BabilongReport) error {
	tasks, lengths, cell := BabilongGrid(rep.Results)
	if len(tasks) == 0 {
		return fmt.Errorf("eval: plot: the report has no results")
	}
	var rows []HeatRow
	for _, t := range tasks {
		r := HeatRow{Label: fmt.Sprintf("qa%d", t), Cells: map[string]float64{}}
		for _, l := range lengths {
			if x := cell(t, l); x != nil {
				r.Cells[l] = x.Accuracy
			}
		}
		rows = append(rows, r)
	}
	return plotHeat(path, "BABILong accuracy, "+filepath.Base(filepath.Clean(rep.Checkpoint)), "bAbI task", rep.Units, lengths, rows)
}

// PlotBabilongRuns draws the BABILong results of several runs in one
// heatmap: for each run (named by names) a row per task and a row of the
// average over the tasks, at the lengths where every task was measured.
func PlotBabilongRuns(path string, runs []*RunResults, names []string) error {
	lengths, rows := BabilongRunRows(runs, names)
	if len(rows) == 0 {
		return fmt.Errorf("eval: plot: no run has BABILong results")
	}
	units := ""
	for _, r := range runs {
		if r.Babilong != nil {
			units = r.Babilong.Units
			break
		}
	}
	return plotHeat(path, "BABILong accuracy", "run and bAbI task", units, lengths, rows)
}

// BabilongRunRows are the rows of PlotBabilongRuns and the lengths of its
// columns (every length any run measured, in order).
func BabilongRunRows(runs []*RunResults, names []string) (lengths []string, rows []HeatRow) {
	var all []BabilongResult
	for _, r := range runs {
		if r.Babilong != nil {
			all = append(all, r.Babilong.Results...)
		}
	}
	_, lengths, _ = BabilongGrid(all)
	for i, r := range runs {
		if r.Babilong == nil {
			continue
		}
		tasks, _, cell := BabilongGrid(r.Babilong.Results)
		for _, t := range tasks {
			row := HeatRow{Label: fmt.Sprintf("%s qa%d", names[i], t), Cells: map[string]float64{}}
			for _, l := range lengths {
				if x := cell(t, l); x != nil {
					row.Cells[l] = x.Accuracy
				}
			}
			rows = append(rows, row)
		}
		avg := HeatRow{Label: names[i] + " avg", Cells: map[string]float64{}}
		for _, l := range lengths {
			if m, n := BabilongAverage(r.Babilong.Results, l); n == len(tasks) && n > 1 {
				avg.Cells[l] = m
			}
		}
		if len(avg.Cells) > 0 {
			rows = append(rows, avg)
		}
	}
	return lengths, rows
}

// HeatRow is one labelled row of a BABILong heatmap: accuracy by length.
type HeatRow struct {
	Label string
	Cells map[string]float64
}

// plotHeat draws rows (top to bottom) against lengths (left to right).
func plotHeat(path, title, ylabel, units string, lengths []string, rows []HeatRow) error {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "length (tokens of the model, k = 1,024)"
	if units == UnitsGPT2 {
		p.X.Label.Text = "length (GPT-2 tokens, k = 1,000)"
	}
	p.Y.Label.Text = ylabel
	var xt, yt []plot.Tick
	for j, l := range lengths {
		xt = append(xt, plot.Tick{Value: float64(j), Label: l})
	}
	n := len(rows)
	for i, r := range rows {
		yt = append(yt, plot.Tick{Value: float64(n - 1 - i), Label: r.Label})
	}
	p.X.Tick.Marker, p.Y.Tick.Marker = plot.ConstantTicks(xt), plot.ConstantTicks(yt)
	p.X.Min, p.X.Max = -0.5, float64(len(lengths))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	h := heatCells{}
	for i, r := range rows {
		for j, l := range lengths {
			if v, ok := r.Cells[l]; ok {
				h = append(h, heatCell{x: float64(j), y: float64(n - 1 - i), v: v})
			}
		}
	}
	p.Add(h)
	w := max(plotW, vg.Length(len(lengths))*0.6*vg.Inch+vg.Inch)
	if err := p.Save(w, vg.Length(n)*0.5*vg.Inch+1.5*vg.Inch, path); err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}
	return nil
}

type heatCell struct{ x, y, v float64 }

// heatCells is a gonum plotter of unit squares centred on (x, y).
type heatCells []heatCell

func (h heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for _, k := range h {
		x0, x1 := tx(k.x-0.5), tx(k.x+0.5)
		y0, y1 := ty(k.y-0.5), ty(k.y+0.5)
		c.FillPolygon(accuracyColor(k.v), []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}})
		sty := draw.TextStyle{Color: color.Black, Font: p.X.Tick.Label.Font, Handler: p.X.Tick.Label.Handler, XAlign: draw.XCenter, YAlign: draw.YCenter}
		sty.Font.Size = 9
		c.FillText(sty, vg.Point{X: (x0 + x1) / 2, Y: (y0 + y1) / 2}, fmt.Sprintf("%.0f", 100*k.v))
	}
}

// accuracyColor runs from red (0) through yellow (0.5) to green (1), the
// scale of the BABILong paper's figures.
func accuracyColor(v float64) color.Color {
	v = math.Max(0, math.Min(1, v))
	lerp := func(a, b uint8, t float64) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t + 0.5) }
	red, yellow, green := [3]uint8{215, 48, 39}, [3]uint8{255, 255, 191}, [3]uint8{26, 152, 80}
	a, b, t := red, yellow, v/0.5
	if v > 0.5 {
		a, b, t = yellow, green, (v-0.5)/0.5
	}
	return color.RGBA{R: lerp(a[0], b[0], t), G: lerp(a[1], b[1], t), B: lerp(a[2], b[2], t), A: 255}
}
