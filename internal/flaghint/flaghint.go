// Package flaghint parses a command's flags so that a mistake costs one
// line: an unknown flag is answered with the closest flag names and a
// pointer to -h, not with the whole usage; -h alone prints the usage.
package flaghint

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Parse parses args into fs, whose usage goes to w on -h only. cmd names
// the command in the pointer to -h ("train", "eval accuracy").
func Parse(fs *flag.FlagSet, args []string, cmd string, w io.Writer) error {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	fs.SetOutput(w)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		fs.Usage()
		return err
	}
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		name = strings.TrimLeft(name, "-")
		msg = "unknown flag --" + name
		if near := Closest(fs, name); len(near) > 0 {
			msg += "; did you mean --" + strings.Join(near, " or --") + "?"
		}
	}
	return fmt.Errorf("%s (%s -h lists every flag)", msg, cmd)
}

// Closest is the flag names of fs nearest to name: those within a few
// edits of it (a third of its length, at least 2), or that it begins or
// is contained in, at most three, nearest first.
func Closest(fs *flag.FlagSet, name string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	limit := max(2, len(name)/3)
	fs.VisitAll(func(f *flag.Flag) {
		d := distance(name, f.Name)
		if len(name) >= 3 && strings.Contains(f.Name, name) {
			d = min(d, 1)
		}
		if d <= limit {
			cs = append(cs, cand{f.Name, d})
		}
	})
	slices.SortStableFunc(cs, func(a, b cand) int { return a.d - b.d })
	var out []string
	for _, c := range cs[:min(3, len(cs))] {
		out = append(out, c.name)
	}
	return out
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
