package provenance

import (
	"os"
	"path/filepath"
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
	c := Current()
	if c.Commit == "" {
		t.Skip("not in a git checkout and no vcs stamp")
	}
	if len(c.Commit) != 40 {
		t.Errorf("Current().Commit = %q, want 40 hex digits", c.Commit)
	}
}
