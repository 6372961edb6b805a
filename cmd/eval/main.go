// Command eval evaluates models as users do: long-context accuracy,
// BABILong and perplexity of a checkpoint, questions about a long text,
// memory dynamics, logits and greedy generation for parity checks,
// tokenization and task samples. Speed and memory measurements are
// cmd/bench.
//
//	go run ./cmd/eval logits --model DIR --ids 1,2,3 --json
//	go run ./cmd/eval generate --model DIR --prompt "Once upon a time" --max-new 64
//
// Built with -tags mpi, accuracy, babilong and perplexity share their
// samples among the processes of an mpirun job (package dist) and rank 0
// prints what one process would: mpirun -np 4 rmt-eval accuracy --checkpoint DIR ...
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/rmtgo/rmt/dist"
)

// job is what every subcommand is given: the job's processes (one, unless
// started by mpirun in a -tags mpi build; a nil comm is one process).
type job struct {
	comm *dist.Comm
}

// subcommand is one verb of the eval command.
type subcommand struct {
	summary string
	run     func(j job, args []string) error
	ranks   bool // deals its samples among the processes of mpirun
}

// subcommands are the verbs, by name; each lives in its own file.
func subcommands() map[string]subcommand {
	return map[string]subcommand{
		"accuracy":     {"exact-match accuracy of a checkpoint against segment count", runAccuracy, true},
		"ask":          {"read a long text through a checkpoint's memory and answer a question about it", runAsk, false},
		"babilong":     {"BABILong: bAbI qa1-qa5 in book text from 0 to 1M tokens, as a table and heatmap", runBabilong, true},
		"babi-holdout": {"write the held-out stories of bAbI training files as a test-format folder", runBabiHoldout, false},
		"compare":      {"evaluation results of several runs or checkpoints side by side", runCompare, false},
		"curves":       {"training loss and validation accuracy of runs against step and wall time", runCurves, false},
		"dynamics":     {"how memory states move and keep the answer, hand-off by hand-off", runDynamics, false},
		"generate":     {"greedy continuation of a prompt (no memory)", runGenerate, false},
		"logits":       {"last-layer logits of a plain forward pass (parity checks)", runLogits, false},
		"make-qa":      {"write a long-document question set (a fact hidden in book text) as JSONL", runMakeQA, false},
		"perplexity":   {"perplexity per segment index, with memory and without", runPerplexity, true},
		"sample":       {"show a decoded task sample with fact, question and answer marked", runSample, false},
		"tokenize":     {"token ids of standard input as the model's tokenizer gives them (--decode: ids to text)", runTokenize, false},
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: eval <command> [flags]\n\ncommands:")
	cmds := subcommands()
	for _, n := range slices.Sorted(maps.Keys(cmds)) {
		fmt.Fprintf(os.Stderr, "  %-12s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(os.Stderr, "\nrun 'eval <command> -h' for the flags of a command; speed and memory measurements are 'go run ./cmd/bench'")
}

func main() {
	if len(os.Args) < 2 || os.Args[1] == "-h" || os.Args[1] == "--help" || os.Args[1] == "help" {
		usage()
		os.Exit(2)
	}
	if line := movedLine(os.Args[1], os.Args[2:]); line != "" {
		fmt.Fprintln(os.Stderr, line)
		os.Exit(2)
	}
	cmds := subcommands()
	sc, ok := cmds[os.Args[1]]
	if !ok {
		fmt.Fprintf(os.Stderr, "eval: unknown command %q\n", os.Args[1])
		usage()
		os.Exit(2)
	}
	comm, err := dist.Init()
	if err == nil {
		if comm.Size() > 1 && !sc.ranks {
			err = &dist.SharedError{Err: fmt.Errorf("runs in one process; of the commands, %s share their work among the processes of mpirun", strings.Join(acrossRanks(cmds), ", "))}
		} else {
			err = sc.run(job{comm: comm}, os.Args[2:])
		}
	}
	if errors.Is(err, flag.ErrHelp) {
		err = nil // the usage is printed
	}
	if err != nil {
		msg := err.Error()
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

// acrossRanks are the names of the commands that deal their samples among
// the processes of an mpirun job, sorted.
func acrossRanks(cmds map[string]subcommand) []string {
	var names []string
	for n, c := range cmds {
		if c.ranks {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

// quiet silences a rank other than 0 of a job: rank 0 reports for all.
// It returns where to print the report and where to log.
func (j job) quiet(out io.Writer) (io.Writer, io.Writer) {
	if j.comm.Root() {
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
