package data

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A binary or non-UTF-8 file in a text folder is refused naming the file
// and the byte, before any sample is drawn; a character cut by the window
// at the end of a big file is no error.
func TestTextFolderRefusesBinary(t *testing.T) {
	good := strings.Repeat("The rain came down over the hills. Café au lait, naïve señor. ", 3000) // > 128 KiB, multi-byte
	for _, tc := range []struct {
		name, body, want string
	}{
		{"nul", "Hello.\x00\x01\x02 binary", "a NUL byte at byte 6"},
		{"latin1", "Caf\xe9 au lait.", "invalid byte 0xe9 at byte 3"},
		{"tail", good + "end \xff\xfe", "invalid byte 0xff at byte " + strconv.Itoa(len(good)+4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, n := range []string{"a.txt", "b.txt"} {
				os.WriteFile(filepath.Join(dir, n), []byte(good), 0o644)
			}
			bad := filepath.Join(dir, "c.txt")
			os.WriteFile(bad, []byte(tc.body), 0o644)
			_, _, err := SplitFiles(dir, SplitTrain, -1, "noise_dir")
			if err == nil || !strings.Contains(err.Error(), "noise_dir: "+bad+" is not UTF-8 text ("+tc.want+")") {
				t.Errorf("SplitFiles with %s = %v; want it refused naming %s and %q", tc.name, err, bad, tc.want)
			}
		})
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte(good), 0o644)
	if _, _, err := SplitFiles(dir, SplitTrain, -1, "text_dir"); err != nil {
		t.Errorf("SplitFiles of UTF-8 text = %v", err)
	}
}

// An empty split's hint names what helps: more files, or the command whose
// --eval-every takes -1 (train's --eval-every is something else and refuses it).
func TestEmptySplitHint(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Some text."), 0o644)
	_, _, err := SplitFiles(dir, SplitEval, 0, "noise_dir")
	if err == nil || !strings.Contains(err.Error(), "add files, or give eval sample eval_every -1") {
		t.Errorf("SplitFiles of one file, eval split = %v; want a hint to add files or where -1 is accepted", err)
	}
}
