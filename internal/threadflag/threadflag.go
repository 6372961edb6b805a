// Package threadflag gives the commands their thread settings as flags:
//
//	--threads N   threads the kernels compute on (the Go scheduler's
//	              GOMAXPROCS, ParallelFor's workers; OpenBLAS stays at one
//	              thread per call); default: the cores available
//	--spin=false  park ParallelFor's helpers instead of letting them poll for
//	              work between ops (for a machine shared with other jobs)
//
// The settings take effect as the flags are parsed (see kernels.SetThreads
// and kernels.SetSpin):
//
//	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
//	threadflag.Bind(fs)
package threadflag

import (
	"flag"
	"fmt"
	"strconv"

	"github.com/rmtgo/rmt/graph/kernels"
)

// Bind defines --threads and --spin on fs.
func Bind(fs *flag.FlagSet) {
	fs.Var(threads{}, "threads", "`N` threads to compute on: Go scheduler and kernel workers; OpenBLAS runs one thread per call (default: the cores available)")
	fs.Var(spin{}, "spin", "let idle kernel helpers poll for work for about 50 us before they park; false suits a machine shared with other jobs (default true)")
}

type threads struct{}

func (threads) String() string { return strconv.Itoa(kernels.Threads()) }

func (threads) Set(s string) error {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return fmt.Errorf("want a whole number of threads, at least 1")
	}
	return kernels.SetThreads(n)
}

type spin struct{}

func (spin) String() string   { return strconv.FormatBool(kernels.Spin()) }
func (spin) IsBoolFlag() bool { return true }

func (spin) Set(s string) error {
	on, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("want true or false")
	}
	kernels.SetSpin(on)
	return nil
}
