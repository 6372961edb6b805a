package eval

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCommittedNoAbsolutePaths: no JSON file under results/ names a path of
// the machine it was made on; every path in them is relative.
func TestCommittedNoAbsolutePaths(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "results")
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		raw, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		n++
		walkStrings(v, "", func(key, s string) {
			if filepath.IsAbs(s) || strings.HasPrefix(s, "/") {
				t.Errorf("%s: %s = %q is an absolute path", path, key, s)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no JSON files under %s", root)
	}
}

// walkStrings calls f on every string of a decoded JSON value with its key.
func walkStrings(v any, key string, f func(key, s string)) {
	switch x := v.(type) {
	case string:
		f(key, x)
	case []any:
		for _, e := range x {
			walkStrings(e, key, f)
		}
	case map[string]any:
		for k, e := range x {
			walkStrings(e, k, f)
		}
	}
}
