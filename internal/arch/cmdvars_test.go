package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommandsHoldNoPackageVariables: a command passes what it parsed from
// its flags to its subcommands as values, never through package variables
// (its tests may keep some).
func TestCommandsHoldNoPackageVariables(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", "cmd", "*", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.VAR {
				t.Errorf("%s: a package variable; pass the value to the functions that need it", fset.Position(g.Pos()))
			}
		}
	}
	if checked < 10 {
		t.Errorf("checked %d files of cmd/*, want every command's", checked)
	}
}
