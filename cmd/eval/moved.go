package main

import (
	"strconv"
	"strings"
)

// movedTo is where each speed and memory subcommand of eval went: a
// subcommand of cmd/bench.
func movedTo(name string) string {
	switch name {
	case "bench":
		return "speed"
	case "bench-dp":
		return "dp"
	case "scaling", "flops":
		return name
	case "stream-bench":
		return "stream"
	}
	return ""
}

// movedLine is the one line that points a moved subcommand, with the
// arguments given, to its new command ("" for a subcommand that did not
// move).
func movedLine(name string, args []string) string {
	to := movedTo(name)
	if to == "" {
		return ""
	}
	line := "eval " + name + " moved: go run ./cmd/bench " + to
	for _, a := range args {
		if strings.ContainsAny(a, " \t\n'\"$;&|<>*?") {
			a = strconv.Quote(a)
		}
		line += " " + a
	}
	return line + " (docs/cli.md, cmd/bench)"
}
