package train

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strings"

	"github.com/rmtgo/rmt/curriculum"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// Config is a training run, as flags or a JSON file give it. The resolved
// config (Stages filled in) is printed at start, saved as DIR/config.json
// and in every checkpoint.
type Config struct {
	Model    string `json:"model"` // HF folder; "" = the built-in random model with the byte tokenizer
	Task     string `json:"task"`
	BabiDir  string `json:"babi_dir"`
	BabiTask string `json:"babi_task"`
	NoiseDir string `json:"noise_dir"`
	TextDir  string `json:"text_dir"`
	// Data is the JSONL files of task qa, or of lm instead of TextDir
	// (comma-separated); ValData the validation file, else ValShare of
	// Data's lines are held out (docs/data.md).
	Data     string  `json:"data"`
	ValData  string  `json:"val_data"`
	ValShare float64 `json:"val_share"`

	SegmentSize int `json:"segment_size"`
	// Memory is the memory kind: "rmt" (memory tokens) or "armt" (the
	// associative memory, with keys of DMem).
	Memory string `json:"memory"`
	DMem   int    `json:"d_mem"`
	// ARMTFeatures is ARMT's feature map (graph.FeaturesDPFP or
	// graph.FeaturesDPFPNormalized, the default for --memory armt).
	ARMTFeatures string `json:"armt_features"`
	MemTokens    int    `json:"mem_tokens"`
	BPTTDepth    int    `json:"bptt_depth"` // -1 = all segments

	Curriculum    string             `json:"curriculum"` // "1,2,4,8" or a preset name
	StepsPerStage int                `json:"steps_per_stage"`
	Threshold     float64            `json:"threshold"` // advance a stage early at this validation accuracy
	Patience      int                `json:"patience"`  // end a stage after this many evaluations without improvement
	Stages        []curriculum.Stage `json:"stages"`    // resolved from the above unless given
	// VarySegments trains each step of a stage of n segments on a count
	// drawn from 1..n rather than on n alone.
	VarySegments bool `json:"vary_segments"`
	// MemNoise adds Gaussian noise of this size (relative to each memory
	// token's RMS) to every memory hand-off during training (graph.Cell).
	MemNoise float64 `json:"mem_noise"`
	// MemStability weighs a penalty on the change of memory between
	// consecutive hand-offs (graph.Cell.MemStability).
	MemStability float64 `json:"mem_stability"`
	// StoryShare (task babi) is the share of training micro-batches made
	// of stories alone, without noise (BABILong's 0k layout), so the model
	// also answers a story that fills part of one segment.
	StoryShare float64 `json:"story_share"`
	// NoiseUnfiltered draws the background as BABILong does, keeping
	// sentences that name a task entity (--noise-filter=false); the
	// default drops them.
	NoiseUnfiltered bool `json:"noise_unfiltered"`
	// RaggedEnd (task babi) ends every noisy training sample at a uniform
	// position of its last segment, as a sample measured in tokens ends,
	// instead of always at the segment's end: without it the question of
	// a BABILong sample is at a place the model never trained on.
	RaggedEnd bool `json:"ragged_end"`
	// AnswerRoom (task babi), when positive, ends every noisy sample that
	// many tokens after its prompt (answer, EOS, then padding), so every
	// question ends the same distance before a segment's end; evaluation
	// with right alignment reads a sample of any length the same way.
	AnswerRoom int `json:"answer_room"`

	Batch       int     `json:"batch"`
	GradAccum   int     `json:"grad_accum"`
	LR          float64 `json:"lr"`
	Warmup      int     `json:"warmup"`
	Decay       string  `json:"decay"`
	WeightDecay float64 `json:"weight_decay"`
	ClipNorm    float64 `json:"clip_norm"`
	ClipValue   float64 `json:"clip_value"`

	EvalEvery       int `json:"eval_every"`
	EvalSamples     int `json:"eval_samples"`
	CheckpointEvery int `json:"checkpoint_every"`
	Keep            int `json:"keep"`
	LogEvery        int `json:"log_every"`

	Seed int64  `json:"seed"`
	Out  string `json:"out"`

	// Kernels is how the run's ops split their work (--threads, --spin).
	// Not saved with the run: a run may resume on another machine.
	Kernels kernels.Settings `json:"-"`
}

// DefaultConfig is the main job: the built-in model learns to keep a fact
// in memory (memorize) over 1, 2, 4 and 8 segments, in a few minutes on 2
// cores. Each step draws its segment count from 1..n, so the last stage's
// model still answers short inputs, and memory stability 0.1 makes it hold
// the fact past the trained length (16 segments) on any machine rather than
// on the rounding of one (docs/reproducibility.md). Tasks whose facts
// arrive late pay for stability in writing them: their configs set
// mem_stability 0.
func DefaultConfig() Config {
	return Config{
		Task: "memorize", SegmentSize: 96, Memory: graph.KindRMT, MemTokens: 8, BPTTDepth: -1,
		Curriculum: "1,2,4,8", StepsPerStage: 200, Threshold: 0.98, Patience: 0, VarySegments: true, MemStability: 0.1,
		Batch: 8, GradAccum: 1, LR: 1e-3, Warmup: 20, Decay: "linear", WeightDecay: 0.01, ClipNorm: 1.0,
		EvalEvery: 50, EvalSamples: 64, CheckpointEvery: 50, Keep: 3, LogEvery: 10,
		Seed: 1, Out: "runs/default", ValShare: data.DefaultValShare,
	}
}

// LoadConfigFile overlays the JSON file at path on c. Unknown keys are an
// error naming the key: a misspelt option must never be silently ignored.
func LoadConfigFile(path string, c *Config) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return badWrap("config", "", err)
	}
	return parseConfigFile(raw, path, c)
}

// parseConfigFile is LoadConfigFile on the bytes of the file path.
func parseConfigFile(raw []byte, path string, c *Config) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		return badWrap("config", path, err)
	}
	if dec.More() {
		return bad("config", "%s: data after the JSON object; want one object", path)
	}
	return nil
}

// SetFrom copies into c the options named by flags (kebab-case flag names,
// such as "segment-size") from src: what the command line gave explicitly
// overrides a config file. Each flag name is its option's JSON key with
// dashes for underscores; a name that is no option is an error. Stage
// options given win over explicit stages (overrideStages).
func (c *Config) SetFrom(src Config, flags []string) error {
	c.Kernels = src.Kernels // not a config option: always the command's
	if len(flags) == 0 {
		return nil
	}
	raw, err := json.Marshal(src)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(raw, &all); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	picked := map[string]json.RawMessage{}
	for _, f := range flags {
		key := strings.ReplaceAll(f, "-", "_")
		if key == "noise_filter" { // the flag says the opposite of the option
			key = "noise_unfiltered"
		}
		v, ok := all[key]
		if !ok {
			return fmt.Errorf("train: --%s is not a config option", f)
		}
		picked[key] = v
	}
	raw, _ = json.Marshal(picked)
	if err := json.Unmarshal(raw, c); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	c.overrideStages(flags)
	return nil
}

// DropStaleARMTFeatures forgets armt_features when the memory is not armt:
// a feature map that a config file or a resumed run's config set means
// nothing to memory rmt unless armt_features asks for it.
func (c *Config) DropStaleARMTFeatures() {
	if c.Memory != graph.KindARMT {
		c.ARMTFeatures = ""
	}
}

// MemoryKind is the memory the config asks for.
func (c *Config) MemoryKind() graph.Memory {
	return graph.Memory{Kind: c.Memory, Tokens: c.MemTokens, DMem: c.DMem, Features: c.ARMTFeatures}
}

// Resolve validates the config and fills in the curriculum stages.
func (c *Config) Resolve() error {
	if c.Memory == graph.KindARMT && c.ARMTFeatures == "" {
		c.ARMTFeatures = graph.FeaturesDPFPNormalized // new runs: the authors' current ARMT
	}
	known := false
	for _, t := range data.TaskNames() {
		known = known || c.Task == t
	}
	switch {
	case !known:
		return bad("task", "%q, want one of %v", c.Task, data.TaskNames())
	case c.SegmentSize < 1:
		return bad("segment_size", "%d, want at least 1", c.SegmentSize)
	case c.MemTokens < 0:
		return bad("mem_tokens", "%d, want 0 or more", c.MemTokens)
	case c.MemoryKind().Check() != nil:
		return fmt.Errorf("train: %w", c.MemoryKind().Check())
	case c.MemNoise != 0 && !c.MemoryKind().TakesNoise():
		return bad("mem_noise", "perturbs rmt memory tokens; {memory} %s takes none", c.Memory)
	case c.BPTTDepth == 0 || c.BPTTDepth < -1:
		return bad("bptt_depth", "%d, want -1 (all segments) or at least 1", c.BPTTDepth)
	case c.Batch < 1:
		return bad("batch", "%d, want at least 1", c.Batch)
	case c.GradAccum < 1:
		return bad("grad_accum", "%d, want at least 1", c.GradAccum)
	case c.StepsPerStage < 1:
		return bad("steps_per_stage", "%d, want at least 1", c.StepsPerStage)
	case c.EvalEvery < 1 || c.CheckpointEvery < 1 || c.LogEvery < 1:
		return bad("", "{eval_every}, {checkpoint_every} and {log_every} must be at least 1")
	case c.EvalSamples < 1:
		return bad("eval_samples", "%d, want at least 1", c.EvalSamples)
	case c.MemNoise < 0 || c.MemNoise != c.MemNoise:
		return bad("mem_noise", "%g, want 0 or more", c.MemNoise)
	case !(c.MemStability >= 0) || math.IsInf(c.MemStability, 1):
		return bad("mem_stability", "%g, want a finite 0 or more", c.MemStability)
	case !(c.StoryShare >= 0 && c.StoryShare <= 1):
		return bad("story_share", "%g, want a share from 0 to 1", c.StoryShare)
	case c.StoryShare > 0 && c.Task != "babi":
		return bad("story_share", "is for {task} babi (stories without noise), not %s", c.Task)
	case c.AnswerRoom < 0 || (c.AnswerRoom > 0 && (c.Task != "babi" || c.RaggedEnd)):
		return bad("answer_room", "%d is a count of tokens for {task} babi without {ragged_end}", c.AnswerRoom)
	case c.RaggedEnd && c.Task != "babi":
		return bad("ragged_end", "is for {task} babi (the other tasks' samples end where their question does), not %s", c.Task)
	case c.Warmup < 0:
		return bad("warmup", "%d, want 0 or more", c.Warmup)
	case !(c.ClipNorm >= 0) || math.IsInf(c.ClipNorm, 1):
		return bad("clip_norm", "%g, want 0 (off) or a finite positive norm", c.ClipNorm)
	case !(c.ClipValue >= 0) || math.IsInf(c.ClipValue, 1):
		return bad("clip_value", "%g, want 0 (off) or a finite positive value", c.ClipValue)
	case !(c.WeightDecay >= 0) || math.IsInf(c.WeightDecay, 1):
		return bad("weight_decay", "%g, want a finite 0 or more", c.WeightDecay)
	case math.IsNaN(c.LR) || math.IsInf(c.LR, 0):
		return bad("lr", "%g, want a finite positive learning rate", c.LR)
	case c.Keep < 1:
		return bad("keep", "%d, want at least 1", c.Keep)
	case c.Out == "":
		return bad("out", "is empty; name a run directory")
	case c.Task == "babi" && c.BabiDir == "":
		return bad("task", "babi needs {babi_dir}")
	case c.BabiTask != "" && c.Task != "babi":
		return bad("babi_task", "%q is for {task} babi, not %s", c.BabiTask, c.Task)
	case c.Task == "lm" && c.TextDir == "" && c.Data == "":
		return bad("task", "lm needs {text_dir} or {data}")
	}
	if err := c.checkData(); err != nil {
		return err
	}
	if c.BabiTask != "" {
		if _, err := data.ParseBabiTasks(c.BabiTask); err != nil {
			return badWrap("babi_task", "", err)
		}
	}
	if err := (Schedule{Peak: c.LR, Warmup: 0, Total: 1, Decay: c.Decay}).Validate(); err != nil {
		return badWrap("", "{lr}/{decay}", err)
	}
	if len(c.Stages) == 0 {
		cur, err := curriculum.Resolve(c.Curriculum, curriculum.Stage{
			BPTTDepth: c.BPTTDepth, Steps: c.StepsPerStage, LR: c.LR, Threshold: c.Threshold, Patience: c.Patience})
		if err != nil {
			return fmt.Errorf("train: %w", err)
		}
		c.Stages = cur.Stages
	}
	if err := (curriculum.Curriculum{Stages: c.Stages}).Validate(); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	for i, s := range c.Stages {
		if c.Warmup >= s.Steps {
			return bad("warmup", "%d is not below stage %d's %d steps", c.Warmup, i+1, s.Steps)
		}
	}
	return nil
}

// BabiTasks is the bAbI tasks of a babi run (--babi-task, qa1 when empty)
// and nil for other tasks. Resolve has checked the list.
func (c Config) BabiTasks() []int {
	if c.Task != "babi" {
		return nil
	}
	if c.BabiTask == "" {
		return []int{1}
	}
	tasks, _ := data.ParseBabiTasks(c.BabiTask)
	return tasks
}
