package data

import (
	"errors"
	"io"
	"reflect"
	"testing"
)

// drain reads a prompt stream to its end, checking the size of its pieces.
func drain(t *testing.T, p *PromptStream) []int {
	t.Helper()
	var ids []int
	for {
		before := len(ids)
		var err error
		ids, err = p.Next(ids)
		if errors.Is(err, io.EOF) {
			return ids
		}
		if err != nil {
			t.Fatal(err)
		}
		if k := len(ids) - before; k == 0 || k > fillBlock {
			t.Fatalf("a piece of %d tokens, want 1..%d", k, fillBlock)
		}
	}
}

// A streamed prompt is the prompt of the sample SampleAt builds, token for
// token, also when its noise runs are longer than one block; the sample
// built block by block is a well-formed sample.
func TestStreamMatchesSample(t *testing.T) {
	for _, nc := range noiseCases(t) {
		for _, task := range []string{"memorize", "detect", "reasoning"} {
			for _, shape := range [][2]int{{2, 128}, {5, 131}, {12, 1000}} {
				cfg := TaskConfig{Name: task, Segments: shape[0], SegmentSize: shape[1], Seed: 11, NoiseDir: nc.dir, Tokenizer: newFakeWords()}
				tsk, err := NewTask(cfg)
				if err != nil {
					t.Fatal(err)
				}
				for i := range 3 {
					s, err := tsk.SampleAt(i)
					if err != nil {
						t.Fatal(err)
					}
					checkSample(t, cfg, s)
					p, err := tsk.(Streamer).StreamAt(i)
					if err != nil {
						t.Fatal(err)
					}
					got := drain(t, p)
					if !reflect.DeepEqual(got, s.IDs[:s.AnswerStart]) {
						t.Fatalf("%s/%s %v sample %d: the streamed prompt (%d tokens) differs from the sample's (%d)", nc.name, task, shape, i, len(got), s.AnswerStart)
					}
					scored := 0
					for _, m := range s.LabelMask {
						if m {
							scored++
						}
					}
					if p.Answer != s.Answer || p.PromptTokens != s.AnswerStart || p.AnswerTokens != scored {
						t.Fatalf("%s/%s %v sample %d: stream says answer %q, %d prompt and %d answer tokens; the sample %q, %d, %d",
							nc.name, task, shape, i, p.Answer, p.PromptTokens, p.AnswerTokens, s.Answer, s.AnswerStart, scored)
					}
					if _, err := p.Next(nil); !errors.Is(err, io.EOF) {
						t.Fatalf("Next after the end: %v, want io.EOF", err)
					}
				}
			}
		}
	}
}

// bAbI samples are built whole and handed out in pieces.
func TestStreamBabi(t *testing.T) {
	needShared(t, babiDir)
	cfg := TaskConfig{Name: "babi", Segments: 20, SegmentSize: 512, Seed: 2, BabiDir: babiDir, BabiTasks: []int{1, 2}, Tokenizer: fakeBytes{}}
	tsk, err := NewTask(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := tsk.SampleAt(3)
	if err != nil {
		t.Fatal(err)
	}
	p, err := tsk.(Streamer).StreamAt(3)
	if err != nil {
		t.Fatal(err)
	}
	if got := drain(t, p); !reflect.DeepEqual(got, s.IDs[:s.AnswerStart]) || p.Answer != s.Answer {
		t.Fatalf("the streamed bAbI prompt (%d tokens, answer %q) differs from the sample's (%d, %q)", len(got), p.Answer, s.AnswerStart, s.Answer)
	}
}

// A stream closed early gives io.EOF and no more tokens.
func TestStreamClose(t *testing.T) {
	tsk, err := NewTask(TaskConfig{Name: "memorize", Segments: 20, SegmentSize: 1000, Seed: 1, Tokenizer: fakeBytes{}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := tsk.(Streamer).StreamAt(0)
	if err != nil {
		t.Fatal(err)
	}
	if ids, err := p.Next(nil); err != nil || len(ids) == 0 {
		t.Fatalf("first piece: %d tokens, %v", len(ids), err)
	}
	p.Close()
	if ids, err := p.Next(nil); !errors.Is(err, io.EOF) || len(ids) != 0 {
		t.Fatalf("after Close: %d tokens, %v; want none and io.EOF", len(ids), err)
	}
	if _, err := tsk.(Streamer).StreamAt(-1); err == nil {
		t.Error("StreamAt(-1) gave no error")
	}
}
