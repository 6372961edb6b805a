package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
)

// TestShowSampleRenders: ShowSample draws the sample that data's task of
// the same config draws, and writes what data.Render writes.
func TestShowSampleRenders(t *testing.T) {
	var got bytes.Buffer
	n, err := ShowSample(&got, SampleSpec{Task: "memorize", Segments: 2, SegmentSize: 96, Seed: 3, Index: 1, BabiTasks: "1",
		Split: SplitTrain, EvalEvery: DefaultEvalEvery, Context: 8})
	if err != nil {
		t.Fatal(err)
	}
	task, err := data.NewTask(data.TaskConfig{Name: "memorize", Segments: 2, SegmentSize: 96, Seed: 3, BabiTasks: []int{1},
		Split: data.SplitTrain, EvalEvery: data.DefaultEvalEvery, Tokenizer: data.NewByteTokenizer()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := task.SampleAt(1)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := data.Render(&want, s, task.Config(), 8); err != nil {
		t.Fatal(err)
	}
	if got.String() != want.String() || n != len(s.IDs) {
		t.Errorf("ShowSample wrote %d tokens:\n%s\nwant %d:\n%s", n, got.String(), len(s.IDs), want.String())
	}
	if _, err := ShowSample(&got, SampleSpec{Task: "memorize", Segments: 2, SegmentSize: 96, BabiTasks: "0"}); err == nil {
		t.Error("bAbI task 0 accepted")
	}
}

// TestTextWindowsConfig: --all-files reads every file, and windows from a
// JSONL file are Segments x SegmentSize tokens long.
func TestTextWindowsConfig(t *testing.T) {
	dir := t.TempDir()
	line := strings.Repeat("The road ran on to the sea where the boats were drawn up. ", 40) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte(strings.Repeat(line, 20)), 0o644); err != nil {
		t.Fatal(err)
	}
	task, err := TextWindows{Dir: dir, AllFiles: true, Segments: 2, SegmentSize: 32, Seed: 1}.Task(data.NewByteTokenizer())
	if err != nil {
		t.Fatal(err)
	}
	if c := task.Config(); c.EvalEvery != -1 || c.Split != data.SplitEval || c.Length() != 64 {
		t.Errorf("--all-files config %+v, want every file (-1), the eval split and 64 tokens", c)
	}
	file := filepath.Join(dir, "text.jsonl")
	if err := os.WriteFile(file, []byte(`{"text": "`+strings.Repeat("a long line of text ", 20)+`"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	task, err = TextWindows{Dir: dir, Data: file, Segments: 2, SegmentSize: 16}.Task(data.NewByteTokenizer())
	if err != nil {
		t.Fatal(err)
	}
	if c := task.Config(); c.TextDir != "" || c.ValData != file || c.Tokens != 32 {
		t.Errorf("--data config %+v, want no folder, the file and 32 tokens", c)
	}
}
