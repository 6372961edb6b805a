// Command train fine-tunes a decoder with recurrent memory under a
// curriculum of segment counts. Without flags it runs the main job on the
// built-in model: a small random Llama-shaped model with a byte tokenizer
// learns the memorize task over 1, 2 and 4 segments.
//
//	go run ./cmd/train
//	go run ./cmd/train --model ../shared/models/stories260K --task memorize \
//	    --noise-dir ../shared/corpus/books --segment-size 128 --curriculum 1,2,4 --out runs/mem
//	go run ./cmd/train --out runs/mem --resume       # continues with the run's saved config
//
// Built with -tags mpi, it trains one run over N processes (data parallel,
// see package dist): mpirun -np 2 rmt-train --config FILE --out DIR.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/term"

	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/internal/flaghint"
	"github.com/rmtgo/rmt/internal/threadflag"
	"github.com/rmtgo/rmt/train"
)

func bind(fs *flag.FlagSet, c *train.Config) {
	fs.StringVar(&c.Model, "model", c.Model, "HuggingFace model folder, or random:SHAPE (random weights of stories260K, gpt2-small or gpt2-medium with the byte tokenizer; default: the built-in random model with a byte tokenizer)")
	fs.StringVar(&c.Task, "task", c.Task, "memorize, detect, reasoning, babi, lm or qa (questions from --data)")
	fs.StringVar(&c.BabiDir, "babi-dir", c.BabiDir, "folder of bAbI qaN_*_train.txt files (task babi; folders joined by ':' are searched in order); one story in ten of each file is held out for validation")
	fs.StringVar(&c.BabiTask, "babi-task", c.BabiTask, "bAbI tasks to draw from, e.g. 1 or 1,2,3 (default 1)")
	fs.StringVar(&c.NoiseDir, "noise-dir", c.NoiseDir, "folder of .txt books for the background text (default: built-in filler)")
	fs.StringVar(&c.TextDir, "text-dir", c.TextDir, "folder of long .txt documents (task lm)")
	bindData(fs, c)
	fs.IntVar(&c.SegmentSize, "segment-size", c.SegmentSize, "tokens per segment")
	fs.StringVar(&c.Memory, "memory", c.Memory, "memory kind: rmt (memory tokens) or armt (associative memory in every layer)")
	fs.IntVar(&c.DMem, "d-mem", c.DMem, "key width of the associative memory (--memory armt only)")
	fs.StringVar(&c.ARMTFeatures, "armt-features", c.ARMTFeatures, "feature map of the associative memory: dpfp or dpfp-normalized; with --memory armt it is dpfp-normalized unless given")
	fs.IntVar(&c.MemTokens, "mem-tokens", c.MemTokens, "memory tokens (0: no memory, the baseline)")
	fs.IntVar(&c.BPTTDepth, "bptt-depth", c.BPTTDepth, "backprop through the last k segments; -1 for all")
	fs.StringVar(&c.Curriculum, "curriculum", c.Curriculum, "segment counts per stage, e.g. 1,2,4,8, or a preset: scaling, babilong")
	fs.Float64Var(&c.MemNoise, "mem-noise", c.MemNoise, "Gaussian noise added to each memory hand-off in training, relative to the memory's RMS (0: none)")
	fs.Float64Var(&c.MemStability, "mem-stability", c.MemStability, "weight of a penalty on memory changing between consecutive hand-offs in training (0: none)")
	fs.Float64Var(&c.StoryShare, "story-share", c.StoryShare, "share of training micro-batches that are bAbI stories alone, without noise (task babi; 0: none)")
	fs.BoolFunc("noise-filter", "drop background sentences that name a task entity (default true; false reads the books as BABILong does)", func(s string) error {
		v, err := strconv.ParseBool(s)
		c.NoiseUnfiltered = !v
		return err
	})
	fs.IntVar(&c.AnswerRoom, "answer-room", c.AnswerRoom, "task babi: end every training sample this many tokens after its prompt (answer, EOS, padding), so questions end at one place of a segment, where eval --align right puts them (0: off)")
	fs.BoolVar(&c.RaggedEnd, "ragged-end", c.RaggedEnd, "task babi: end each training sample at a random position of its last segment, as BABILong's samples do, not always at the segment's end")
	fs.BoolVar(&c.VarySegments, "vary-segments", c.VarySegments, "train each step of a stage of n segments on a count drawn from 1..n")
	fs.IntVar(&c.StepsPerStage, "steps-per-stage", c.StepsPerStage, "optimizer steps per stage")
	fs.Float64Var(&c.Threshold, "threshold", c.Threshold, "advance a stage early at this validation accuracy (0: never)")
	fs.IntVar(&c.Patience, "patience", c.Patience, "end a stage after this many evaluations without improvement (0: never)")
	fs.IntVar(&c.Batch, "batch", c.Batch, "samples per micro-batch")
	fs.IntVar(&c.GradAccum, "grad-accum", c.GradAccum, "micro-batches per optimizer step")
	fs.Float64Var(&c.LR, "lr", c.LR, "peak learning rate")
	fs.IntVar(&c.Warmup, "warmup", c.Warmup, "linear warm-up steps at the start of each stage")
	fs.StringVar(&c.Decay, "decay", c.Decay, "learning-rate decay after warm-up: linear, cosine or constant")
	fs.Float64Var(&c.WeightDecay, "weight-decay", c.WeightDecay, "AdamW decoupled weight decay (not on norms, biases, memory)")
	fs.Float64Var(&c.ClipNorm, "clip-norm", c.ClipNorm, "clip gradients by global norm (0: off)")
	fs.Float64Var(&c.ClipValue, "clip-value", c.ClipValue, "clip each gradient element to [-v, v] (0: off)")
	fs.IntVar(&c.EvalEvery, "eval-every", c.EvalEvery, "steps between validations")
	fs.IntVar(&c.EvalSamples, "eval-samples", c.EvalSamples, "validation samples")
	fs.IntVar(&c.CheckpointEvery, "checkpoint-every", c.CheckpointEvery, "steps between checkpoints")
	fs.IntVar(&c.Keep, "keep", c.Keep, "step checkpoints kept besides the best")
	fs.IntVar(&c.LogEvery, "log-every", c.LogEvery, "steps between log lines (off a terminal)")
	fs.Int64Var(&c.Seed, "seed", c.Seed, "seed of the memory initialisation and the data")
	fs.StringVar(&c.Out, "out", c.Out, "run directory: config.json, metrics.jsonl, checkpoints/")
}

func main() {
	comm, err := start(os.Args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		// Rank 0 reports; another rank only what it alone ran into.
		if comm.Root() || !dist.IsShared(err) {
			prefix := "train: "
			if !comm.Root() {
				prefix = fmt.Sprintf("train (rank %d): ", comm.Rank())
			}
			msg := userMessage(err)
			fmt.Fprintln(os.Stderr, prefix+strings.TrimPrefix(msg, "train: "))
			if strings.Contains(msg, "--resume") && strings.Contains(msg, "no checkpoint") {
				fmt.Fprintln(os.Stderr, "hint: --resume continues a run started earlier with the same --out")
			}
		}
		comm.Abort(1)
	}
	comm.Finalize()
}

// start joins the job's processes (one, unless mpirun started a -tags mpi
// build) and trains; comm is nil when joining failed.
func start(args []string) (comm *dist.Comm, err error) {
	if comm, err = dist.Init(); err != nil {
		return nil, err
	}
	return comm, run(comm, args)
}

// run resolves the config and trains, on the processes of comm.
func run(comm *dist.Comm, args []string) error {
	cfg, o, err := resolveFlags(args)
	if err != nil {
		return err
	}
	if comm.Root() {
		resolved, _ := json.MarshalIndent(cfg, "", "  ")
		fmt.Fprintf(os.Stderr, "config:\n%s\n", resolved)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if o.sweep.curricula != "" {
		return runSweep(ctx, comm, cfg, o.sweep, o.checkEvery)
	}
	return train.Run(ctx, cfg, train.Options{Log: os.Stderr, Resume: o.resume != "", ResumeAuto: o.resume == "auto", Terminal: term.IsTerminal(int(os.Stderr.Fd())),
		Comm: comm, CheckEvery: o.checkEvery, Names: flagNames()})
}

// resolveConfig is resolveFlags for the config alone.
func resolveConfig(args []string) (train.Config, bool, error) {
	cfg, o, err := resolveFlags(args)
	return cfg, o.resume != "", err
}

// flagSet is the command's flags: the config's, bound to given, and the
// others, bound to o.
func flagSet(given *train.Config, o *commandFlags) (fs *flag.FlagSet, configFile *string) {
	fs = flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	bind(fs, given)
	configFile = fs.String("config", "", "JSON config file (unknown keys are an error); flags given explicitly override it")
	fs.Var(&o.resume, "resume", "continue the run in --out from its latest checkpoint; --resume=auto: from the newest checkpoint that verifies, when the latest does not (docs/runs.md)")
	threadflag.BindTo(fs, &given.Kernels) // --threads, --spin: Config.Kernels, not saved with the run
	fs.IntVar(&o.checkEvery, "check-every", 100, "with several processes (mpirun): steps between checks that every process holds the same parameters (0: at checkpoints only)")
	bindSweep(fs, &o.sweep)
	return fs, configFile
}

// resolveFlags parses the flags once and resolves the config: defaults,
// then a resumed run's saved config, then --config FILE, then the flags
// given explicitly; o is what the other flags were given.
func resolveFlags(args []string) (cfg train.Config, o commandFlags, err error) {
	given := train.DefaultConfig()
	fs, configFile := flagSet(&given, &o)
	resumeFlag := &o.resume
	if err := flaghint.Parse(fs, args, "train", os.Stderr); err != nil {
		return cfg, o, err
	}
	if err := finiteFlags(fs); err != nil {
		return cfg, o, err
	}
	if fs.NArg() > 0 {
		return cfg, o, fmt.Errorf("unexpected argument %q; flags start with --", fs.Arg(0))
	}
	if o.checkEvery < 0 {
		return cfg, o, fmt.Errorf("--check-every %d, want 0 or more", o.checkEvery)
	}
	var set []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "config" && f.Name != "resume" && f.Name != "threads" && f.Name != "spin" && f.Name != "check-every" && !slices.Contains(sweepFlagNames(), f.Name) {
			set = append(set, f.Name)
		}
	})
	if err := checkSweepFlags(fs, set, *resumeFlag != "", o.sweep); err != nil {
		return cfg, o, err
	}
	cfg = train.DefaultConfig()
	if *resumeFlag != "" {
		// A resumed run starts from its own saved config; flags given
		// explicitly must agree with it (train.Run checks).
		saved := filepath.Join(given.Out, "config.json")
		if _, err := os.Stat(saved); err != nil {
			return cfg, o, fmt.Errorf("--resume: %s has no config.json: no run to resume there", given.Out)
		}
		if err := train.LoadConfigFile(saved, &cfg); err != nil {
			return cfg, o, err
		}
	}
	if *configFile != "" {
		if err := train.LoadConfigFile(*configFile, &cfg); err != nil {
			return cfg, o, err
		}
	}
	if err := cfg.SetFrom(given, set); err != nil {
		return cfg, o, err
	}
	if !slices.Contains(set, "armt-features") {
		cfg.DropStaleARMTFeatures()
	}
	if err := cfg.Resolve(); err != nil {
		return cfg, o, fromConfigFile(err, *configFile, set)
	}
	if err := checkModel(cfg.Model); err != nil {
		return cfg, o, err
	}
	return cfg, o, nil
}
