package eval

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/dist"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// Answer streams a sample's prompt (everything before the answer) through
// the memory cell segment by segment, then greedily generates as many
// tokens as the answer and its end token have, stopping at EOS. correct is
// the exact match of the generated text (without EOS, spaces trimmed) with
// the sample's answer. Only the memory and less than one segment of
// pending tokens are kept between segments, so the cost of a prompt of any
// length is one segment's activations (graph.Stream).
func Answer(cell *graph.Cell[float32], tok data.Tokenizer, s data.Sample) (got string, correct bool, err error) {
	if s.AnswerStart <= 0 {
		return "", false, fmt.Errorf("eval: the sample has no answer to generate (task lm?)")
	}
	return answer(cell, tok, data.SamplePrompt(s), nil)
}

// answer reads a prompt stream piece by piece (a piece is at most a noise
// block, so neither the sample nor its prompt is ever held whole) and
// generates the answer.
func answer(cell *graph.Cell[float32], tok data.Tokenizer, ps *data.PromptStream, p *Progress) (got string, correct bool, err error) {
	return answerSeeing(cell, tok, ps, 0, p, nil)
}

// answerSeeing is answer that also hands every piece of the prompt to see
// (when not nil) before it is read; first, when positive, is the length of
// the first segment (right alignment).
func answerSeeing(cell *graph.Cell[float32], tok data.Tokenizer, ps *data.PromptStream, first int, p *Progress, see func(piece []int)) (got string, correct bool, err error) {
	defer ps.Close()
	st := cell.NewStream()
	if err := st.FirstSegment(first); err != nil {
		return "", false, err
	}
	var piece []int
	for {
		piece, err = ps.Next(piece[:0])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", false, err
		}
		if see != nil {
			see(piece)
		}
		if err := st.Feed(piece); err != nil {
			return "", false, err
		}
		p.Tokens(len(piece))
	}
	eos := tok.EOS()
	out, err := st.Generate(nil, ps.AnswerTokens, func(id int) bool { return id == eos })
	if err != nil {
		return "", false, err
	}
	if len(out) > 0 && out[len(out)-1] == eos {
		out = out[:len(out)-1]
	}
	got = strings.TrimSpace(tok.Decode(out))
	return got, got == ps.Answer, nil
}

// AccuracyResult is the accuracy at one segment count. The JSON names are
// a stable contract (docs/cli.md).
type AccuracyResult struct {
	Segments         int     `json:"segments"`
	Tokens           int     `json:"tokens"`
	Samples          int     `json:"samples"`
	Correct          int     `json:"correct"`
	Accuracy         float64 `json:"accuracy"`
	CILow            float64 `json:"ci_low"`  // 95% Wilson interval
	CIHigh           float64 `json:"ci_high"` //
	SecondsPerSample float64 `json:"seconds_per_sample"`
	Seed             int64   `json:"seed"` // of the task's sample stream
	// PeakRSSMB is the highest resident set size sampled while this segment
	// count was evaluated: flat in the count, since only memory is carried.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// SettledRSSMB and HeapMB are read after the last sample and a GC: what
	// the evaluation holds, without the garbage of building long samples.
	SettledRSSMB float64 `json:"settled_rss_mb"`
	HeapMB       float64 `json:"heap_mb"`
}

// Accuracy answers samples 0..samples-1 of task (each streamed through cell
// on its own, see Answer) and returns the exact-match accuracy with its
// 95% Wilson interval. p, when not nil, hears of every sample and of the
// tokens read inside long ones.
func Accuracy(cell *graph.Cell[float32], tok data.Tokenizer, task data.Task, samples int, p *Progress) (AccuracyResult, error) {
	return AccuracyAcross(nil, cell, tok, task, samples, p)
}

// AccuracyAcross is Accuracy with the samples dealt among the processes of
// comm (nil: one process); every process returns the result one process
// would, but for the timings and memory figures, which are this process's
// (seconds per sample: the job's time over all samples). p hears of this
// process's samples only.
func AccuracyAcross(comm *dist.Comm, cell *graph.Cell[float32], tok data.Tokenizer, task data.Task, samples int, p *Progress) (AccuracyResult, error) {
	cfg := task.Config()
	if samples < 1 {
		return AccuracyResult{}, fmt.Errorf("eval: %d samples, want at least 1", samples)
	}
	sc, err := scoreSamples(comm, cell, tok, task, samples, 0, p, nil)
	if err != nil {
		return AccuracyResult{}, err
	}
	lo, hi := WilsonInterval(sc.correct, samples)
	return AccuracyResult{
		Segments: cfg.Segments, Tokens: cfg.Length(), Samples: samples, Correct: sc.correct,
		Accuracy: float64(sc.correct) / float64(samples), CILow: lo, CIHigh: hi,
		SecondsPerSample: sc.seconds / float64(samples), Seed: cfg.Seed, PeakRSSMB: sc.peakMB, SettledRSSMB: sc.settledMB, HeapMB: sc.heapMB,
	}, nil
}

// scored is what scoreSamples measured over a run of samples.
type scored struct {
	correct   int
	tokens    int64 // read and generated
	counted   int64 // what count gave for every prompt piece (words)
	gpt2      int64 // GPT-2 tokens of the prompts: the task's count, else count's
	seconds   float64
	peakMB    float64 // resident, sampled while scoring
	settledMB float64 // resident after the last sample and a GC
	heapMB    float64 // live heap then
}

// scoreSamples answers samples 0..samples-1 of task, each streamed through
// cell on its own, summing count over every prompt piece when count is not
// nil; the samples are dealt among the processes of comm (nil: one
// process), and the counts are the whole job's.
func scoreSamples(comm *dist.Comm, cell *graph.Cell[float32], tok data.Tokenizer, task data.Task, samples int, room int, p *Progress, count func(piece []int) (words, gpt2 int)) (scored, error) {
	var sc scored
	t0 := time.Now()
	peak := bench.StartPeak()
	defer peak.Done()
	// One sample per thread: the ops of one segment are too small to gain
	// from splitting across threads, whole samples side by side do.
	// The cell's settings say how many threads; each of the cell and its
	// twins then runs its ops whole (one op worker) while the samples run,
	// and the cell gets its own settings back after.
	workers := max(1, min(cell.Kernels.Threads(), comm.Share(samples)))
	cells := cell.Twins(workers)
	if workers > 1 {
		one, err := cell.Kernels.WithOpWorkers(1)
		if err != nil {
			return sc, err
		}
		defer func(own *kernels.Pool) { cell.Kernels = own }(cell.Kernels)
		for _, c := range cells {
			c.Kernels = one
		}
	}
	rows, err := comm.RowsEach(samples, 4, workers, func(w, i int, row []float64) error {
		ps, err := promptAt(task, i)
		if err != nil {
			return err
		}
		var see func(piece []int)
		if count != nil {
			see = func(piece []int) {
				words, gpt2 := count(piece)
				row[2] += float64(words)
				row[3] += float64(gpt2)
			}
		}
		first := 0
		if room > 0 { // right alignment
			// A sample made as it is read knows its length in the model's
			// tokens only at its end: a first pass counts them.
			n, err := promptLength(task, i)
			if err != nil {
				return err
			}
			first = firstSegment(n, room, cell.Seg)
		}
		_, ok, err := answerSeeing(cells[w], tok, ps, first, p, see)
		if err != nil {
			return fmt.Errorf("eval: sample %d of %d tokens: %w", i, ps.PromptTokens+ps.AnswerTokens, err)
		}
		if ok {
			row[0] = 1
		}
		row[1] = float64(ps.PromptTokens + ps.AnswerTokens)
		if ps.GPT2Tokens > 0 { // counted by the task itself: exact
			row[3] = float64(ps.GPT2Tokens)
		}
		p.Tokens(ps.AnswerTokens) // the answer, which is generated, not read
		p.Sample()
		return nil
	})
	if err != nil {
		return sc, err
	}
	for i := 0; i < len(rows); i += 4 {
		sc.correct += int(rows[i])
		sc.tokens += int64(rows[i+1])
		sc.counted += int64(rows[i+2])
		sc.gpt2 += int64(rows[i+3])
	}
	sc.seconds = time.Since(t0).Seconds()
	sc.peakMB = peak.Done()
	sc.settledMB, sc.heapMB = bench.SettledMB()
	return sc, nil
}

// promptAt streams sample i's prompt: made as it is read where the task
// can (data.Streamer), else from the whole sample.
func promptAt(task data.Task, i int) (*data.PromptStream, error) {
	if st, ok := task.(data.Streamer); ok {
		return st.StreamAt(i)
	}
	s, err := task.SampleAt(i)
	if err != nil {
		return nil, err
	}
	if s.AnswerStart <= 0 {
		return nil, fmt.Errorf("eval: task %s has no answers to match", task.Config().Name)
	}
	return data.SamplePrompt(s), nil
}

// SequenceOf turns samples into a batch for a memory cell: the prediction
// at t is scored where the sample marks token t+1 as a target.
func SequenceOf(samples ...data.Sample) graph.Sequence {
	var seq graph.Sequence
	for _, s := range samples {
		seq.IDs = append(seq.IDs, s.IDs)
		seq.Score = append(seq.Score, s.Scored())
	}
	return seq
}

// Validation is accuracy and loss over a fixed set of samples.
type Validation struct {
	Samples  int     `json:"samples"`
	Accuracy float64 `json:"accuracy"` // exact match; -1 where the task has no answers (lm)
	Loss     float64 `json:"loss"`     // mean over samples of the per-sample loss
}

// Validate scores samples with cell: the loss of each (teacher-forced) and,
// for question tasks, the exact match of the greedy answer.
func Validate(cell *graph.Cell[float32], tok data.Tokenizer, samples []data.Sample) (Validation, error) {
	return ValidateAcross(nil, cell, tok, samples)
}

// ValidateAcross is Validate with the samples dealt among the processes of
// comm (nil: one process); every process returns what one process would,
// to the last bit.
func ValidateAcross(comm *dist.Comm, cell *graph.Cell[float32], tok data.Tokenizer, samples []data.Sample) (Validation, error) {
	v := Validation{Samples: len(samples)}
	// A row per sample: loss, has an answer, answered correctly.
	rows, err := comm.Rows(len(samples), 3, func(i int, row []float64) error {
		s := samples[i]
		tr, err := cell.Forward(SequenceOf(s))
		if err != nil {
			return err
		}
		row[0] = tr.Loss
		if s.AnswerStart > 0 {
			row[1] = 1
			_, ok, err := Answer(cell, tok, s)
			if err != nil {
				return err
			}
			if ok {
				row[2] = 1
			}
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	correct, qa := 0, 0
	for i := range samples {
		v.Loss += rows[3*i] / float64(len(samples))
		qa += int(rows[3*i+1])
		correct += int(rows[3*i+2])
	}
	v.Accuracy = float64(correct) / float64(max(qa, 1))
	if qa == 0 {
		v.Accuracy = -1
	}
	return v, nil
}
