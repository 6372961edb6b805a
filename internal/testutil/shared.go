// Package testutil finds the read-only ../shared folder (models, fixtures,
// corpus) for tests, which skip with a clear message when it is absent so
// that a fresh clone elsewhere still passes.
package testutil

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
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
		// CI sets RMT_REQUIRE_SHARED so that the parity tests can never
		// skip there unnoticed.
		if os.Getenv("RMT_REQUIRE_SHARED") != "" {
			t.Fatalf("../shared/%s is missing (%s) and RMT_REQUIRE_SHARED is set", rel, p)
		}
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

// MPIRun is the command mpirun --allow-run-as-root --oversubscribe -np np
// args..., for tests of the data-parallel build; it skips the test when
// mpirun is not installed.
func MPIRun(t testing.TB, np int, args ...string) *exec.Cmd {
	t.Helper()
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("mpirun not found: install openmpi-bin to run the data-parallel tests")
	}
	return exec.Command(mpirun, append([]string{"--allow-run-as-root", "--oversubscribe", "-np", strconv.Itoa(np)}, args...)...)
}
