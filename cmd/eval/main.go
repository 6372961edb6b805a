// Command eval inspects and measures models: logits and greedy generation
// for parity checks, tokenization, task samples, speed benchmarks, and
// long-context accuracy and perplexity.
//
//	go run ./cmd/eval logits --model DIR --ids 1,2,3 --json
//	go run ./cmd/eval generate --model DIR --prompt "Once upon a time" --max-new 64
//
// Built with -tags mpi, accuracy and perplexity share their samples among
// the processes of an mpirun job (package dist) and rank 0 prints what one
// process would: mpirun -np 4 rmt-eval accuracy --checkpoint DIR ...
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/rmtgo/rmt/dist"
)

// comm is the job's processes: one, unless started by mpirun in a -tags
// mpi build. Commands that do not share their samples run whole on every
// rank.
var comm *dist.Comm

// subcommand is one verb of the eval command. Each lives in its own file and
// registers itself in init, so that verbs can be added without touching main.
type subcommand struct {
	summary string
	run     func(args []string) error
}

var subcommands = map[string]subcommand{}

// acrossRanks are the commands that deal their samples among the
// processes of an mpirun job (the others refuse to run as one of several).
var acrossRanks = map[string]bool{"accuracy": true, "babilong": true, "perplexity": true, "bench-dp": true}

func register(name, summary string, run func(args []string) error) {
	subcommands[name] = subcommand{summary: summary, run: run}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: eval <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(subcommands))
	for n := range subcommands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(os.Stderr, "  %-11s %s\n", n, subcommands[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nrun 'eval <command> -h' for the flags of a command")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(2)
	}
	sc, ok := subcommands[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "eval: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	var err error
	if comm, err = dist.Init(); err == nil {
		if comm.Size() > 1 && !acrossRanks[os.Args[1]] {
			err = &dist.SharedError{Err: fmt.Errorf("runs in one process; of the commands, %s share their work among the processes of mpirun", strings.Join(slices.Sorted(maps.Keys(acrossRanks)), ", "))}
		} else {
			err = sc.run(os.Args[2:])
		}
	}
	if errors.Is(err, flag.ErrHelp) {
		err = nil // the usage is printed
	}
	if err != nil {
		msg := userMessage(err)
		if comm.Root() {
			fmt.Fprintln(os.Stderr, "eval "+os.Args[1]+": "+msg)
			if h := hintFor(msg); h != "" {
				fmt.Fprintln(os.Stderr, "hint: "+h)
			}
		} else if !dist.IsShared(err) {
			fmt.Fprintf(os.Stderr, "eval %s (rank %d): %s\n", os.Args[1], comm.Rank(), msg)
		}
		comm.Abort(1)
	}
	comm.Finalize()
}

// quiet silences a rank other than 0 of a job: rank 0 reports for all.
// It returns where to print the report and where to log.
func quiet(out io.Writer) (io.Writer, io.Writer) {
	if comm.Root() {
		return out, os.Stderr
	}
	return io.Discard, io.Discard
}

// hintFor suggests a next step for common mistakes.
func hintFor(msg string) string {
	switch {
	case strings.Contains(msg, "no such file or directory"):
		return "check the path; --model takes a HuggingFace folder with config.json and model.safetensors"
	}
	return ""
}
