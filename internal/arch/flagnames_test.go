package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// flagLike is a command-line flag in a string: two dashes and a letter.
var flagLike = regexp.MustCompile(`--[A-Za-z]`)

// notLibrary is where flags belong: the commands and their flag helpers,
// and what is no library (the tests' helpers, the PyTorch example).
var notLibrary = []string{"cmd", "internal/flaghint", "internal/flagdoc", "internal/threadflag", "internal/arch", "internal/testutil", "examples", "testdata"}

// flagsAllowed is the few literals of library code that are command lines
// themselves, not messages: file, and a piece of the literal.
var flagsAllowed = []struct{ file, lit string }{
	{"checkpoints/card.go", "go run ./cmd/"},                  // the model card's usage examples
	{"checkpoints/card.go", "examples/pytorch/rmt_reader.py"}, // likewise
	{"provenance/provenance.go", "--porcelain"},               // git's own flags
	{"provenance/provenance.go", "--untracked-files"},         // likewise
}

// TestLibraryNamesNoFlags: library code speaks of config fields
// (internal/field), never of a command's flags; a command maps fields to
// flags. It lists every string literal of non-test library code that holds
// "--" and a letter.
func TestLibraryNamesNoFlags(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	files := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			for _, n := range notLibrary {
				if rel == n || strings.HasPrefix(d.Name(), ".") && rel != "." {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		files++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil || !flagLike.MatchString(s) || allowedFlag(rel, s) {
				return true
			}
			t.Errorf("%s: %q names a flag; name the config field (internal/field) and let the command map it", fset.Position(lit.Pos()), s)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Errorf("scanned %d library files, want the whole module", files)
	}
}

func allowedFlag(file, lit string) bool {
	for _, a := range flagsAllowed {
		if file == a.file && strings.Contains(lit, a.lit) {
			return true
		}
	}
	return false
}
