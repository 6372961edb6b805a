package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"

	"golang.org/x/term"

	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/sweep"
	"github.com/rmtgo/rmt/train"
)

// sweepFlags are the flags of a curriculum sweep (package sweep).
type sweepFlags struct {
	curricula, seeds, evalSegments string
	budget                         int
	samples                        string
}

// sweepFlagNames are not run config: they shape the sweep around runs.
func sweepFlagNames() []string {
	return []string{"curricula", "seeds", "budget-steps", "eval-segments", "sweep-samples"}
}

// bindSweep binds the sweep flags to sweepArgs.
func bindSweep(fs *flag.FlagSet, sweepArgs *sweepFlags) {
	fs.StringVar(&sweepArgs.curricula, "curricula", "", "a sweep: curricula separated by ';', e.g. \"1;1,2;1,2,4\"; every (curriculum, seed) pair trains under --out/<curriculum>-s<seed>, then every best checkpoint is evaluated (see docs/training.md)")
	fs.StringVar(&sweepArgs.seeds, "seeds", "", "a sweep's seeds, e.g. 1,2,3 (default: --seed)")
	fs.IntVar(&sweepArgs.budget, "budget-steps", 0, "a sweep's total steps per curriculum, split over its stages in proportion to their steps (0: --steps-per-stage each)")
	fs.StringVar(&sweepArgs.evalSegments, "eval-segments", "1,2,4,8,16,32,64", "segment counts a sweep evaluates every best checkpoint at")
	fs.StringVar(&sweepArgs.samples, "sweep-samples", "100", "a sweep's evaluation samples per segment count, the same for every run: one count, or one per --eval-segments entry")
}

// checkSweepFlags refuses sweep flags without --curricula and flags that
// a sweep sets per run.
func checkSweepFlags(fs *flag.FlagSet, set []string, resume bool, sweepArgs sweepFlags) error {
	fs.Visit(func(f *flag.Flag) { set = append(set, f.Name) })
	if sweepArgs.curricula == "" {
		for _, f := range sweepFlagNames()[1:] {
			if slices.Contains(set, f) {
				return fmt.Errorf("--%s is for a sweep; give --curricula too", f)
			}
		}
		return nil
	}
	switch {
	case slices.Contains(set, "curriculum"):
		return fmt.Errorf("--curriculum and --curricula: a sweep's runs take their curriculum from --curricula")
	case slices.Contains(set, "seeds") && slices.Contains(set, "seed"):
		return fmt.Errorf("--seed and --seeds: give the sweep's seeds with --seeds")
	case resume:
		return fmt.Errorf("--resume with --curricula: a sweep continues by itself; run the same command again")
	}
	return nil
}

// sweepPlan reads the sweep flags; cfg is the resolved base config.
func sweepPlan(cfg train.Config, sweepArgs sweepFlags) (sweep.Plan, error) {
	curricula, err := sweep.ParseCurricula(sweepArgs.curricula)
	if err != nil {
		return sweep.Plan{}, fmt.Errorf("--curricula: %w", err)
	}
	seeds := []int64{cfg.Seed}
	if sweepArgs.seeds != "" {
		if seeds, err = sweep.ParseSeeds(sweepArgs.seeds); err != nil {
			return sweep.Plan{}, fmt.Errorf("--seeds: %w", err)
		}
	}
	if sweepArgs.budget < 0 {
		return sweep.Plan{}, fmt.Errorf("--budget-steps %d, want 0 (off) or more", sweepArgs.budget)
	}
	counts, err := sweep.ParseEvalSegments(sweepArgs.evalSegments)
	if err != nil {
		return sweep.Plan{}, fmt.Errorf("--eval-segments %w", err)
	}
	samples, err := sweep.ParseEvalSamples(sweepArgs.samples, len(counts))
	if err != nil {
		return sweep.Plan{}, fmt.Errorf("--sweep-samples %w", err)
	}
	if cfg.Task == "lm" {
		return sweep.Plan{}, fmt.Errorf("--curricula: a sweep compares accuracy, and --task lm has no answers")
	}
	return sweep.Plan{Curricula: curricula, Seeds: seeds, BudgetSteps: sweepArgs.budget, EvalSegments: counts,
		EvalSamples: samples, EvalSeed: sweep.DefaultEvalSeed}, nil
}

// runSweep trains and evaluates every pair of the sweep in cfg.Out and
// prints the table.
func runSweep(ctx context.Context, comm *dist.Comm, cfg train.Config, sweepArgs sweepFlags, checkEvery int) error {
	plan, err := sweepPlan(cfg, sweepArgs)
	if err != nil {
		return err
	}
	pairs, err := plan.Pairs(cfg, cfg.Out)
	if err != nil {
		return fmt.Errorf("--curricula: %w", err)
	}
	opt := sweep.Options{Log: os.Stderr, Comm: comm, Train: train.Options{Log: os.Stderr,
		Terminal: term.IsTerminal(int(os.Stderr.Fd())), CheckEvery: checkEvery}}
	rep, err := sweep.Run(ctx, plan, pairs, cfg.Out, opt)
	if err != nil || rep == nil {
		return err
	}
	return rep.Table(os.Stdout)
}
