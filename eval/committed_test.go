package eval

import (
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/internal/testutil"
)

// TestCommittedBabilongFolders: each BABILong folder the README's tables
// come from opens as a checkpoint, with the stories260K tokenizer that its
// rmt.json names by path (the folder holds no copy), records the tasks it
// was trained on, and carries its results and a heatmap that decodes; and
// the qa1 folder, read again on the held-out stories, answers its saved 1k
// cell to the sample.
func TestCommittedBabilongFolders(t *testing.T) {
	corpus := testutil.Shared(t, "corpus")
	testutil.Shared(t, "models/stories260K")
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "results", "babilong")
	for _, name := range []string{"qa1-stories260K", "qa1-room-stories260K", "qa1-5-stories260K", "qa1-5-armt-stories260K"} {
		dir := filepath.Join(root, name)
		ck, err := LoadCheckpoint(dir)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "tokenizer.json")); err == nil {
			t.Errorf("%s holds a tokenizer.json; it names stories260K's by path", name)
		}
		if ck.RMT.TokenizerPath == "" || ck.Tokenizer.VocabSize() != 512 {
			t.Errorf("%s: tokenizer_path %q, %d ids; want stories260K's 512-id tokenizer by path", name, ck.RMT.TokenizerPath, ck.Tokenizer.VocabSize())
		}
		if ck.RMT.Task != "babi" || len(ck.RMT.BabiTasks) == 0 {
			t.Errorf("%s: trained on task %q, bAbI tasks %v; want babi and its tasks", name, ck.RMT.Task, ck.RMT.BabiTasks)
		}
		rep, err := LoadResults(dir)
		if err != nil || rep.Babilong == nil || len(rep.Babilong.Results) == 0 {
			t.Fatalf("%s: saved BABILong results %v, %v", name, rep.Babilong, err)
		}
		f, err := os.Open(filepath.Join(dir, "heatmap.png"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(f); err != nil {
			t.Errorf("%s/heatmap.png: %v", name, err)
		}
		f.Close()
	}

	checkSavedCell(t, corpus, filepath.Join(root, "qa1-stories260K"), 1, "1k")
	// The ARMT folder predates the choice of features: it loads as dpfp and
	// answers as it did.
	armt := filepath.Join(root, "qa1-5-armt-stories260K")
	if ck, err := LoadCheckpoint(armt); err != nil || graph.MemoryOf(ck.Weights).Features != graph.FeaturesDPFP {
		t.Errorf("%s: %v; want it to load with the dpfp features", armt, err)
	}
	checkSavedCell(t, corpus, armt, 1, "1k")
	checkSavedRightCell(t, corpus, filepath.Join(root, "qa1-room-stories260K"))
}

// checkSavedRightCell reads the 0k cell of a folder trained with an answer
// room again as it was measured (GPT-2 units, right alignment with the
// checkpoint's room, held-out stories without duplicates) and compares it
// with the saved cell.
func checkSavedRightCell(t *testing.T, corpus, dir string) {
	t.Helper()
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	if ck.RMT.AnswerRoom != 8 {
		t.Fatalf("%s: answer_room %d, want 8", dir, ck.RMT.AnswerRoom)
	}
	rep, err := LoadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rep.Babilong.Results, func(r BabilongResult) bool { return r.Task == 1 && r.Length == "0k" })
	if i < 0 {
		t.Fatalf("%s has no qa1 0k cell", dir)
	}
	saved := rep.Babilong.Results[i]
	if saved.Data == nil || saved.Data.Align != AlignRight || saved.Data.AnswerRoom != 8 || saved.Units != UnitsGPT2 {
		t.Fatalf("%s: the 0k cell records %+v, units %q; want right alignment with room 8 in GPT-2 units", dir, saved.Data, saved.Units)
	}
	holdout := t.TempDir()
	if _, err := data.WriteBabiHoldoutFiles(filepath.Join(corpus, "babi-train-10k")+":"+filepath.Join(corpus, "babi-train"), []int{1}, holdout, false); err != nil {
		t.Fatal(err)
	}
	got, err := BabilongSweep(ck, BabilongRun{Tasks: []int{1}, Lengths: []string{"0k"}, Samples: []int{saved.Samples}, BabiDir: holdout,
		NoiseDir: filepath.Join(corpus, "books"), Seed: rep.Babilong.Seed, GCPercent: -1, Units: UnitsGPT2, Align: AlignRight})
	if err != nil {
		t.Fatal(err)
	}
	if r := got.Results[0]; r.Correct != saved.Correct || r.Samples != saved.Samples {
		t.Errorf("%s: qa1 0k read again: %d of %d correct; the saved cell says %d of %d", dir, r.Correct, r.Samples, saved.Correct, saved.Samples)
	}
}

// checkSavedCell reads the BABILong cell (task, length) of the folder dir
// again on the held-out stories and compares it with its saved results,
// sample for sample.
func checkSavedCell(t *testing.T, corpus, dir string, qa int, length string) {
	t.Helper()
	ck, err := LoadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := LoadResults(dir)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rep.Babilong.Results, func(r BabilongResult) bool { return r.Task == qa && r.Length == length })
	if i < 0 {
		t.Fatalf("%s has no qa%d %s cell", dir, qa, length)
	}
	saved := rep.Babilong.Results[i]
	holdout := t.TempDir()
	// The committed cells were measured on the held-out share as written
	// before duplicates of training stories were dropped.
	if _, err := data.WriteBabiHoldoutFiles(filepath.Join(corpus, "babi-train-10k")+":"+filepath.Join(corpus, "babi-train"), []int{qa}, holdout, true); err != nil {
		t.Fatal(err)
	}
	n, err := ParseLength(length)
	if err != nil {
		t.Fatal(err)
	}
	task, err := BabilongTask(qa, n, ck.RMT.SegmentSize, holdout, filepath.Join(corpus, "books"), rep.Babilong.Seed, ck.Tokenizer)
	if err != nil {
		t.Fatal(err)
	}
	cell, err := graph.NewCell[float32](ck.Weights, ck.RMT.MemTokens, ck.RMT.SegmentSize, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Babilong(cell, ck.Tokenizer, task, length, saved.Samples, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Correct != saved.Correct || got.Samples != saved.Samples {
		t.Errorf("%s: qa%d at %s read again: %d of %d correct; the saved cell says %d of %d", dir, qa, length, got.Correct, got.Samples, saved.Correct, saved.Samples)
	}
}
