package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestMovedSubcommandsPoint: each speed subcommand that moved to cmd/bench
// prints one line naming its new command with the arguments given, and
// the command exits non-zero without running anything.
func TestMovedSubcommandsPoint(t *testing.T) {
	if os.Getenv("RMT_EVAL_MAIN") == "1" {
		os.Args = append([]string{"eval"}, strings.Fields(os.Getenv("RMT_EVAL_ARGS"))...)
		main()
		return
	}
	cmds := subcommands()
	for old, want := range map[string]string{
		"bench":        "eval bench moved: go run ./cmd/bench speed --shape gpt2-small --runs 1 (docs/cli.md, cmd/bench)",
		"bench-dp":     "eval bench-dp moved: go run ./cmd/bench dp --shape gpt2-small --runs 1 (docs/cli.md, cmd/bench)",
		"scaling":      "eval scaling moved: go run ./cmd/bench scaling --shape gpt2-small --runs 1 (docs/cli.md, cmd/bench)",
		"flops":        "eval flops moved: go run ./cmd/bench flops --shape gpt2-small --runs 1 (docs/cli.md, cmd/bench)",
		"stream-bench": "eval stream-bench moved: go run ./cmd/bench stream --shape gpt2-small --runs 1 (docs/cli.md, cmd/bench)",
	} {
		if _, ok := cmds[old]; ok {
			t.Errorf("eval still has the subcommand %s", old)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestMovedSubcommandsPoint$")
		cmd.Env = append(os.Environ(), "RMT_EVAL_MAIN=1", "RMT_EVAL_ARGS="+old+" --shape gpt2-small --runs 1")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 2 {
			t.Errorf("eval %s: %v, want exit status 2", old, err)
		}
		if got := stderr.String(); got != want+"\n" {
			t.Errorf("eval %s printed on stderr %q, want the one line %q", old, got, want)
		}
		if stdout.Len() != 0 {
			t.Errorf("eval %s printed on stdout %q, want nothing", old, stdout.String())
		}
	}
	if got := movedLine("bench", []string{"--shape", "my model"}); got != `eval bench moved: go run ./cmd/bench speed --shape "my model" (docs/cli.md, cmd/bench)` {
		t.Errorf("an argument with a space: %q, want it quoted", got)
	}
	if got := movedLine("accuracy", nil); got != "" {
		t.Errorf("accuracy did not move, got %q", got)
	}
}
