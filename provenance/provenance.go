// Package provenance says what a result was made from: the commit of the
// code (with a dirty flag), and the data files read, by hash. Checkpoints,
// exported folders and evaluation files record these fields under the same
// JSON names (commit, dirty, data_files), so a reader needs one struct.
//
//	c := provenance.Current()                 // commit and dirty flag of this binary
//	f, err := provenance.HashFile("qa1_test.txt") // {path, sha256}
package provenance

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// File is one data file read, by path (relative where possible) and the
// sha256 of its bytes.
type File struct {
	Path   string `json:"path"`
	SHA256 string `json:"sha256"`
}

// Code is the commit the running binary was built from. Commit is empty
// when neither the build nor git can say.
type Code struct {
	Commit string `json:"commit"`
	Dirty  bool   `json:"dirty"`
}

var (
	codeOnce sync.Once
	code     Code
)

// Current returns the commit the running binary was built from and whether
// the work tree had uncommitted changes: from the vcs settings Go stamps
// into builds of a module in a git checkout, else (go run, go test and
// -buildvcs=false stamp none) from git in the source tree the binary was
// built from, when that is still there; never from the working directory,
// which may be another repository. Empty when neither knows.
func Current() Code {
	codeOnce.Do(func() { code = current() })
	return code
}

func current() Code {
	var c Code
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				c.Commit = s.Value
			case "vcs.modified":
				c.Dirty = s.Value == "true"
			}
		}
	}
	if c.Commit != "" {
		return c
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) { // -trimpath: no source tree to ask
		return c
	}
	src := filepath.Dir(file)
	out, err := exec.Command("git", "-C", src, "rev-parse", "HEAD").Output()
	if err != nil {
		return c
	}
	c.Commit = strings.TrimSpace(string(out))
	if st, err := exec.Command("git", "-C", src, "status", "--porcelain", "--untracked-files=no").Output(); err == nil {
		c.Dirty = len(strings.TrimSpace(string(st))) > 0
	}
	return c
}

var (
	hashMu sync.Mutex
	hashes = map[string]string{} // absolute path -> sha256, for files read again
)

// HashFile hashes the file at path; the path recorded is RelPath's.
func HashFile(path string) (File, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return File{}, fmt.Errorf("provenance: %w", err)
	}
	hashMu.Lock()
	sum, ok := hashes[abs]
	hashMu.Unlock()
	if !ok {
		f, err := os.Open(path)
		if err != nil {
			return File{}, fmt.Errorf("provenance: %w", err)
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err != nil {
			return File{}, fmt.Errorf("provenance: %s: %w", path, err)
		}
		sum = hex.EncodeToString(h.Sum(nil))
		hashMu.Lock()
		hashes[abs] = sum
		hashMu.Unlock()
	}
	return File{Path: RelPath(path), SHA256: sum}, nil
}

// HashFiles hashes every path, in order.
func HashFiles(paths ...string) ([]File, error) {
	out := make([]File, 0, len(paths))
	for _, p := range paths {
		f, err := HashFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// RelPath is path relative to the working directory when it lies under it
// or beside it (../shared), else its file name: a machine's absolute paths
// are never recorded (the hash says which file it was).
func RelPath(path string) string {
	if !filepath.IsAbs(path) {
		return filepath.ToSlash(filepath.Clean(path))
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, path); err == nil && !strings.HasPrefix(rel, ".."+string(filepath.Separator)+"..") && rel != ".." {
			return filepath.ToSlash(rel)
		}
	}
	return filepath.Base(path)
}

// Record is what a checkpoint or an exported model was made from, as rmt.json
// holds it (flat, beside the memory shape): the run's seed, the optimizer
// step, the commit with its dirty flag, the data files read by hash and
// the fully resolved run config.
type Record struct {
	Seed      int64           `json:"seed"`
	Step      int             `json:"step"`
	Commit    string          `json:"commit,omitempty"`
	Dirty     bool            `json:"dirty,omitempty"`
	DataFiles []File          `json:"data_files,omitempty"`
	Config    json.RawMessage `json:"config,omitempty"`
}
