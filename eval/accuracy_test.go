package eval

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

func memorizeTask(t *testing.T, n, S int) data.Task {
	t.Helper()
	task, err := data.NewTask(data.TaskConfig{Name: "memorize", Segments: n, SegmentSize: S, Seed: 11,
		Split: data.SplitEval, Tokenizer: data.NewByteTokenizer()})
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// TestAccuracyCountsAnswers: Accuracy's count is Answer's over the same
// samples, with the Wilson interval of that count, and a progress report
// sees every token of every sample.
func TestAccuracyCountsAnswers(t *testing.T) {
	const S, M, samples = 96, 2, 3
	w := tinyRMT(t, "llama", M)
	cell, err := graph.NewCell[float32](w, M, S, false)
	if err != nil {
		t.Fatal(err)
	}
	tok := data.NewByteTokenizer()
	for _, n := range []int{1, 3} {
		task := memorizeTask(t, n, S)
		var buf bytes.Buffer
		p := NewProgress(&buf, "test", samples, int64(samples*n*S), time.Nanosecond)
		r, err := Accuracy(cell, tok, task, samples, p)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := 0; i < samples; i++ {
			s, err := task.SampleAt(i)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok, err := Answer(cell, tok, s); err != nil {
				t.Fatal(err)
			} else if ok {
				want++
			}
		}
		lo, hi := WilsonInterval(want, samples)
		if r.Segments != n || r.Tokens != n*S || r.Samples != samples || r.Correct != want ||
			r.Accuracy != float64(want)/samples || r.CILow != lo || r.CIHigh != hi || r.Seed != 11 || r.SecondsPerSample <= 0 {
			t.Errorf("Accuracy at %d segments = %+v, want %d/%d correct, interval [%v, %v]", n, r, want, samples, lo, hi)
		}
		if p.doneS != samples || p.doneT != int64(samples*n*S) {
			t.Errorf("progress saw %d samples and %d tokens, want %d and %d", p.doneS, p.doneT, samples, samples*n*S)
		}
		if !strings.Contains(buf.String(), "samples") {
			t.Errorf("no progress line written: %q", buf.String())
		}
	}
	if _, err := Accuracy(cell, tok, memorizeTask(t, 1, S), 0, nil); err == nil {
		t.Errorf("Accuracy with 0 samples = nil error, want one")
	}
}

// relabeled is a task whose samples carry the answers given, so that a
// test can make some of an untrained model's answers right.
type relabeled struct {
	data.Task
	answers []string
}

func (r relabeled) SampleAt(i int) (data.Sample, error) {
	s, err := r.Task.SampleAt(i)
	s.Answer = r.answers[i]
	return s, err
}

// An untrained model answers none right, so counting is checked on a task
// relabeled with the model's own answers for samples 0 and 2: two of three.
func TestAccuracyCountsRightAnswers(t *testing.T) {
	const S, M = 96, 2
	w := tinyRMT(t, "llama", M)
	cell, err := graph.NewCell[float32](w, M, S, false)
	if err != nil {
		t.Fatal(err)
	}
	tok := data.NewByteTokenizer()
	task := memorizeTask(t, 2, S)
	answers := ownAnswers(t, cell, tok, task, 3)
	answers[1] += " and something else"
	r, err := Accuracy(cell, tok, relabeled{task, answers}, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Correct != 2 || math.Abs(r.Accuracy-2.0/3) > 1e-12 {
		t.Errorf("Accuracy = %d correct (%v), want 2 of 3", r.Correct, r.Accuracy)
	}
	v, err := Validate(cell, tok, []data.Sample{relabel(t, task, 0, answers[0]), relabel(t, task, 1, answers[1])})
	if err != nil {
		t.Fatal(err)
	}
	if v.Accuracy != 0.5 || v.Samples != 2 || !(v.Loss > 0) {
		t.Errorf("Validate = %+v, want accuracy 0.5 of 2 samples and a positive loss", v)
	}
}

// ownAnswers is the model's answers to samples 0..n-1 of task.
func ownAnswers(t *testing.T, cell *graph.Cell[float32], tok data.Tokenizer, task data.Task, n int) []string {
	t.Helper()
	answers := make([]string, n)
	for i := range answers {
		s, err := task.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		if answers[i], _, err = Answer(cell, tok, s); err != nil {
			t.Fatal(err)
		}
	}
	return answers
}

func relabel(t *testing.T, task data.Task, i int, answer string) data.Sample {
	t.Helper()
	s, err := task.SampleAt(i)
	if err != nil {
		t.Fatal(err)
	}
	s.Answer = answer
	return s
}

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	p := NewProgress(&buf, "accuracy 4096 seg", 100, 100*2097152, 5*time.Second)
	clock := p.start
	p.now = func() time.Time { return clock }
	clock = clock.Add(time.Second)
	p.Tokens(1000)
	if buf.Len() != 0 {
		t.Errorf("reported after 1 s with a 5 s interval: %q", buf.String())
	}
	clock = clock.Add(9 * time.Second) // 10 s: 2,000,000 tokens at 200k tok/s
	p.Tokens(2097152 - 1000)
	p.Sample()
	got := strings.TrimSpace(buf.String())
	// 209,715,200 - 2,097,152 tokens left at 209,715.2 tok/s is 990 s.
	want := "accuracy 4096 seg | 0/100 samples | 2.1M/209.7M tokens | 209.7k tok/s | ~16m30s left"
	if got != want {
		t.Errorf("progress line\n got %q\nwant %q", got, want)
	}
	if strings.Count(buf.String(), "\n") != 1 {
		t.Errorf("two reports within the interval: %q", buf.String())
	}

	// A file's samples have no known total: the time left comes from the
	// samples still to read, never a negative guess from a zero total.
	buf.Reset()
	f := NewProgress(&buf, "accuracy data.jsonl", 200, 0, 5*time.Second)
	fclock := f.start
	f.now = func() time.Time { return fclock }
	for range 50 {
		f.Sample()
	}
	fclock = fclock.Add(10 * time.Second)
	f.Tokens(100000)
	want = "accuracy data.jsonl | 50/200 samples | 100.0k tokens | 10.0k tok/s | ~30s left"
	if got := strings.TrimSpace(buf.String()); got != want {
		t.Errorf("progress line of a file\n got %q\nwant %q", got, want)
	}

	var quiet *Progress = NewProgress(&buf, "x", 1, 1, 0)
	quiet.Tokens(5) // nil: no-op, no panic
	quiet.Sample()
}

// streamOnly is a task that refuses to build whole samples.
type streamOnly struct{ data.Streamer }

func (streamOnly) SampleAt(int) (data.Sample, error) {
	return data.Sample{}, errors.New("a whole sample was built")
}

// Accuracy reads a streaming task's samples as they are made and never
// asks for a whole one; the answers are those of the whole samples, also
// for a sample longer than one noise block.
func TestAccuracyStreams(t *testing.T) {
	for _, kind := range []string{graph.KindRMT, graph.KindARMT} {
		t.Run(kind, func(t *testing.T) { testAccuracyStreams(t, kind) })
	}
}

func testAccuracyStreams(t *testing.T, kind string) {
	const S, M, n, samples = 96, 2, 100, 2 // 9,600 tokens: more than one noise block
	w := tinyMemory(t, kind, "llama", M)
	cell, err := graph.NewCell[float32](w, M, S, false)
	if err != nil {
		t.Fatal(err)
	}
	tok := data.NewByteTokenizer()
	task := memorizeTask(t, n, S).(data.Streamer)
	r, err := Accuracy(cell, tok, streamOnly{task}, samples, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := streamedAsWhole(t, cell, tok, task, samples)
	if r.Correct != want {
		t.Errorf("streamed accuracy counts %d correct, whole samples %d", r.Correct, want)
	}
}

// streamedAsWhole checks that samples 0..n-1 of task, streamed, get the
// answers a whole-sample read gives, and returns how many are correct.
func streamedAsWhole(t *testing.T, cell *graph.Cell[float32], tok data.Tokenizer, task data.Streamer, n int) (correct int) {
	t.Helper()
	for i := range n {
		s, err := task.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		whole, ok, err := Answer(cell, tok, s)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			correct++
		}
		ps, err := task.StreamAt(i)
		if err != nil {
			t.Fatal(err)
		}
		streamed, _, err := answer(cell, tok, ps, nil)
		if err != nil {
			t.Fatal(err)
		}
		if streamed != whole {
			t.Errorf("sample %d: streamed answer %q, whole-sample answer %q", i, streamed, whole)
		}
	}
	return correct
}
