package main

import (
	"os"
	"testing"

	"github.com/rmtgo/rmt/internal/flagdoc"
	"github.com/rmtgo/rmt/train"
)

// docs/cli.md's table for cmd/train names every flag with its default.
func TestDocsListEveryTrainFlag(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	section := flagdoc.Section(string(doc), "## `cmd/train`")
	if section == "" {
		t.Fatal("docs/cli.md has no ## `cmd/train` section")
	}
	c := train.DefaultConfig()
	var o commandFlags
	fs, _ := flagSet(&c, &o)
	flags := flagdoc.FromSet(fs)
	for i := range flags {
		if flags[i].Name == "threads" || flags[i].Name == "spin" {
			flags[i].Default = "" // the machine's; docs/cli.md describes them once for every command
		}
	}
	for _, p := range flagdoc.CheckTable(section, flags) {
		t.Error("docs/cli.md, cmd/train: " + p)
	}
}
