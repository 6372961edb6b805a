// Package flagdoc checks a command's flags against their reference in
// docs/cli.md, so that a flag added or a default changed cannot leave the
// documentation behind. Tests use it; commands do not.
package flagdoc

import (
	"flag"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// Flag is a flag's name and its default as -h prints it; Default is ""
// where the default is the type's zero value (-h prints none then).
type Flag struct{ Name, Default string }

// FromSet lists the flags of fs.
func FromSet(fs *flag.FlagSet) []Flag {
	var out []Flag
	fs.VisitAll(func(f *flag.Flag) {
		d := f.DefValue
		// The zero value of the flag's type, as package flag decides it.
		if t := reflect.TypeOf(f.Value); t.Kind() == reflect.Pointer {
			if z, ok := reflect.New(t.Elem()).Interface().(flag.Value); ok && d == z.String() {
				d = ""
			}
		}
		out = append(out, Flag{f.Name, d})
	})
	return out
}

var (
	flagLine   = regexp.MustCompile(`(?m)^  -(\S+)`)
	defaultEnd = regexp.MustCompile(`\(default (.*)\)\s*$`)
)

// FromUsage lists the flags in the output of FlagSet.PrintDefaults.
func FromUsage(text string) []Flag {
	var out []Flag
	locs := flagLine.FindAllStringSubmatchIndex(text, -1)
	for i, l := range locs {
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		f := Flag{Name: text[l[2]:l[3]]}
		if m := defaultEnd.FindStringSubmatch(text[l[0]:end]); m != nil {
			f.Default = m[1]
			if u, err := strconv.Unquote(m[1]); err == nil {
				f.Default = u
			}
		}
		out = append(out, f)
	}
	return out
}

// Section is the text of the markdown section whose heading contains
// heading, up to the next heading of the same or a higher level, with runs
// of white space made one space; "" when there is none.
func Section(doc, heading string) string {
	lines := strings.Split(doc, "\n")
	for i, l := range lines {
		level := len(l) - len(strings.TrimLeft(l, "#"))
		if level == 0 || !strings.Contains(l, heading) {
			continue
		}
		j := i + 1
		for ; j < len(lines); j++ {
			if n := len(lines[j]) - len(strings.TrimLeft(lines[j], "#")); n > 0 && n <= level {
				break
			}
		}
		return strings.Join(strings.Fields(strings.Join(lines[i+1:j], "\n")), " ")
	}
	return ""
}

// CheckTable checks flags against a section's table of | flag | default |
// meaning | rows: every flag has a row, and a row gives a non-zero default
// exactly (backquotes aside). Rows may name several flags; a zero default
// may be described in words ("built-in model").
func CheckTable(section string, flags []Flag) []string {
	rows := map[string]string{}
	for _, row := range strings.Split(strings.ReplaceAll(section, " | | ", " |  | "), "| `--")[1:] {
		cells := strings.Split("`--"+row, "|")
		if len(cells) < 2 {
			continue
		}
		def := strings.Trim(strings.TrimSpace(cells[1]), "`")
		for _, m := range regexp.MustCompile("`--([a-z0-9-]+)").FindAllStringSubmatch(cells[0], -1) {
			rows[m[1]] = def
		}
	}
	var bad []string
	for _, f := range flags {
		doc, ok := rows[f.Name]
		switch {
		case !ok:
			bad = append(bad, fmt.Sprintf("--%s has no row", f.Name))
		case f.Default != "" && doc != f.Default:
			bad = append(bad, fmt.Sprintf("--%s: the docs give default %q, the flag has %q", f.Name, doc, f.Default))
		}
	}
	return bad
}

// CheckProse checks flags against a section that lists them in running
// text: every flag is named (--name, in backquotes or in a command line
// written out), and one with a non-zero default is written
// --name DEFAULT, --name (DEFAULT ...) or --name (default DEFAULT ...);
// backquotes do not count.
func CheckProse(section string, flags []Flag) []string {
	text := " " + strings.ReplaceAll(section, "`", "") + " "
	var bad []string
	for _, f := range flags {
		name := "--" + f.Name
		if !regexp.MustCompile(`[\s\[]` + regexp.QuoteMeta(name) + `[\s=\],.;:)]`).MatchString(text) {
			bad = append(bad, fmt.Sprintf("--%s is not named", f.Name))
			continue
		}
		if f.Default == "" {
			continue
		}
		found := false
		for _, form := range []string{" ", " (", " (default ", "="} {
			found = found || strings.Contains(text, name+form+f.Default)
		}
		if !found {
			bad = append(bad, fmt.Sprintf("--%s: its default %s is not given as --%s %s or --%s (%s ...)", f.Name, f.Default, f.Name, f.Default, f.Name, f.Default))
		}
	}
	return bad
}
