package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/ from what the code computes")

// babiCheckpoint saves the tiny model as trained on bAbI qa1, with
// segments of 96 tokens.
func babiCheckpoint(t *testing.T) string {
	t.Helper()
	return tinyCheckpointWith(t, checkpoints.RMTInfo{MemTokens: 2, SegmentSize: 96, BPTTDepth: -1, Task: "babi", BabiTasks: []int{1}})
}

// babiFolders writes a test split of qa1 and qa2 (hand-made stories) and
// a folder of five books (the fifth is the eval split).
func babiFolders(t *testing.T) (babi, books string) {
	t.Helper()
	babi, books = t.TempDir(), t.TempDir()
	stories := map[string]string{
		"qa1_single-supporting-fact_test.txt": "1 Mary went to the hallway.\n2 John moved to the garden.\n3 Where is Mary? \thallway\t1\n" +
			"1 Sandra went to the office.\n2 Sandra moved to the kitchen.\n3 Where is Sandra? \tkitchen\t2\n",
		"qa2_two-supporting-facts_test.txt": "1 Mary got the apple there.\n2 Mary went to the garden.\n3 Where is the apple? \tgarden\t1 2\n",
	}
	for name, text := range stories {
		if err := os.WriteFile(filepath.Join(babi, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	line := "The rain came down over the hills and the road ran on to the sea where the boats were drawn up.\n"
	for i := range 5 {
		if err := os.WriteFile(filepath.Join(books, fmt.Sprintf("book%d.txt", i)), []byte(strings.Repeat(line, 200)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return babi, books
}

// The command's JSON against a golden file (the fields that measure time
// and memory cleared, the folders made relative), the heatmap a PNG, the
// results beside the checkpoint and readable by compare, the untrained
// task named.
func TestBabilongCommand(t *testing.T) {
	ck := babiCheckpoint(t)
	babi, books := babiFolders(t)
	heat := filepath.Join(t.TempDir(), "heat.png")
	var out, log bytes.Buffer
	args := []string{"--checkpoint", ck, "--babi-dir", babi, "--noise-dir", books, "--tasks", "1,2", "--lengths", "0k,1k", "--samples", "3,2",
		"--seed", "7", "--progress", "0", "--plot", heat, "--units", "model"}
	if err := babilong(job{}, &out, &log, append(args, "--json")); err != nil {
		t.Fatal(err)
	}
	var rep eval.BabilongReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v in %s", err, out.String())
	}
	if !strings.Contains(log.String(), "not trained on") {
		t.Errorf("evaluating qa2 on a qa1 checkpoint does not say so:\n%s", log.String())
	}
	checkPNG(t, heat)
	for i := range rep.Results {
		r := &rep.Results[i]
		if r.Seconds <= 0 || r.TokensPerSecond <= 0 || r.PeakRSSMB <= 0 || r.TokensRead <= 0 {
			t.Errorf("row %+v: no time, speed, memory or tokens measured", *r)
		}
		r.Seconds, r.TokensPerSecond, r.PeakRSSMB, r.SettledRSSMB, r.HeapMB = 0, 0, 0, 0, 0
		if r.Data == nil || r.Command == "" || r.Units != eval.UnitsModel {
			t.Errorf("row %s: data %v, command %q, units %q; want the data, the command line and units model recorded", r.Length, r.Data, r.Command, r.Units)
		}
		r.Command, r.Commit, r.Dirty = "", "", false // change with the checkout
	}
	rep.Checkpoint, rep.BabiDir, rep.NoiseDir = filepath.Base(rep.Checkpoint), "BABI", "BOOKS"
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "babilong.golden.json")
	if *update {
		if err := os.WriteFile(golden, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if string(got)+"\n" != string(want) {
		t.Errorf("JSON differs from %s:\n%s\nwant:\n%s", golden, got, want)
	}
	// Shape checks that do not lean on the golden file.
	if rep.Memory != "rmt" || fmt.Sprint(rep.TrainedTasks) != "[1]" || fmt.Sprint(rep.Untrained) != "[2]" || len(rep.Results) != 4 {
		t.Errorf("report %+v, want memory rmt, trained [1], untrained [2], 4 rows", rep)
	}
	for _, r := range rep.Results {
		if r.Length == "1k" && (r.Tokens != 1024 || r.Segments != 11 || r.Samples != 2) {
			t.Errorf("1k row %+v, want 1,024 tokens in 11 segments of 96, 2 samples", r)
		}
		if r.Length == "0k" && (r.Tokens >= 96 || r.Segments != 1 || r.Samples != 3) {
			t.Errorf("0k row %+v, want a story shorter than a segment, 3 samples", r)
		}
	}

	saved, err := eval.LoadResults(ck)
	if err != nil || saved.Babilong == nil || len(saved.Babilong.Results) != 4 {
		t.Fatalf("saved beside the checkpoint: %v, %+v", err, saved)
	}
	var cmp bytes.Buffer
	if err := compare(&cmp, []string{ck}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(cmp.String(), "BABILong accuracy at 1k") || !strings.Contains(cmp.String(), "qa2") {
		t.Errorf("compare does not show the BABILong rows:\n%s", cmp.String())
	}
	// compare draws several runs' BABILong results as one heatmap.
	both := filepath.Join(t.TempDir(), "both.png")
	if err := compare(&cmp, []string{"--plot", both, "--names", "RMT,again", ck, ck}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, both)
	if err := compare(&cmp, []string{"--plot", both, "--names", "one", ck, ck}); err == nil || !strings.Contains(err.Error(), "--names") {
		t.Errorf("one name for two runs: error %v", err)
	}
	// --saved prints and draws what was saved, evaluating nothing.
	heat2 := filepath.Join(t.TempDir(), "saved.png")
	out.Reset()
	if err := babilong(job{}, &out, &log, []string{"--checkpoint", ck, "--saved", "--plot", heat2}); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, heat2)
	if !strings.Contains(out.String(), "qa2 (not trained on)") {
		t.Errorf("--saved table:\n%s", out.String())
	}
	// The table: tasks as rows, lengths as columns, an average row.
	out.Reset()
	if err := babilong(job{}, &out, &log, append(args, "--save=false")); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"qa1", "qa2 (not trained on)", "average", "words / sample", "tokens/s", "peak RSS MiB"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, out.String())
		}
	}
}

// Bad flags and a folder without the test split fail with an error naming
// what is wrong, before any evaluation.
func TestBabilongFlags(t *testing.T) {
	ck := babiCheckpoint(t)
	babi, books := babiFolders(t)
	train := t.TempDir()
	os.WriteFile(filepath.Join(train, "qa1_single-supporting-fact_train.txt"), []byte("1 Mary went to the hallway.\n2 Where is Mary? \thallway\t1\n"), 0o644)
	base := []string{"--checkpoint", ck, "--noise-dir", books, "--progress", "0", "--save=false"}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown length", []string{"--babi-dir", babi, "--lengths", "0k,3x"}, `--lengths: unknown length "3x"`},
		{"length without unit", []string{"--babi-dir", babi, "--lengths", "1024"}, `unknown length "1024"`},
		{"task outside 1-20", []string{"--babi-dir", babi, "--tasks", "1,21"}, "--tasks: data: bAbI task 21: want 1 to 20"},
		{"tasks 0,6 name --tasks", []string{"--babi-dir", babi, "--tasks", "0,6"}, "--tasks: data: bAbI task 0: want 1 to 20"},
		{"samples of the wrong size", []string{"--babi-dir", babi, "--lengths", "0k,1k,2k", "--samples", "5,5"}, "one per --lengths entry (3)"},
		{"no samples", []string{"--babi-dir", babi, "--samples", "0"}, "--samples 0, want at least 1"},
		{"no test file", []string{"--babi-dir", train, "--lengths", "0k"}, "has no qa1_*_test.txt file; evaluation reads the bAbI test split only"},
		{"no babi dir", nil, "--babi-dir is required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := babilong(job{}, &bytes.Buffer{}, &bytes.Buffer{}, append(append([]string{}, base...), tc.args...))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "--babi-task") {
				t.Errorf("error %v names --babi-task, a flag of train; eval babilong has --tasks", err)
			}
		})
	}
}

// babi-holdout writes a folder that babilong reads as a test split.
func TestBabiHoldoutCommand(t *testing.T) {
	train := t.TempDir()
	var b strings.Builder
	for k := range 20 {
		fmt.Fprintf(&b, "1 Mary went to the room%d.\n2 Where is Mary? \troom%d\t1\n", k, k)
	}
	os.WriteFile(filepath.Join(train, "qa1_single-supporting-fact_train.txt"), []byte(b.String()), 0o644)
	out := filepath.Join(t.TempDir(), "holdout")
	var msg bytes.Buffer
	if err := babiHoldout(&msg, []string{"--babi-dir", train, "--tasks", "1", "--out", out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.String(), "qa1_single-supporting-fact_test.txt: 2 questions") {
		t.Errorf("babi-holdout said %q, want the file and its 2 questions (stories 9 and 19 of 20)", msg.String())
	}
	stories, _, err := data.ReadBabiShare(out, 1, data.BabiTest)
	if err != nil || len(stories) != 2 || stories[0].Lines[0].Text != "Mary went to the room9." {
		t.Errorf("the written test split: %v, %+v", err, stories)
	}
}
