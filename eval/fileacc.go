package eval

import (
	"encoding/json"
	"fmt"
	"github.com/rmtgo/rmt/internal/field"
	"io"
	"time"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// FileBucket is the accuracy of the samples of a range of segment counts.
// The JSON names are a stable contract (docs/cli.md).
type FileBucket struct {
	Segments   string  `json:"segments"` // "1", "2", "3-4", "5-8", ... or "all"
	Samples    int     `json:"samples"`
	Exact      int     `json:"exact"`
	Accuracy   float64 `json:"accuracy"` // exact match
	CILow      float64 `json:"ci_low"`   // 95% Wilson interval of the exact match
	CIHigh     float64 `json:"ci_high"`
	Normalized int     `json:"normalized"`
	NormAcc    float64 `json:"normalized_accuracy"` // case, punctuation and surrounding spaces ignored
	NormLow    float64 `json:"normalized_ci_low"`
	NormHigh   float64 `json:"normalized_ci_high"`
}

// FileReport is the accuracy of a checkpoint on the lines of a file.
type FileReport struct {
	Files      []string     `json:"files"`
	Checkpoint string       `json:"checkpoint"`
	MaxNew     int          `json:"max_new"`
	Seconds    float64      `json:"seconds"`
	TokensRead int64        `json:"tokens_read"`  // prompt tokens read through memory, all samples
	TokensPerS float64      `json:"tokens_per_s"` // of those, per second of the whole evaluation
	Overall    FileBucket   `json:"overall"`
	Buckets    []FileBucket `json:"buckets"`
}

// Prediction is one line of --predictions.
type Prediction struct {
	ID         string `json:"id"`
	Prediction string `json:"prediction"`
	Answer     string `json:"answer"`
	Match      bool   `json:"match"`
	Normalized bool   `json:"normalized_match"`
	Segments   int    `json:"segments"`
}

// bucketOf is the bucket index of a segment count: 1, 2, 3-4, 5-8, ...
func bucketOf(k int) int {
	b := 0
	for (1 << b) < k {
		b++
	}
	return b
}

func bucketName(b int) string {
	if b <= 1 {
		return fmt.Sprint(1 << b)
	}
	return fmt.Sprintf("%d-%d", 1<<(b-1)+1, 1<<b)
}

// FileAccuracy answers every line of task (a dataset's validation lines:
// task qa, split eval) with Ask, maxNew tokens at most, and reports exact
// and normalised match overall and per bucket of segment counts, with 95%
// Wilson intervals. Each prediction is written to pred (JSONL) when not
// nil; p hears of every sample.
func FileAccuracy(cell *graph.Cell[float32], tok data.Tokenizer, task data.Liner, maxNew int, pred io.Writer, p *Progress) (FileReport, error) {
	t0 := time.Now()
	var rep FileReport
	type count struct{ n, exact, norm int }
	var all count
	var per []count
	enc := json.NewEncoder(io.Discard)
	if pred != nil {
		enc = json.NewEncoder(pred)
	}
	for i := range task.Len() {
		id, _, _, segs, err := task.LineOf(i)
		if err != nil {
			return rep, err
		}
		ps, err := task.(data.Streamer).StreamAt(i)
		if err != nil {
			return rep, err
		}
		want := ps.Answer
		r, err := Ask(cell, tok, ps, maxNew, nil)
		if err != nil {
			return rep, fmt.Errorf("eval: line %s: %w", id, err)
		}
		exact, norm := r.Answer == want, Normalize(r.Answer) == Normalize(want)
		b := bucketOf(segs)
		for len(per) <= b {
			per = append(per, count{})
		}
		for _, c := range []*count{&all, &per[b]} {
			c.n++
			if exact {
				c.exact++
			}
			if norm {
				c.norm++
			}
		}
		if err := enc.Encode(Prediction{ID: id, Prediction: r.Answer, Answer: want, Match: exact, Normalized: norm, Segments: segs}); err != nil {
			return rep, fmt.Errorf("eval: %w", field.Wrap("predictions", "", err))
		}
		rep.TokensRead += r.TokensRead
		p.Tokens(int(r.TokensRead))
		p.Sample()
	}
	mk := func(name string, c count) FileBucket {
		f := FileBucket{Segments: name, Samples: c.n, Exact: c.exact, Normalized: c.norm}
		if c.n > 0 {
			f.Accuracy, f.NormAcc = float64(c.exact)/float64(c.n), float64(c.norm)/float64(c.n)
			f.CILow, f.CIHigh = WilsonInterval(c.exact, c.n)
			f.NormLow, f.NormHigh = WilsonInterval(c.norm, c.n)
		}
		return f
	}
	rep.Overall = mk("all", all)
	for b, c := range per {
		if c.n > 0 {
			rep.Buckets = append(rep.Buckets, mk(bucketName(b), c))
		}
	}
	rep.MaxNew, rep.Seconds = maxNew, time.Since(t0).Seconds()
	rep.TokensPerS = float64(rep.TokensRead) / max(rep.Seconds, 1e-9)
	return rep, nil
}
