package train

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/curriculum"
	"github.com/rmtgo/rmt/provenance"
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
	tr, err := c.provenance("")
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

// A checkpoint records its seed, step, commit, resolved config and the
// data files it read (train and validation books, never the eval book), and
// an exported folder carries them: written, exported and read back.
func TestCheckpointProvenance(t *testing.T) {
	books := t.TempDir()
	for i := range 5 {
		text := strings.Repeat(fmt.Sprintf("The lantern %d hung by the old door all night long. ", i), 300)
		if err := os.WriteFile(filepath.Join(books, fmt.Sprintf("book%d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := DefaultConfig()
	c.Curriculum, c.StepsPerStage, c.Threshold = "1", 2, 0
	c.Batch, c.SegmentSize, c.MemTokens, c.Warmup = 1, 72, 2, 0
	c.EvalEvery, c.EvalSamples, c.CheckpointEvery, c.Seed = 2, 2, 2, 11
	c.NoiseDir, c.Out = books, filepath.Join(t.TempDir(), "run")
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), c, Options{}); err != nil {
		t.Fatal(err)
	}
	path, err := checkpoints.Run{Dir: c.Out}.Latest()
	if err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoints.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	exported := filepath.Join(t.TempDir(), "exported")
	if err := checkpoints.Export(ck, exported, checkpoints.ExportOptions{Format: checkpoints.FormatHF}); err != nil {
		t.Fatal(err)
	}
	_, info, err := checkpoints.ReadExport(exported)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]provenance.Record{"checkpoint": ck.RMT.Record, "export": info.Record} {
		if r.Seed != 11 || r.Step != 2 {
			t.Errorf("%s: seed %d step %d, want 11 and 2", name, r.Seed, r.Step)
		}
		var cfg Config
		if err := json.Unmarshal(r.Config, &cfg); err != nil || cfg.Seed != 11 || cfg.NoiseDir != books {
			t.Errorf("%s: config %s (%v), want the resolved run config", name, r.Config, err)
		}
		if code := provenance.Current(); r.Commit != code.Commit || r.Dirty != code.Dirty {
			t.Errorf("%s: commit %q dirty %v, want %q %v", name, r.Commit, r.Dirty, code.Commit, code.Dirty)
		}
		var names []string
		for _, f := range r.DataFiles {
			if len(f.SHA256) != 64 || filepath.IsAbs(f.Path) {
				t.Errorf("%s: data file %+v, want a relative path and a sha256", name, f)
			}
			names = append(names, filepath.Base(f.Path))
		}
		if want := []string{"book0.txt", "book1.txt", "book2.txt", "book3.txt"}; !slices.Equal(names, want) {
			t.Errorf("%s: data files %v, want the train and validation books %v (never book4, the eval book)", name, names, want)
		}
	}
	raw, err := os.ReadFile(filepath.Join(exported, "rmt.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"seed"`, `"step"`, `"commit"`, `"data_files"`, `"sha256"`, `"config"`, `"task"`} {
		if !strings.Contains(string(raw), key) {
			t.Errorf("exported rmt.json lacks %s:\n%s", key, raw)
		}
	}
}
