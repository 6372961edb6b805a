package train

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/curriculum"
)

// A run records its seed, curriculum and commit, and the name, size and
// SHA-256 of every data file it reads: the bAbI training files of its
// tasks and the noise books, not the other files beside them.
func TestProvenance(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"babi/qa1_single-supporting-fact_train.txt": "1 Mary went to the garden.\n",
		"babi/qa1_single-supporting-fact_test.txt":  "not read in training\n",
		"babi/qa3_three-supporting-facts_train.txt": "not asked for\n",
		"babi/qa2_two-supporting-facts_train.txt":   "1 John got the ball.\n",
		"books/a.txt": "abc",
		"books/b.md":  "not a .txt file",
	}
	for name, text := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := DefaultConfig()
	c.Task, c.BabiTask, c.BabiDir, c.NoiseDir, c.Seed = "babi", "1,2", filepath.Join(dir, "babi"), filepath.Join(dir, "books"), 5
	c.Stages = []curriculum.Stage{{Segments: 1, BPTTDepth: -1, Steps: 10, LR: 1e-3}, {Segments: 4, BPTTDepth: 2, Steps: 20, LR: 5e-4}}
	tr, err := c.provenance()
	if err != nil {
		t.Fatal(err)
	}
	wantData := []checkpoints.DataFile{
		{Name: "babi/qa1_single-supporting-fact_train.txt", Bytes: 27},
		{Name: "babi/qa2_two-supporting-facts_train.txt", Bytes: 21},
		{Name: "books/a.txt", Bytes: 3, SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	if len(tr.Data) != len(wantData) {
		t.Fatalf("data %+v, want %d files", tr.Data, len(wantData))
	}
	for i, w := range wantData {
		g := tr.Data[i]
		if g.Name != w.Name || g.Bytes != w.Bytes || len(g.SHA256) != 64 || (w.Name == "books/a.txt" && g.SHA256 != w.SHA256) {
			t.Errorf("data file %d = %+v, want %+v", i, g, w)
		}
	}
	wantStages := []checkpoints.Stage{{Segments: 1, BPTTDepth: -1, Steps: 10, LR: 1e-3}, {Segments: 4, BPTTDepth: 2, Steps: 20, LR: 5e-4}}
	if tr.Seed != 5 || !reflect.DeepEqual(tr.Curriculum, wantStages) {
		t.Errorf("seed %d curriculum %+v, want 5 and %+v", tr.Seed, tr.Curriculum, wantStages)
	}
	if head, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil && tr.Commit != strings.TrimSpace(string(head)) {
		t.Errorf("commit %q, want HEAD %s", tr.Commit, head)
	}
}
