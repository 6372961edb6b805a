package main

import (
	"flag"
	"os"

	"github.com/rmtgo/rmt/internal/flaghint"
)

// parseFlags parses a subcommand's flags: a mistyped flag costs one line
// with the closest names; -h prints the usage.
func parseFlags(fs *flag.FlagSet, args []string) error {
	return flaghint.Parse(fs, args, "bench "+fs.Name(), os.Stderr)
}
