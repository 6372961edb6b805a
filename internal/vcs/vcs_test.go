package vcs

import (
	"os/exec"
	"regexp"
	"strings"
	"testing"
)

// In a git checkout the commit is HEAD's, as git itself says.
func TestCommitIsHead(t *testing.T) {
	head, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skipf("no git checkout here (%v): nothing to compare with", err)
	}
	rev, _ := Commit()
	if want := strings.TrimSpace(string(head)); rev != want {
		t.Errorf("Commit() = %q, want HEAD %q", rev, want)
	}
	if !regexp.MustCompile(`^[0-9a-f]{40,64}$`).MatchString(rev) {
		t.Errorf("Commit() = %q, want a hex commit id", rev)
	}
}
