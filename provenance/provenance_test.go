package provenance

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// HashFile gives the sha256 of the bytes (checked against a known digest)
// and never records an absolute path.
func TestHashFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(p, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := HashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" // sha256("abc")
	if f.SHA256 != want {
		t.Errorf("HashFile sha256 = %s, want %s", f.SHA256, want)
	}
	if filepath.IsAbs(f.Path) {
		t.Errorf("HashFile path = %q, want a relative path", f.Path)
	}
	if _, err := HashFile(filepath.Join(dir, "missing.txt")); err == nil {
		t.Error("HashFile of a missing file: no error")
	}
}

// Current names a 40-hex-digit commit inside a git checkout (tests run in one).
func TestCurrent(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("no git checkout here (%v): nothing to compare with", err)
	}
	c := Current()
	if want := strings.TrimSpace(string(head)); c.Commit != want {
		t.Errorf("Current().Commit = %q, want HEAD %q", c.Commit, want)
	}
	if !regexp.MustCompile(`^[0-9a-f]{40,64}$`).MatchString(c.Commit) {
		t.Errorf("Current().Commit = %q, want a hex commit id", c.Commit)
	}
}
