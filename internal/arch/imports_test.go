package arch

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/rmtgo/rmt/"

// allowed lists, per package of the module (by path below the module; a
// trailing / covers the packages under it), the packages of the module it
// may import outside tests: the rooms of docs/architecture.md, lowest
// first. A package missing here fails the test until it is placed.
var allowed = map[string][]string{
	"graph/kernels/":      {"graph/kernels/"},
	"graph/kernels":       {"graph/kernels/"},
	"graph":               {"graph/kernels"},
	"data":                {"data/"},
	"data/":               {"data/"},
	"curriculum":          {},
	"dist":                {},
	"provenance":          {},
	"internal/table":      {},
	"internal/testutil":   {},
	"internal/arch":       {},
	"examples/pytorch":    {}, // tests only: the PyTorch reader's parity with Go
	"internal/threadflag": {"graph/kernels"},
	"internal/flaghint":   {},
	"internal/flagdoc":    {},
	"checkpoints":         {"graph", "data", "provenance"},
	"bench":               {"graph", "graph/kernels", "data", "checkpoints", "dist"},
	"eval":                {"graph", "graph/kernels", "data", "checkpoints", "dist", "bench", "provenance"},
	"train":               {"graph", "graph/kernels", "data", "curriculum", "checkpoints", "dist", "eval", "bench", "internal/table", "provenance"},
	"sweep":               {"data", "curriculum", "checkpoints", "dist", "eval", "train", "internal/table"},
	"cmd/export":          {"checkpoints"},
	"cmd/train":           {"train", "sweep", "dist", "internal/threadflag", "internal/flaghint"},
	// The commands reach graph and data only through the rooms above them.
	"cmd/eval":  {"eval", "dist", "internal/", "provenance"},
	"cmd/bench": {"bench", "train", "eval", "dist", "internal/"}, // train: the data-parallel step
}

// rule is the allowed list of package p: its own entry, else the entry of
// the nearest folder above it that ends in /.
func rule(p string) ([]string, bool) {
	if r, ok := allowed[p]; ok {
		return r, true
	}
	for dir := p; dir != "."; dir = filepath.Dir(dir) {
		if r, ok := allowed[filepath.Dir(dir)+"/"]; ok {
			return r, true
		}
	}
	return nil, false
}

func permits(r []string, imp string) bool {
	return slices.ContainsFunc(r, func(a string) bool {
		return imp == a || (strings.HasSuffix(a, "/") && strings.HasPrefix(imp, a))
	})
}

// TestImportRules checks every package's imports (go list) against allowed.
func TestImportRules(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	root := filepath.Join("..", "..")
	statSources(t, root)
	cmd := exec.Command("go", append(append([]string{"list"}, listTags...), "-json", "./...")...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	dec := json.NewDecoder(bytes.NewReader(out))
	seen := 0
	for {
		var p struct {
			ImportPath string
			Imports    []string
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		name, ok := strings.CutPrefix(p.ImportPath, module)
		if !ok {
			continue
		}
		seen++
		r, ok := rule(name)
		if !ok {
			t.Errorf("%s has no import rule: place it in a room (docs/architecture.md and allowed here)", name)
			continue
		}
		for _, imp := range p.Imports {
			if in, ok := strings.CutPrefix(imp, module); ok && !permits(r, in) {
				t.Errorf("%s imports %s, which its room may not (allowed: %v)", name, in, r)
			}
		}
	}
	if seen < 10 {
		t.Errorf("go list gave %d packages of the module, want the whole module", seen)
	}
}

// statSources stats every Go file of the module, so that go test's cache,
// which does not see what go list reads, reruns the test when one changes.
func statSources(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && (strings.HasSuffix(path, ".go") || d.Name() == "go.mod") {
			_, err = os.Stat(path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRulePermits checks the rule matching itself: a folder entry covers
// what is below it, an exact entry only itself.
func TestRulePermits(t *testing.T) {
	if !permits([]string{"internal/"}, "internal/table") || permits([]string{"graph"}, "graph/kernels") || permits([]string{"data"}, "dataset") {
		t.Error("permits matches wrongly")
	}
	if r, ok := rule("graph/kernels/internal/avx"); !ok || !slices.Equal(r, []string{"graph/kernels/"}) {
		t.Errorf("rule(graph/kernels/internal/avx) = %v, %v; want graph/kernels/'s", r, ok)
	}
	if _, ok := rule("newroom"); ok {
		t.Error("a package without an entry has a rule")
	}
}
