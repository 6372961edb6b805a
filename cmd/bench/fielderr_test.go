package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var (
	// flagDef is a flag definition of this command's source.
	flagDef = regexp.MustCompile(`fs\.[A-Za-z0-9]+\([^"\n]*"([a-z0-9-]+)"`)
	// fieldUse is a field that library code names in an error: the first
	// argument of its constructors, or {field} in a message.
	fieldUse = regexp.MustCompile(`(?:field\.Errorf|field\.Wrap|optErr|badField|wrapField|fieldError|Divides)\("([a-z_]+)"|SplitFiles\([^\n]*"([a-z_]+)"\)`)
	// fieldRef is {field} in a string literal.
	strLit   = regexp.MustCompile(`"(?:[^"\\\n]|\\.)*"`)
	comment  = regexp.MustCompile(`(?m)^\s*//.*$`)
	fieldRef = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)
)

// TestFieldsAreFlags: every field that the libraries bench reaches name in
// their errors is a flag of some eval subcommand, dashes for underscores,
// so userMessage's mechanical mapping names a flag the user can give.
func TestFieldsAreFlags(t *testing.T) {
	flags := map[string]bool{}
	for _, f := range sources(t, ".") {
		for _, m := range flagDef.FindAllStringSubmatch(f, -1) {
			flags[m[1]] = true
		}
	}
	// Fields of the commands' options that eval has no flag for: train's
	// resume and its config file, and what train alone checks.
	notEval := []string{"err"}
	seen := 0
	for _, dir := range []string{"bench", "graph", "dist"} {
		for _, f := range sources(t, filepath.Join("..", "..", dir)) {
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
				seen++
				if slices.Contains(notEval, name) {
					continue
				}
				if !flags[strings.ReplaceAll(name, "_", "-")] {
					t.Errorf("%s names field %s, which no bench subcommand has as --%s", dir, name, strings.ReplaceAll(name, "_", "-"))
				}
			}
		}
	}
	if seen < 10 || len(flags) < 20 {
		t.Errorf("found %d field uses and %d flags; the patterns no longer match the source", seen, len(flags))
	}
}

// sources is the text of dir's non-test Go files, without comment lines.
func sources(t *testing.T, dir string) []string {
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, comment.ReplaceAllString(string(b), ""))
	}
	return out
}
