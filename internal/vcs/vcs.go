// Package vcs says which commit the running binary was built from, so that
// checkpoints and exported folders can name it.
//
//	rev, dirty := vcs.Commit() // "3f2c…", true when the tree had changes
package vcs

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
)

// Commit is the commit the binary was built from and whether the work
// tree had uncommitted changes: from the build's VCS stamp (go build in a
// git checkout), else from git in the source tree it was built from, when
// that is still there (go run, go test and -buildvcs=false carry no
// stamp). "" when neither knows.
func Commit() (rev string, dirty bool) {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
		if rev != "" {
			return rev, dirty
		}
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) { // -trimpath: no source tree to ask
		return "", false
	}
	src := filepath.Dir(file)
	out, err := exec.Command("git", "-C", src, "rev-parse", "HEAD").Output()
	if err != nil {
		return "", false
	}
	status, err := exec.Command("git", "-C", src, "status", "--porcelain", "--untracked-files=no").Output()
	return strings.TrimSpace(string(out)), err == nil && len(strings.TrimSpace(string(status))) > 0
}
