package main

import (
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/internal/flagdoc"
)

// captureStderr runs f and returns what it wrote to os.Stderr.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := os.Stderr
	os.Stderr = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	f()
	os.Stderr = stderr
	w.Close()
	return <-done
}

// usageOf runs a subcommand with -h and returns what it printed.
func usageOf(t *testing.T, name string) string {
	t.Helper()
	var runErr error
	text := captureStderr(t, func() { runErr = subcommands()[name].run(job{}, []string{"-h"}) })
	if runErr == nil || !strings.Contains(runErr.Error(), "help requested") {
		t.Fatalf("bench %s -h returned %v, want flag.ErrHelp", name, runErr)
	}
	return text
}

// docs/cli.md names every flag of every bench subcommand, with its default
// where that is not the zero value.
func TestDocsListEveryBenchFlag(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(subcommands())) {
		section := flagdoc.Section(string(doc), "`bench "+name+"`")
		if section == "" {
			t.Errorf("docs/cli.md has no section for bench %s (a heading with `bench %s`)", name, name)
			continue
		}
		flags := flagdoc.FromUsage(usageOf(t, name))
		if len(flags) == 0 {
			t.Errorf("bench %s -h listed no flags", name)
		}
		for i := range flags {
			if flags[i].Name == "threads" || flags[i].Name == "spin" {
				flags[i].Default = "" // the machine's; described once for every command
			}
		}
		for _, p := range flagdoc.CheckProse(section, flags) {
			t.Errorf("docs/cli.md, bench %s: %s", name, p)
		}
	}
}

// TestComputingCommandsTakeThreads: every subcommand that runs a model
// takes --threads and --spin, so a user sharing a machine can rein it in.
func TestComputingCommandsTakeThreads(t *testing.T) {
	cmds := subcommands()
	for _, name := range []string{"speed", "dp", "scaling", "stream"} {
		c, found := cmds[name]
		if !found {
			t.Errorf("no subcommand %s", name)
			continue
		}
		err := c.run(job{}, []string{"--threads", "0"})
		if err == nil || !strings.Contains(err.Error(), "threads") {
			t.Errorf("%s --threads 0: error %v, want one naming --threads", name, err)
		}
	}
}

// A mistyped flag of a subcommand is one error line naming the closest
// flag, under the bench command's name.
func TestMistypedFlagSuggests(t *testing.T) {
	var err error
	printed := captureStderr(t, func() { err = flops(io.Discard, []string{"--segmnt-size", "4"}) })
	want := "unknown flag --segmnt-size; did you mean --segment-size? (bench flops -h lists every flag)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if printed != "" {
		t.Errorf("printed %q besides the error, want nothing", printed)
	}
}
