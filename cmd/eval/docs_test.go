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

// docSection is the heading of docs/cli.md that documents each eval
// subcommand; several share one.
var docSection = map[string]string{
	"babi-holdout": "`eval babilong`",
	"logits":       "`eval logits`", "generate": "`eval logits`", "tokenize": "`eval logits`", "sample": "`eval logits`",
}

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
		t.Fatalf("eval %s -h returned %v, want flag.ErrHelp", name, runErr)
	}
	return text
}

// docs/cli.md names every flag of every eval subcommand, with its default
// where that is not the zero value.
func TestDocsListEveryEvalFlag(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range slices.Sorted(maps.Keys(subcommands())) {
		heading, ok := docSection[name]
		if !ok {
			heading = "`eval " + name + "`"
		}
		section := flagdoc.Section(string(doc), heading)
		if section == "" && !ok { // a heading with arguments: `eval compare RUN...`
			section = flagdoc.Section(string(doc), "`eval "+name+" ")
		}
		if section == "" {
			t.Errorf("docs/cli.md has no section for eval %s (a heading with %s)", name, heading)
			continue
		}
		flags := flagdoc.FromUsage(usageOf(t, name))
		if len(flags) == 0 {
			t.Errorf("eval %s -h listed no flags", name)
		}
		for i := range flags {
			if flags[i].Name == "threads" || flags[i].Name == "spin" {
				flags[i].Default = "" // the machine's; described once for every command
			}
		}
		for _, p := range flagdoc.CheckProse(section, flags) {
			t.Errorf("docs/cli.md, eval %s: %s", name, p)
		}
	}
}

// A mistyped flag of a subcommand is one error line naming the closest
// flag, with no usage printed.
func TestMistypedFlagSuggests(t *testing.T) {
	var err error
	printed := captureStderr(t, func() { err = accuracy(job{}, io.Discard, []string{"--segmnts", "4"}) })
	want := "unknown flag --segmnts; did you mean --segments? (eval accuracy -h lists every flag)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if printed != "" {
		t.Errorf("printed %q besides the error, want nothing", printed)
	}
}
