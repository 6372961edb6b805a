// Package threadflag gives the commands their thread settings as flags:
//
//	--threads N   threads to compute on: the workers one kernel op splits
//	              into, and the Go scheduler's GOMAXPROCS for the command's
//	              process; OpenBLAS stays at one thread per call; default:
//	              the cores available
//	--spin=false  park the kernels' helpers instead of letting them poll for
//	              work between ops (for a machine shared with other jobs)
//
// The flags fill a kernels.Settings that the command owns and hands to the
// trainer, the evaluator or the cells it runs (their Kernels fields); no
// library package keeps them:
//
//	fs := flag.NewFlagSet("train", flag.ContinueOnError)
//	threadflag.BindTo(fs, &cfg.Kernels)
package threadflag

import (
	"flag"
	"fmt"
	"runtime"
	"strconv"

	"github.com/rmtgo/rmt/graph/kernels"
)

// Bind defines --threads and --spin on fs and returns the settings they
// fill as fs is parsed.
func Bind(fs *flag.FlagSet) *kernels.Settings {
	s := new(kernels.Settings)
	BindTo(fs, s)
	return s
}

// BindTo defines --threads and --spin on fs, filling s as fs is parsed.
func BindTo(fs *flag.FlagSet, s *kernels.Settings) {
	fs.Var(threads{s}, "threads", "`N` threads to compute on: Go scheduler and kernel workers; OpenBLAS runs one thread per call (default: the cores available)")
	fs.Var(spin{s}, "spin", "let idle kernel helpers poll for work for about 50 us before they park; false suits a machine shared with other jobs (default true)")
}

type threads struct{ s *kernels.Settings }

func (t threads) String() string {
	if t.s == nil || t.s.Threads == 0 {
		return strconv.Itoa(runtime.GOMAXPROCS(0))
	}
	return strconv.Itoa(t.s.Threads)
}

// Set takes n threads for the settings and, since the command's process
// computes on them, for the Go scheduler: the one process-wide choice
// here, made by the command that owns the process.
func (t threads) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("want a whole number of threads, at least 1")
	}
	t.s.Threads = n
	runtime.GOMAXPROCS(n)
	return nil
}

type spin struct{ s *kernels.Settings }

func (v spin) String() string { return strconv.FormatBool(v.s == nil || !v.s.NoSpin) }
func (spin) IsBoolFlag() bool { return true }

func (v spin) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	v.s.NoSpin = !on
	return nil
}
