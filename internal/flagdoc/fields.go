package flagdoc

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

var (
	// flagDef is a flag definition in a command's source.
	flagDef = regexp.MustCompile(`fs\.[A-Za-z0-9]+\([^"\n]*"([a-z0-9-]+)"`)
	// fieldUse is a field that library code names in an error: the first
	// argument of its constructors.
	fieldUse = regexp.MustCompile(`(?:field\.Errorf|field\.Wrap|optErr|badField|wrapField|fieldError|Divides)\("([a-z_]+)"|SplitFiles\([^\n]*"([a-z_]+)"\)`)
	strLit   = regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)
	comment  = regexp.MustCompile(`(?m)^\s*//.*$`)
	// fieldRef is {field} in a string literal.
	fieldRef = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)
)

// FieldScan is what UnflaggedFields read: the fields library errors name
// that no flag of the command has (dashes for underscores), and how many
// field uses and flags it found (so a test sees the patterns still match).
type FieldScan struct {
	Missing     []string // "dir: field"
	Uses, Flags int
}

// UnflaggedFields reads the flags a command's source in cmdDir defines and
// the fields the library sources in libDirs name in their errors, and lists
// the fields, but those in except, that the command has no flag for: a
// command that maps fields to flags mechanically must have them all.
func UnflaggedFields(cmdDir string, libDirs, except []string) (FieldScan, error) {
	var scan FieldScan
	flags := map[string]bool{}
	srcs, err := sources(cmdDir)
	if err != nil {
		return scan, err
	}
	for _, f := range srcs {
		for _, m := range flagDef.FindAllStringSubmatch(f, -1) {
			flags[m[1]] = true
		}
	}
	scan.Flags = len(flags)
	for _, dir := range libDirs {
		srcs, err := sources(dir)
		if err != nil {
			return scan, err
		}
		for _, f := range srcs {
			var names []string
			for _, m := range fieldUse.FindAllStringSubmatch(f, -1) {
				names = append(names, m[1]+m[2])
			}
			for _, lit := range strLit.FindAllString(f, -1) {
				for _, m := range fieldRef.FindAllStringSubmatch(lit, -1) {
					names = append(names, m[1])
				}
			}
			for _, name := range names {
				scan.Uses++
				if !slices.Contains(except, name) && !flags[strings.ReplaceAll(name, "_", "-")] {
					scan.Missing = append(scan.Missing, filepath.Base(dir)+": "+name)
				}
			}
		}
	}
	return scan, nil
}

// sources is the text of dir's non-test Go files, without comment lines.
func sources(dir string) ([]string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, comment.ReplaceAllString(string(b), ""))
	}
	return out, nil
}
