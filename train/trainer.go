package train

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/curriculum"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
	"github.com/rmtgo/rmt/internal/field"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/provenance"
)

// Options are how a run reports, beside its config.
type Options struct {
	Log    io.Writer // progress and tables; os.Stderr in cmd/train
	Resume bool      // continue the run in Config.Out from its latest checkpoint
	// ResumeAuto (--resume=auto): when the latest checkpoint does not
	// verify, resume from the newest one that does, naming the one skipped.
	ResumeAuto bool
	Terminal   bool // draw progress bars instead of plain lines
	// NoFinalTable skips scoring the best checkpoint at every segment
	// count after the last stage (measurements of the loop alone).
	NoFinalTable bool
	// Comm is the job's processes for data-parallel training (nil: one
	// process). Every rank runs Run with the same config and takes its own
	// slice of every micro-batch; the slices' gradients are summed into
	// those of the whole batch and every rank takes the same AdamW step.
	// Rank 0 alone writes the run directory and logs. The run directory
	// must read the same from every rank (one machine, or a shared
	// filesystem): every rank loads the checkpoint it resumes or starts a
	// stage from.
	Comm *dist.Comm
	// CheckEvery is the number of steps between checks that every rank
	// holds the same parameters (0: at checkpoints only, where they are
	// always checked).
	CheckEvery int
	// AfterStep, when set, is called after every optimizer step with the
	// run's step count and the weights.
	AfterStep func(step int, w *graph.Weights)
	// Names calls a config field, in the log's notes, what the caller
	// calls it (cmd/train: its flag); nil keeps the field's name.
	Names func(field string) string
}

// trainer is one run: model, data, optimizer and where it stands.
type trainer struct {
	cfg      Config
	opt      Options
	w        *graph.Weights
	tok      data.Tokenizer
	tokFile  string
	run      checkpoints.Run
	metrics  *metricsLog
	adam     *AdamW
	state    checkpoints.State
	progress curriculum.Progress
	lastGood string // newest checkpoint written or resumed from
	// lastValidated is the newest checkpoint saved at a step whose
	// validation passed the divergence rule, or resumed from: the one a
	// diverged run names as good (saves between validations are not).
	lastValidated string
	lock          *checkpoints.RunLock // rank 0's lock of the run directory
	madeOut       bool                 // the run made --out (a refused fresh run removes it)
	evals         []evalRecord
	acc           [][]float32 // gradient accumulator across micro-batches (GradAccum > 1)
	// cell is the run's one memory cell: it trains, and validation runs on
	// its graphs too, so that the run compiles and fills one set of graph
	// buffers rather than a training set and a validation set beside it.
	cell *graph.Cell[float32]
	// kern is how the run's ops split their work (Config.Kernels).
	kern *kernels.Pool
	// memoryLogged: the breakdown after the first validation is written.
	memoryLogged bool
	// validate scores validation samples: eval.Validate, or in tests a
	// scripted sequence that drives the loop's decisions.
	validate func(*graph.Cell[float32], data.Tokenizer, []data.Sample) (eval.Validation, error)
	load     func(dir string) (*checkpoints.Model, error) // checkpoints.LoadModel, or a tiny model in tests
	comm     *dist.Comm
	files    []provenance.File     // the data read, hashed at the first checkpoint
	flat     []float32             // the gradients of every parameter in one buffer, for the allreduce
	training *checkpoints.Training // rmt.json's training record (rank 0), taken at the start
}

// Run trains cfg (resolved) under opt, stage by stage.
func Run(ctx context.Context, cfg Config, opt Options) error {
	validate := func(cell *graph.Cell[float32], tok data.Tokenizer, val []data.Sample) (eval.Validation, error) {
		return eval.ValidateAcross(opt.Comm, cell, tok, val)
	}
	return run(ctx, &trainer{cfg: cfg, opt: opt, validate: validate, load: checkpoints.LoadModel, comm: opt.Comm})
}

func run(ctx context.Context, t *trainer) error {
	cfg, opt := t.cfg, &t.opt
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if !t.comm.Root() {
		opt.Log, opt.Terminal = io.Discard, false
	}
	t.run = checkpoints.Run{Dir: cfg.Out, Keep: cfg.Keep}
	kern, err := kernels.NewPool(cfg.Kernels)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	t.kern = kern
	if err := t.checkJob(); err != nil {
		return err
	}
	defer func() { t.lock.Unlock() }()
	if err := t.setup(); err != nil {
		return err
	}
	if err := t.checkParams(fmt.Sprintf("at the start (step %d)", t.state.Step)); err != nil {
		return err
	}
	if err := t.logData(); err != nil {
		return err
	}
	defer t.metrics.Close()
	// Where memory goes: at start (the weights; moments and gradients come
	// with the first step, graph buffers with the first run of each graph),
	// after the first validation (everything the loop holds), and at the
	// end of training and of the run (nothing grew step by step).
	if err := t.logMemory("at start"); err != nil {
		return err
	}
	for t.state.Stage < len(cfg.Stages) {
		if err := t.stage(ctx); err != nil {
			return err
		}
	}
	if err := t.logMemory("after training"); err != nil {
		return err
	}
	fmt.Fprintf(opt.Log, "done: %d stages, %d steps; best checkpoint %s\n", len(cfg.Stages), t.state.Step, t.bestPath())
	if opt.NoFinalTable {
		return nil
	}
	if err := t.finalTable(); err != nil {
		return err
	}
	return t.logMemory("after the final table")
}

// finalTable scores the best checkpoint on validation samples at every
// segment count of the curriculum and at twice the last (never trained on).
func (t *trainer) finalTable() error {
	best, err := t.run.Best()
	if err != nil {
		return nil
	}
	// Training is over: the best weights go into the live model, and the
	// optimizer's moments are let go before the table is computed.
	if err := checkpoints.LoadWeights(best, t.w); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	t.adam = nil
	cell, err := t.trainCell()
	if err != nil {
		return err
	}
	var counts []int
	for _, st := range t.cfg.Stages {
		counts = append(counts, st.Segments)
	}
	if t.cfg.Task != "qa" { // qa lines have their own lengths: no longer samples to try
		counts = append(counts, 2*counts[len(counts)-1])
	}
	fmt.Fprintf(t.opt.Log, "best checkpoint %s on %d validation samples per segment count:\n", best, t.cfg.EvalSamples)
	tw := table.New(t.opt.Log)
	tw.Header("segments", "tokens", "val loss", "accuracy", "trained on")
	for i, n := range counts {
		val, err := t.valSamples(n)
		if err != nil {
			return err
		}
		v, err := t.validate(cell, t.tok, val)
		if err != nil {
			return fmt.Errorf("train: final validation at %d segments: %w", n, err)
		}
		acc := v.Accuracy
		if err := t.metrics.Write(record{Type: "final", Stage: len(t.cfg.Stages), Step: t.state.Step, Segments: n, ValLoss: &v.Loss, Accuracy: &acc}); err != nil {
			return err
		}
		trained := "yes"
		if i == len(counts)-1 {
			trained = "no"
		}
		tw.Append(fmt.Sprint(n), fmt.Sprint(n*t.cfg.SegmentSize), fmt.Sprintf("%.4f", v.Loss), accString(acc), trained)
	}
	return tw.Render()
}

func (t *trainer) bestPath() string {
	p, err := t.run.Best()
	if err != nil {
		return "(none)"
	}
	return p
}

// setup loads the model, or the checkpoint to resume, and opens the run
// directory. A fresh run refuses a directory that already holds one, so
// nothing is overwritten.
func (t *trainer) setup() error {
	c := t.cfg
	root := t.comm.Root()
	if root {
		if err := t.lockRun(); err != nil {
			return err
		}
		probe := filepath.Join(c.Out, ".write-test")
		if err := os.WriteFile(probe, nil, 0o644); err != nil {
			return badWrap("out", c.Out+" is not writable", err)
		}
		os.Remove(probe)
	}
	latest, latestErr := t.run.Latest()
	m, err := t.load(c.Model)
	if err != nil {
		return badWrap("model", "", err)
	}
	w, tok, tokFile := m.Weights, m.Tokenizer, m.TokenizerFile
	if tok == nil {
		return bad("model", "%s has no tokenizer.json; tasks need a tokenizer", c.Model)
	}
	t.tok, t.tokFile = tok, tokFile
	name := c.Model
	if name == "" {
		name = "built-in random model"
	}
	kind := c.Memory
	if c.Memory == graph.KindARMT {
		kind = fmt.Sprintf("%s, d_mem %d", c.Memory, c.DMem)
	}
	fmt.Fprintf(t.opt.Log, "model: %s (%s, %d layers, width %d, %d parameters), memory %s, %d memory tokens, segments of %d tokens\n",
		name, w.Config.ModelType, w.Config.Layers(), w.Config.Hidden(), w.Count(), kind, c.MemTokens, c.SegmentSize)
	fmt.Fprint(t.opt.Log, describeSplits(c))
	resolved, _ := json.MarshalIndent(c, "", "  ")
	if root {
		if t.training, err = c.provenance(tokFile); err != nil {
			return err
		}
	}
	if !t.opt.Resume {
		if latestErr == nil {
			return bad("out", "%s already holds a run (latest checkpoint %s); pass {resume} to continue it, or choose another {out}", c.Out, latest)
		}
		if err := t.checkData(); err != nil {
			t.abandonFresh()
			return err
		}
		if err := t.initMemory(m); err != nil {
			return err
		}
		t.w = w
		t.adam = t.newAdam()
		t.state = checkpoints.State{FormatVersion: checkpoints.FormatVersion, Config: resolved, BestMetric: noMetric}
		t.progress = curriculum.Progress{Stage: c.Stages[0]}
		if !root {
			return nil
		}
		if err := checkpoints.WriteFileAtomic(filepath.Join(c.Out, "config.json"), append(resolved, '\n')); err != nil {
			return err
		}
		if err := t.createRun(); err != nil {
			return err
		}
		if t.metrics, err = openMetrics(filepath.Join(c.Out, "metrics.jsonl"), -1, t.kern.Threads()); err != nil {
			return err
		}
		return nil
	}
	ck, latest, err := t.resumePoint(latest, latestErr)
	if err != nil {
		return err
	}
	if err := checkpoints.SameMemory(ck.RMT.Kind(), c.MemoryKind()); err != nil {
		return badWrap("resume", "checkpoint "+latest, err)
	}
	if err := checkpoints.SameShape(ck.Weights.Config, ck.RMT.MemTokens, w.Config, c.MemTokens); err != nil {
		return badWrap("resume", "checkpoint "+latest+" does not fit this run's model", err)
	}
	if err := sameRunConfig(ck.State.Config, c); err != nil {
		return badWrap("resume", "", err)
	}
	t.w, t.state, t.lastGood, t.lastValidated = ck.Weights, ck.State, latest, latest
	t.adam = t.newAdam()
	t.adam.Step, t.adam.M, t.adam.V = ck.OptStep, ck.M, ck.V
	if err := json.Unmarshal(ck.State.Progress, &t.progress); err != nil {
		return badWrap("resume", latest+": state.json progress", err)
	}
	if !root {
		return nil
	}
	if err := t.checkRunID(ck, latest); err != nil {
		return err
	}
	if t.metrics, err = openMetrics(filepath.Join(c.Out, "metrics.jsonl"), t.state.Step, t.kern.Threads()); err != nil {
		return err
	}
	fmt.Fprintf(t.opt.Log, "resuming %s at stage %d step %d (stage step %d)\n", latest, t.state.Stage+1, t.state.Step, t.state.StageStep)
	return nil
}

// initMemory gives a fresh run its initial memory: the memory of an
// exported folder given as --model (fine-tuning continues from it), else a
// new one drawn from the seed.
func (t *trainer) initMemory(m *checkpoints.Model) error {
	c := t.cfg
	if c.Memory == graph.KindARMT {
		return t.initARMT(m)
	}
	if m.ARMT != nil {
		fmt.Fprintf(t.opt.Log, "note: %s rmt: the associative memory of %s is set aside\n", t.name("memory"), c.Model)
	}
	switch {
	case m.Memory != nil && c.MemTokens == m.RMT.MemTokens:
		fmt.Fprintf(t.opt.Log, "memory: rmt.memory of %s (%d tokens)\n", c.Model, c.MemTokens)
		if m.RMT.SegmentSize != c.SegmentSize {
			fmt.Fprintf(t.opt.Log, "note: %s was trained on segments of %d tokens, this run uses %d\n", c.Model, m.RMT.SegmentSize, c.SegmentSize)
		}
		return m.Weights.Add(m.Memory)
	case m.Memory != nil && c.MemTokens > 0:
		return bad("mem_tokens", "%d, but {model} %s holds rmt.memory of %d tokens; pass {mem_tokens} %d to continue with it",
			c.MemTokens, c.Model, m.RMT.MemTokens, m.RMT.MemTokens)
	case m.Memory != nil:
		fmt.Fprintf(t.opt.Log, "note: %s 0: the rmt.memory of %s is set aside\n", t.name("mem_tokens"), c.Model)
	}
	if c.MemTokens == 0 {
		return nil
	}
	return graph.InitMemory(m.Weights, c.MemTokens, uint64(c.Seed))
}

// initARMT continues the associative memory of an exported ARMT folder of
// the same sizes, or draws a fresh one.
func (t *trainer) initARMT(m *checkpoints.Model) error {
	c := t.cfg
	if m.Memory != nil {
		fmt.Fprintf(t.opt.Log, "note: %s armt: the rmt.memory of %s is set aside\n", t.name("memory"), c.Model)
	}
	if m.ARMT != nil {
		if k := m.RMT.Kind(); k != c.MemoryKind() {
			return bad("", "{mem_tokens} %d {d_mem} %d {armt_features} %s, but {model} %s holds the associative memory of %d tokens, d_mem %d, features %s; pass those to continue with it",
				c.MemTokens, c.DMem, c.ARMTFeatures, c.Model, k.Tokens, k.DMem, k.Features)
		}
		fmt.Fprintf(t.opt.Log, "memory: the associative memory of %s (%d tokens, d_mem %d)\n", c.Model, c.MemTokens, c.DMem)
		for _, p := range m.ARMT {
			if err := m.Weights.Add(p); err != nil {
				return err
			}
		}
		return nil
	}
	return c.MemoryKind().Init(m.Weights, uint64(c.Seed))
}

// sameRunConfig compares the resumed run's saved config with this one: a
// resumed run must continue what was started, or its losses would not be
// those of an uninterrupted run.
func sameRunConfig(saved json.RawMessage, c Config) error {
	var old Config
	if err := json.Unmarshal(saved, &old); err != nil {
		return fmt.Errorf("the checkpoint's saved config: %w", err)
	}
	if old.Memory == "" {
		old.Memory = graph.KindRMT // saved before there were two kinds
	}
	if old.Memory == graph.KindARMT && old.ARMTFeatures == "" {
		old.ARMTFeatures = graph.FeaturesDPFP // saved before the choice
	}
	// A run is known by its id (run.json), not by the path that names it.
	old.Out, c.Out = "", ""
	a, _ := json.Marshal(old)
	b, _ := json.Marshal(c)
	if string(a) == string(b) {
		return nil
	}
	var am, bm map[string]any
	json.Unmarshal(a, &am)
	json.Unmarshal(b, &bm)
	var diffs []string
	for k, v := range am {
		if fmt.Sprint(v) != fmt.Sprint(bm[k]) {
			diffs = append(diffs, fmt.Sprintf("%s: run has %v, now %v", k, v, bm[k]))
		}
	}
	return fmt.Errorf("this run was started with a different config (%s); resume with the same flags or config file", strings.Join(diffs, "; "))
}

func (t *trainer) newAdam() *AdamW {
	a := DefaultAdamW()
	a.WeightDecay, a.ClipNorm, a.ClipValue = t.cfg.WeightDecay, t.cfg.ClipNorm, t.cfg.ClipValue
	return NewAdamW(a)
}

// taskConfig is the data of the run for n segments on a split.
func (t *trainer) taskConfig(segments int, split string) (data.TaskConfig, error) {
	c := t.cfg
	tc := data.TaskConfig{Name: c.Task, Segments: segments, SegmentSize: c.SegmentSize, Seed: c.Seed,
		NoiseDir: c.NoiseDir, NoiseUnfiltered: c.NoiseUnfiltered, RaggedEnd: c.RaggedEnd && split == data.SplitTrain, AnswerRoom: c.AnswerRoom, BabiDir: c.BabiDir, BabiTasks: c.BabiTasks(), TextDir: c.TextDir, Split: split, Tokenizer: t.tok,
		DataFiles: c.DataFiles(), ValData: c.ValData, ValShare: c.ValShare, Batch: c.Batch}
	if split != data.SplitTrain {
		tc.Seed = c.Seed + 1_000_003 // validation samples of their own
	}
	return tc, nil
}

// storyOnly is the key of trainTasks' story-only task (StoryShare).
const storyOnly = 0

// trainTasks builds the training tasks of a stage of n segments: one for n,
// or with VarySegments one for every count 1..n, and with StoryShare the
// story-only task under key storyOnly.
func (t *trainer) trainTasks(n int) (map[int]data.Task, error) {
	counts := []int{n}
	if t.cfg.VarySegments {
		counts = counts[:0]
		for k := 1; k <= n; k++ {
			counts = append(counts, k)
		}
	}
	tasks := map[int]data.Task{}
	for _, k := range counts {
		tc, err := t.taskConfig(k, data.SplitTrain)
		if err != nil {
			return nil, err
		}
		if tasks[k], err = data.NewTask(tc); err != nil {
			if k < n && len(tc.DataFiles) > 0 {
				// No line is this short: its draws take the next count (batchTask).
				delete(tasks, k)
				continue
			}
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	if t.cfg.StoryShare > 0 {
		tc, err := t.taskConfig(1, data.SplitTrain)
		if err != nil {
			return nil, err
		}
		tc.StoryOnly, tc.StoryFit = true, true
		if tasks[storyOnly], err = data.NewTask(tc); err != nil {
			return nil, badWrap("story_share", "", err)
		}
	}
	return tasks, nil
}

// batchTask is the task of micro-batch k (counted over the run) of a stage
// of n segments: n's, or with VarySegments a count drawn from 1..n, or with
// StoryShare sometimes stories alone. The draws depend on the seed and k
// only, so a resumed run draws the same.
func (t *trainer) batchTask(tasks map[int]data.Task, n, k int) data.Task {
	c := t.cfg
	if c.StoryShare > 0 && data.SampleRNG(c.Seed^0x570e, k).Float64() < c.StoryShare {
		return tasks[storyOnly]
	}
	if c.VarySegments {
		m := 1 + data.SampleRNG(c.Seed^0x5e6, k).IntN(n)
		for tasks[m] == nil && m < n {
			m++ // a count no line of --data fits
		}
		return tasks[m]
	}
	return tasks[n]
}

// valSamples are the fixed validation samples of n segments, drawn from
// the validation split of the books (never an evaluation book) and for
// task babi from the validation share of the training stories, which
// training steps never draw.
func (t *trainer) valSamples(n int) ([]data.Sample, error) {
	tc, err := t.taskConfig(n, data.SplitValid)
	if err != nil {
		return nil, err
	}
	vt, err := data.NewTask(tc)
	if err != nil {
		if vt, err = t.valFallback(tc, err); err != nil {
			return nil, err
		}
	}
	count := t.cfg.EvalSamples
	if f, ok := vt.(data.Finite); ok {
		count = min(count, f.Len())
	}
	if skipped := data.BabiSkipped(vt); len(skipped) > 0 {
		fmt.Fprintf(t.opt.Log, "  validation: bAbI tasks %v have no held-out question short enough for %d segments; validating on the others\n", skipped, n)
	}
	var val []data.Sample
	for i := 0; i < count; i++ {
		s, err := vt.SampleAt(i)
		if err != nil {
			return nil, fmt.Errorf("train: validation sample %d: %w", i, err)
		}
		val = append(val, s)
	}
	return val, nil
}

// stage trains the current stage from where the state stands to its end.
func (t *trainer) stage(ctx context.Context) error {
	c, st := t.cfg, t.cfg.Stages[t.state.Stage]
	depth := st.BPTT()
	tasks, err := t.trainTasks(st.Segments)
	if err != nil {
		return err
	}
	val, err := t.valSamples(st.Segments)
	if err != nil {
		return err
	}
	cell, err := t.trainCell()
	if err != nil {
		return err
	}
	sched := Schedule{Peak: st.LR, Warmup: c.Warmup, Total: st.Steps, Decay: c.Decay}
	if err := sched.Validate(); err != nil {
		return fmt.Errorf("train: stage %d: %w", t.state.Stage+1, err)
	}
	fmt.Fprintf(t.opt.Log, "stage %d/%d: %d segments x %d tokens, bptt depth %d, %d steps, lr %.2g\n",
		t.state.Stage+1, len(c.Stages), st.Segments, c.SegmentSize, depth, st.Steps, st.LR)
	for _, k := range slices.Sorted(maps.Keys(tasks)) {
		if skipped := data.BabiSkipped(tasks[k]); len(skipped) > 0 {
			what := fmt.Sprintf("%d segments", k)
			if k == storyOnly {
				what = "stories alone"
			}
			fmt.Fprintf(t.opt.Log, "  bAbI tasks %v have no question short enough for samples of %s; those samples draw from the others\n", skipped, what)
		}
	}
	bar := newProgress(t.opt, st.Steps, fmt.Sprintf("stage %d (%d seg)", t.state.Stage+1, st.Segments), totalSteps(c.Stages), t.state.Step)
	bar.Set(t.state.StageStep)
	for t.state.StageStep < st.Steps {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("train: %w", field.Wrap("", fmt.Sprintf("stopped at step %d: {err}; resume from %s with {resume}", t.state.Step, t.lastGood), err))
		}
		t0 := time.Now()
		ss, err := t.step(tasks, st.Segments, cell, sched, depth)
		if err != nil {
			return err
		}
		t.state.Step++
		t.state.StageStep++
		if t.opt.AfterStep != nil {
			t.opt.AfterStep(t.state.Step, t.w)
		}
		if k := t.opt.CheckEvery; k > 0 && t.state.Step%k == 0 {
			if err := t.checkParams(fmt.Sprintf("at step %d", t.state.Step)); err != nil {
				return err
			}
		}
		tps := float64(ss.tokens) / time.Since(t0).Seconds()
		if err := t.metrics.Write(record{Type: "step", Stage: t.state.Stage + 1, Step: t.state.Step, Segments: st.Segments,
			Loss: ss.loss, MemPenalty: ss.penalty, LR: ss.lr, GradNorm: ss.gnorm, TokensPerS: tps}); err != nil {
			return err
		}
		line := fmt.Sprintf("stage %d (%d seg) | loss %.4f", t.state.Stage+1, st.Segments, ss.loss)
		if c.MemStability > 0 {
			line += fmt.Sprintf(" | mem penalty %.4f", ss.penalty)
		}
		line += fmt.Sprintf(" | lr %.1e | %.0f ms | %.1f tok/ms", ss.lr, time.Since(t0).Seconds()*1e3, tps/1e3)
		bar.Step(t.state.StageStep, t.state.Step, fmt.Sprintf("stage %d (%d seg) loss %.4f", t.state.Stage+1, st.Segments, ss.loss),
			line, t.state.StageStep%c.LogEvery == 0)
		done := t.state.StageStep >= st.Steps
		isBest, validated := false, false
		if t.state.StageStep%c.EvalEvery == 0 || done {
			validated = true
			decision, reason, best, err := t.evaluate(cell, val, st)
			if err != nil {
				return err
			}
			if !t.memoryLogged {
				t.memoryLogged = true
				if err := t.logMemory("after the first step and validation"); err != nil {
					return err
				}
			}
			isBest = best
			if decision != curriculum.Continue {
				fmt.Fprintf(t.opt.Log, "stage %d ends at %s: %s\n", t.state.Stage+1, t.stepName(t.state.StageStep), reason)
				done = true
			}
		}
		if done {
			t.state.StageStep = st.Steps
		}
		if isBest || done || t.state.StageStep%c.CheckpointEvery == 0 {
			if err := t.save(isBest, done, validated); err != nil {
				return err
			}
		}
	}
	bar.Finish()
	t.stageTable(st)
	return t.nextStage()
}

// trainCell is the run's memory cell, made on first use.
func (t *trainer) trainCell() (*graph.Cell[float32], error) {
	if t.cell == nil {
		cell, err := graph.NewMemoryCell[float32](t.w, t.cfg.MemoryKind(), t.cfg.SegmentSize, true)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		cell.Kernels = t.kern
		t.cell = cell
	}
	return t.cell, nil
}

// stepStats is what one optimizer step reports.
type stepStats struct {
	loss, penalty float64 // penalty: the memory-stability term, not in loss
	gnorm, lr     float64
	tokens        int
}

// step is one optimizer step: GradAccum micro-batches of Batch samples,
// gradients averaged, AdamW at the scheduled learning rate.
//
// With VarySegments each micro-batch has its own segment count, drawn from
// 1..n by the seed and the step (so a resumed run draws the same), so that
// memory learns to hold a fact over a varying number of updates.
func (t *trainer) step(tasks map[int]data.Task, n int, cell *graph.Cell[float32], sched Schedule, depth int) (st stepStats, err error) {
	c := t.cfg
	// This rank's slice [lo, hi) of every micro-batch; the data cursor
	// moves over the whole batch, so it is that of one process.
	lo, hi := t.comm.Slice(c.Batch)
	batches := make([]graph.Sequence, c.GradAccum)
	scored := make([]float64, c.GradAccum)
	for a := range batches {
		task := t.batchTask(tasks, n, t.state.Step*c.GradAccum+a)
		samples := make([]data.Sample, 0, hi-lo)
		for b := 0; b < c.Batch; b++ {
			if b >= lo && b < hi {
				s, err := task.SampleAt(int(t.state.DataCursor))
				if err != nil {
					return stepStats{}, fmt.Errorf("train: sample %d: %w", t.state.DataCursor, err)
				}
				samples = append(samples, s)
				st.tokens += len(s.IDs)
			}
			t.state.DataCursor++
		}
		batches[a] = sequenceOf(samples)
		scored[a] = float64(scoredPredictions(batches[a]))
	}
	if t.comm.Size() > 1 {
		// Each slice's loss is its share of the whole batch's mean.
		if err := t.comm.SumFloat64(scored); err != nil {
			return stepStats{}, fmt.Errorf("train: step %d: %w", t.state.Step+1, err)
		}
		for a := range batches {
			batches[a].Part = &graph.Part{Row: lo, Rows: c.Batch, Scored: int(scored[a])}
		}
	}
	var grads [][]float32
	for a, seq := range batches {
		cell.MemNoise, cell.MemStability = c.MemNoise, c.MemStability
		cell.NoiseSeed = data.SampleRNG(c.Seed^0x6e015e, t.state.Step*c.GradAccum+a).Uint64()
		g, err := cell.Gradients(seq, depth)
		if err != nil {
			return stepStats{}, fmt.Errorf("train: step %d: %w", t.state.Step+1, err)
		}
		st.loss += g.Loss / float64(c.GradAccum)
		st.penalty += g.Penalty / float64(c.GradAccum)
		switch {
		case c.GradAccum == 1:
			grads = g.Params
		case a == 0:
			grads = t.accumulator(g.Params)
		default:
			for i := range grads {
				for j, v := range g.Params[i] {
					grads[i][j] += v
				}
			}
		}
	}
	if err := t.sumAcrossRanks(grads, &st); err != nil {
		return stepStats{}, fmt.Errorf("train: step %d: %w", t.state.Step+1, err)
	}
	if math.IsNaN(st.loss) || math.IsInf(st.loss, 0) {
		return stepStats{}, fmt.Errorf("train: loss is %v at step %d (stage %d); stopping without saving: the last good checkpoint is %s",
			st.loss, t.state.Step+1, t.state.Stage+1, t.lastGoodNote())
	}
	if err := t.finiteGradients(grads); err != nil {
		return stepStats{}, err
	}
	if c.GradAccum > 1 {
		inv := float32(1) / float32(c.GradAccum)
		for _, g := range grads {
			for j := range g {
				g[j] *= inv
			}
		}
	}
	st.lr = sched.LR(t.state.StageStep)
	st.gnorm, err = t.adam.Update(t.w.Params, grads, st.lr)
	if err != nil {
		return stepStats{}, fmt.Errorf("train: step %d: %w; the last good checkpoint is %s", t.state.Step+1, err, t.lastGoodNote())
	}
	return st, nil
}

// scoredPredictions counts the predictions a Sequence scores.
func scoredPredictions(seq graph.Sequence) int {
	n := 0
	for _, row := range seq.Score {
		for t := 0; t+1 < len(row); t++ {
			if row[t] {
				n++
			}
		}
	}
	return n
}

// accumulator is the buffer set that sums the micro-batches of a step
// (the cell refills its own gradients on every call), allocated once and
// set to first.
func (t *trainer) accumulator(first [][]float32) [][]float32 {
	if len(t.acc) != len(first) {
		t.acc = make([][]float32, len(first))
	}
	for i, g := range first {
		if len(t.acc[i]) != len(g) {
			t.acc[i] = make([]float32, len(g))
		}
		copy(t.acc[i], g)
	}
	return t.acc
}

func orNone(s string) string {
	if s == "" {
		return "(none yet)"
	}
	return s
}

type evalRecord struct {
	Step     int
	Segments int
	Val      eval.Validation
}

// evaluate scores the validation samples and asks the curriculum whether
// to go on. The metric is exact-match accuracy, or minus the loss for lm.
func (t *trainer) evaluate(cell *graph.Cell[float32], val []data.Sample, st curriculum.Stage) (curriculum.Decision, string, bool, error) {
	v, err := t.validate(cell, t.tok, val)
	if err != nil {
		return 0, "", false, fmt.Errorf("train: validation at step %d: %w", t.state.Step, err)
	}
	if err := t.checkDivergence(v.Loss); err != nil {
		return 0, "", false, err
	}
	metric := selectionMetric(v, max(v.Samples, 1))
	decision, why := t.progress.Observe(t.state.StageStep, metric)
	name, shown := metricShown(v, max(v.Samples, 1))
	reason := why.Format(name, shown, t.stepName)
	isBest := t.progress.BestStep == t.state.StageStep
	acc := v.Accuracy
	t.evals = append(t.evals, evalRecord{Step: t.state.Step, Segments: st.Segments, Val: v})
	if err := t.metrics.Write(record{Type: "eval", Stage: t.state.Stage + 1, Step: t.state.Step, Segments: st.Segments,
		ValLoss: &v.Loss, Accuracy: &acc}); err != nil {
		return 0, "", false, err
	}
	note := ""
	if isBest {
		note = " | new best"
	}
	fmt.Fprintf(t.opt.Log, "eval step %d | stage %d (%d seg) | val loss %.4f | accuracy %s%s\n",
		t.state.Step, t.state.Stage+1, st.Segments, v.Loss, accString(acc), note)
	if isBest {
		t.state.BestMetric = metric
	}
	return decision, reason, isBest, nil
}

// selectionMetric ranks evaluations for the curriculum: exact-match
// accuracy, with ties broken by the lower validation loss (a term smaller
// than half an accuracy step of 1/samples, so it never outweighs one more
// correct answer); minus the loss for tasks without answers (lm).
func selectionMetric(v eval.Validation, samples int) float64 {
	if v.Accuracy < 0 {
		return -v.Loss
	}
	return v.Accuracy - 0.5/float64(samples)*v.Loss/(1+v.Loss)
}

// metricShown names the selection metric of v and maps a metric back to
// what a log line shows: the accuracy (the tie-break term is below half an
// accuracy step, so rounding to a multiple of 1/samples removes it), or the
// validation loss for tasks without answers.
func metricShown(v eval.Validation, samples int) (string, func(float64) float64) {
	if v.Accuracy < 0 {
		return "loss", func(m float64) float64 { return -m }
	}
	n := float64(samples)
	return "accuracy", func(m float64) float64 { return math.Round(m*n) / n }
}

// stepName names a step of the current stage by the run's global step,
// the stage's own count in brackets.
func (t *trainer) stepName(stageStep int) string {
	return fmt.Sprintf("step %d (stage step %d)", t.state.Step-t.state.StageStep+stageStep, stageStep)
}

func accString(a float64) string {
	if a < 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.3f", a)
}

// save writes a checkpoint of where the run stands (rank 0), once the
// ranks have checked that they hold the same parameters.
// validated: the step was just validated and passed the divergence rule.
func (t *trainer) save(isBest, stageDone, validated bool) error {
	if err := t.checkParams(fmt.Sprintf("at step %d", t.state.Step)); err != nil {
		return err
	}
	if !t.comm.Root() {
		return nil
	}
	prog, _ := json.Marshal(t.progress)
	t.state.Progress = prog
	var err error
	ck := &checkpoints.Checkpoint{
		Weights: t.w, OptStep: t.adam.Step, M: t.adam.M, V: t.adam.V, State: t.state, TokenizerFile: t.tokFile,
		RMT: checkpoints.RMTInfo{Memory: t.cfg.Memory, DMem: t.cfg.DMem, ARMTFeatures: t.cfg.ARMTFeatures, MemTokens: t.cfg.MemTokens, SegmentSize: t.cfg.SegmentSize, BPTTDepth: t.cfg.Stages[t.state.Stage].BPTT(),
			Task: t.cfg.Task, BabiTasks: t.cfg.BabiTasks(), AnswerRoom: t.cfg.AnswerRoom},
	}
	if t.training != nil {
		tr := *t.training
		tr.Step, tr.Stage = t.state.Step, t.state.Stage+1
		ck.RMT.Training = &tr
	}
	if ck.RMT.Record, err = t.record(); err != nil {
		return fmt.Errorf("train: provenance of step %d: %w", t.state.Step, err)
	}
	if stageDone && t.state.StageStep >= t.cfg.Stages[t.state.Stage].Steps {
		// Saved as finished: a resume starts the next stage from here.
		ck.State.StageStep = t.cfg.Stages[t.state.Stage].Steps
	}
	path, err := t.run.SaveStep(ck, isBest)
	if err != nil {
		return fmt.Errorf("train: saving step %d: %w; the last good checkpoint is %s", t.state.Step, err, t.lastGoodNote())
	}
	t.lastGood = path
	if validated {
		t.lastValidated = path
	}
	return nil
}

// nextStage moves to the next stage, starting from this stage's best
// checkpoint (docs/training.md), with a fresh optimizer.
func (t *trainer) nextStage() error {
	// The other ranks read what rank 0 wrote once it has written it.
	if err := t.comm.Barrier(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	best, err := t.run.Best()
	if err != nil {
		best = t.lastGood
	}
	t.state.Stage++
	t.state.StageStep = 0
	t.evals = nil
	if t.state.Stage >= len(t.cfg.Stages) {
		return nil
	}
	// Every rank starts from the checkpoint rank 0 wrote.
	if err := t.comm.Same(fmt.Sprintf("the checkpoint stage %d starts from", t.state.Stage+1), hashBytes([]byte(best))); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := checkpoints.LoadWeights(best, t.w); err != nil {
		return fmt.Errorf("train: starting stage %d from %s: %w", t.state.Stage+1, best, err)
	}
	t.adam.Reset()
	t.state.Parent = best
	t.state.BestMetric = noMetric
	t.state.BestLoss = 0
	t.progress = curriculum.Progress{Stage: t.cfg.Stages[t.state.Stage]}
	fmt.Fprintf(t.opt.Log, "stage %d starts from %s\n", t.state.Stage+1, best)
	// No checkpoint here: it would reuse the step number of the stage's
	// last one. A kill before the first save of this stage resumes from
	// that one (saved as finished) and makes this same move again.
	return nil
}

// noMetric is the best metric before any evaluation (JSON has no -Inf).
const noMetric = -math.MaxFloat64
