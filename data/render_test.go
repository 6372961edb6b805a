package data

import (
	"strings"
	"testing"
)

func renderSample(t *testing.T, cfg TaskConfig, context int) (Sample, string) {
	t.Helper()
	tsk, err := NewTask(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tsk.SampleAt(0)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := Render(&b, s, tsk.Config(), context); err != nil {
		t.Fatal(err)
	}
	return s, b.String()
}

func TestRender(t *testing.T) {
	cfg := TaskConfig{Name: "detect", Segments: 8, SegmentSize: 256, Seed: 4, Tokenizer: fb}
	s, out := renderSample(t, cfg, 20)
	fact := strings.TrimSpace(fb.Decode(s.IDs[s.Facts[0].Start:s.Facts[0].End]))
	question := strings.TrimSpace(fb.Decode(s.IDs[s.Question.Start:s.Question.End]))
	for _, want := range []string{
		"task detect | 8 segments x 256 tokens = 2048 tokens | answer \"" + s.Answer + "\"",
		"[FACT " + fact + "]",
		"[QUESTION " + question + "]",
		AnswerMarker + " [ANSWER " + s.Answer + "] <eos>",
		"noise tokens skipped",
		"|segment 1|",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Render output lacks %q:\n%s", want, out)
		}
	}
	if len(out) > 1500 {
		t.Errorf("Render with context 20: %d bytes, want the noise abbreviated", len(out))
	}
	// In full, every token of the sample is in the text.
	_, full := renderSample(t, cfg, 0)
	if strings.Contains(full, "skipped") || !strings.Contains(full, "|segment 8|") {
		t.Errorf("Render with context 0 abbreviates or lacks segment marks:\n%s", full)
	}
}

func TestRenderBabiAndLM(t *testing.T) {
	needShared(t, babiDir)
	_, out := renderSample(t, TaskConfig{Name: "babi", BabiTasks: []int{3}, Segments: 16, SegmentSize: 512, BabiDir: babiDir, Tokenizer: fb}, 10)
	if !strings.Contains(out, "[FACT* ") || !strings.Contains(out, "(supporting)") {
		t.Errorf("babi render does not mark supporting facts:\n%s", out)
	}
	needShared(t, booksDir)
	_, out = renderSample(t, TaskConfig{Name: "lm", Segments: 4, SegmentSize: 512, TextDir: booksDir, Tokenizer: fb}, 30)
	if !strings.Contains(out, "language modelling") || !strings.Contains(out, "tokens skipped") {
		t.Errorf("lm render:\n%s", out)
	}
}
