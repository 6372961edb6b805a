// Command bench measures speed and memory, not model quality: a segment's
// forward and training time against the sgemm peak, data-parallel training
// steps, step time and memory against segment count, the reading speed of
// RMT and ARMT streams, and FLOPs against full attention (package bench).
// It is a developer's command; cmd/eval holds what users evaluate.
//
//	go run ./cmd/bench speed --shape gpt2-small --segment-size 512
//	go run ./cmd/bench flops --layers 12 --hidden 768 --ffn 3072 --vocab 50272
//
// Built with -tags mpi, dp shares its batch among the processes of an
// mpirun job (package dist) and rank 0 prints: mpirun -np 2 rmt-bench dp.
package main

import (
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/rmtgo/rmt/dist"
)

// job is what every subcommand is given: the job's processes (one, unless
// started by mpirun in a -tags mpi build).
type job struct {
	comm *dist.Comm
}

// subcommand is one verb of the bench command.
type subcommand struct {
	summary string
	run     func(j job, args []string) error
	ranks   bool // shares its work among the processes of mpirun
}

// subcommands are the verbs, by name.
func subcommands() map[string]subcommand {
	return map[string]subcommand{
		"speed":   {"time one segment forward and forward+backward against the sgemm peak", runSpeed, false},
		"dp":      {"time data-parallel training steps: compute, allreduce, AdamW, tokens/s (under mpirun with -tags mpi)", runDP, true},
		"scaling": {"training step time and memory against segment count; streaming over 1M tokens", runScaling, false},
		"flops":   {"forward FLOPs of RMT against one full-attention pass over the same tokens", runFlops, false},
		"stream":  {"reading speed of RMT and ARMT streams at one shape, as a ratio", runStream, false},
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: bench <command> [flags]\n\ncommands:")
	cmds := subcommands()
	for _, n := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nrun 'bench <command> -h' for the flags of a command")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(2)
	}
	cmds := subcommands()
	sc, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "bench: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	comm, err := dist.Init()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench "+os.Args[1]+": "+err.Error())
		os.Exit(1)
	}
	if comm.Size() > 1 && !sc.ranks {
		var shared []string
		for n, c := range cmds {
			if c.ranks {
				shared = append(shared, n)
			}
		}
		slices.Sort(shared)
		err = &dist.SharedError{Err: fmt.Errorf("runs in one process; of the commands, %s share their work among the processes of mpirun", strings.Join(shared, ", "))}
	} else {
		err = sc.run(job{comm: comm}, os.Args[2:])
	}
	if errors.Is(err, flag.ErrHelp) {
		err = nil // the usage is printed
	}
	if err != nil {
		if comm.Root() {
			fmt.Fprintln(os.Stderr, "bench "+os.Args[1]+": "+err.Error())
		} else if !dist.IsShared(err) {
			fmt.Fprintf(os.Stderr, "bench %s (rank %d): %s\n", os.Args[1], comm.Rank(), err)
		}
		comm.Abort(1)
	}
	comm.Finalize()
}
