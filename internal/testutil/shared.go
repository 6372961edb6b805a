// Package testutil finds the read-only ../shared folder (models, fixtures,
// corpus) for tests, which skip with a clear message when it is absent so
// that a fresh clone elsewhere still passes.
package testutil

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Shared returns the path of ../shared/<rel> beside the repository root, or
// skips the test when it is not there.
func Shared(t testing.TB, rel string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	p := filepath.Join(root, "..", "shared", rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("../shared not present (%s): skipping a test that needs the shared models and fixtures", p)
	}
	return p
}

// ReadJSON decodes the JSON file at path into v, failing the test on error.
func ReadJSON(t testing.TB, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
