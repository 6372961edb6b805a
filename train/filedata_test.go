package train

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
)

// qaFile writes n question lines whose contexts grow with the line number
// (about 20 to 20+5n bytes).
func qaFile(t *testing.T, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"id":"s%d","context":"%s Mary went to the hall.","question":"Where is Mary?","answer":"hall"}`+"\n", i, strings.Repeat("la ", 2*i))
	}
	p := filepath.Join(t.TempDir(), "qa.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTrainQAFile: task qa trains on a JSONL file through a curriculum;
// the log gives each stage's drawable lines, and the validation samples
// are held-out lines, the same in a second run and after a resume.
func TestTrainQAFile(t *testing.T) {
	c := tinyConfig(t, "1,2", 2)
	c.Task, c.Data, c.SegmentSize, c.Batch = "qa", qaFile(t, 60), 64, 2
	log := runScripted(t, c, acc(0.5))
	for _, want := range []string{"data: stage 1 (1 segments) draws from", "data: stage 2 (2 segments) draws from", "validation lines from"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	val := func(cfg Config) string {
		tr := &trainer{cfg: cfg, opt: Options{Log: &bytes.Buffer{}}, tok: data.NewByteTokenizer()}
		v, err := tr.valSamples(2)
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		for _, s := range v {
			fmt.Fprintln(&sb, s.IDs)
		}
		return sb.String()
	}
	first := val(c)
	var saved Config
	if err := LoadConfigFile(filepath.Join(c.Out, "config.json"), &saved); err != nil {
		t.Fatal(err)
	}
	if val(saved) != first || first == "" {
		t.Fatal("the resumed run's validation samples differ from the first run's")
	}
	// The resumed run itself runs.
	c2 := saved
	var buf bytes.Buffer
	s := &scripted{vals: acc(0.5)}
	if err := run(context.Background(), &trainer{cfg: c2, opt: Options{Log: &buf, Resume: true}, validate: s.validate, load: tinyModel}); err != nil {
		t.Fatalf("resume: %v\n%s", err, buf.String())
	}
}

// TestTrainQAStageTooShort: a stage that no line fits is an error naming
// the stage and the shortest line; --val-data and --val-share are checked.
func TestTrainQAStageTooShort(t *testing.T) {
	c := tinyConfig(t, "1,2", 2)
	c.Task, c.Data, c.SegmentSize = "qa", qaFile(t, 10), 16
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	s := &scripted{vals: acc(0.5)}
	err := run(context.Background(), &trainer{cfg: c, opt: Options{}, validate: s.validate, load: tinyModel})
	if err == nil || !strings.Contains(err.Error(), "stage 1 (1 segments)") || !strings.Contains(err.Error(), "the shortest, "+c.Data+" line 1") {
		t.Fatalf("error %v, want one naming stage 1 and the shortest line", err)
	}
	for _, bad := range []func(*Config){
		func(c *Config) { c.ValShare = 1 },
		func(c *Config) { c.Data = "" },
		func(c *Config) { c.Task = "babi"; c.BabiDir = "x" },
	} {
		c := tinyConfig(t, "1", 2)
		c.Task, c.Data = "qa", "f.jsonl"
		bad(&c)
		if err := c.Resolve(); err == nil {
			t.Errorf("config %+v resolved", c)
		}
	}
}

// TestTrainSmallFile: a file too small for a validation share still
// trains, validating on training lines with a warning.
func TestTrainSmallFile(t *testing.T) {
	c := tinyConfig(t, "1", 2)
	c.Task, c.Data, c.SegmentSize, c.ValShare = "qa", qaFile(t, 3), 64, 0
	log := runScripted(t, c, acc(0.5))
	if !strings.Contains(log, "warning: no validation line fits") {
		t.Fatalf("no warning:\n%s", log)
	}
}

// TestTrainSmallTextDir: an lm folder of 3 files (no file for the
// every-5th eval split) trains, with a warning.
func TestTrainSmallTextDir(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		text := strings.Repeat(fmt.Sprintf("Line %d of a document that goes on.\n", i), 400)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("d%d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := tinyConfig(t, "1", 2)
	c.Task, c.TextDir, c.MemStability = "lm", dir, 0
	log := runScripted(t, c, []eval.Validation{{Accuracy: -1, Loss: 2}})
	if !strings.Contains(log, "warning: data: text_dir") {
		t.Fatalf("no warning:\n%s", log)
	}
}

// TestAnswerOnlyLoss: what a training step scores of a qa sample is the
// predictions of its answer tokens and EOS, nothing of the context or
// question.
func TestAnswerOnlyLoss(t *testing.T) {
	p := qaFile(t, 5)
	task, err := data.NewTask(data.TaskConfig{Name: "qa", Segments: 4, SegmentSize: 32, DataFiles: []string{p}, Tokenizer: data.NewByteTokenizer()})
	if err != nil {
		t.Fatal(err)
	}
	s, err := task.SampleAt(0)
	if err != nil {
		t.Fatal(err)
	}
	seq := eval.SequenceOf(s)
	for pos, scored := range seq.Score[0] {
		// The prediction at pos is of token pos+1.
		want := pos+1 >= s.AnswerStart && pos+1 < len(s.IDs)
		if scored != want {
			t.Fatalf("prediction at %d scored %v, want %v (answer from %d of %d)", pos, scored, want, s.AnswerStart, len(s.IDs))
		}
	}
	if n := scoredPredictions(seq); n != len(" hall")+1 {
		t.Fatalf("%d scored predictions, want the answer's %d and EOS", n, len(" hall"))
	}
}

// TestTrainLMData: task lm trains on the text lines of a JSONL file, long
// ones cut to windows of the stage's length, short ones whole.
func TestTrainLMData(t *testing.T) {
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, `{"text":"%s"}`+"\n", strings.Repeat(fmt.Sprintf("Line %d of a text. ", i), 1+i%12))
	}
	p := filepath.Join(t.TempDir(), "text.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := tinyConfig(t, "1,2", 2)
	c.Task, c.Data, c.SegmentSize, c.Batch, c.MemStability = "lm", p, 64, 2, 0
	log := runScripted(t, c, []eval.Validation{{Accuracy: -1, Loss: 2}})
	if !strings.Contains(log, "data: stage 2 (2 segments) draws from") {
		t.Fatalf("log:\n%s", log)
	}
}

// TestTrainQAVaryNoShortLines: with --vary-segments, a stage whose
// shorter counts no line fits draws those micro-batches from the next
// count that has lines.
func TestTrainQAVaryNoShortLines(t *testing.T) {
	var b strings.Builder
	for i := range 30 {
		fmt.Fprintf(&b, `{"id":"l%d","context":"%s","question":"Where is Mary?","answer":"hall"}`+"\n", i, strings.Repeat("la ", 30+i%5))
	}
	p := filepath.Join(t.TempDir(), "long.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c := tinyConfig(t, "3", 4)
	c.Task, c.Data, c.SegmentSize, c.VarySegments, c.ValShare = "qa", p, 64, true, 0.2 // every line needs 2 segments
	log := runScripted(t, c, acc(0.5))
	if !strings.Contains(log, "draws from") || !strings.Contains(log, "2 seg:") {
		t.Fatalf("log:\n%s", log)
	}
}
