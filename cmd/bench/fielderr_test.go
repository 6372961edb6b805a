package main

import (
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/internal/flagdoc"
)

// TestFieldsAreFlags: every field that the libraries bench reaches name in
// their errors is a flag of some bench subcommand, dashes for underscores,
// so userMessage's mechanical mapping names a flag the user can give.
func TestFieldsAreFlags(t *testing.T) {
	var libs []string
	for _, d := range []string{"bench", "graph", "dist"} {
		libs = append(libs, filepath.Join("..", "..", d))
	}
	scan, err := flagdoc.UnflaggedFields(".", libs, []string{"err"})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range scan.Missing {
		t.Errorf("%s is a field no bench subcommand has as a flag", m)
	}
	if scan.Uses < 10 || scan.Flags < 20 {
		t.Errorf("found %d field uses and %d flags; the patterns no longer match the source", scan.Uses, scan.Flags)
	}
}
