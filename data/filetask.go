package data

import (
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// fileTask is task qa (or lm with DataFiles): samples are lines of the
// user's JSONL files, at their natural lengths. A task of n segments draws
// the lines whose samples need at most n segments (lm: any text, a window
// of n*S tokens when longer). Samples of one micro-batch (Batch consecutive
// indexes) share a segment count, as a batch must: the count is drawn per
// micro-batch, weighted by how many lines need it, and the line uniformly
// among them, so every drawable line is equally likely.
type fileTask struct {
	cfg     TaskConfig
	ds      *Dataset
	lines   []lineRef
	buckets [][]int32 // buckets[k-1]: indexes of lines needing k segments
	cum     []int     // cumulative bucket sizes
	order   []int32   // every drawable line in file order (validation)
}

// shortest is the line of a split with the fewest tokens, for errors.
func (d *Dataset) shortest(split string) (lineRef, bool) {
	var best lineRef
	found := false
	for _, r := range d.split(split) {
		if !found || r.tokens < best.tokens {
			best, found = r, true
		}
	}
	return best, found
}

func newFileTask(cfg TaskConfig) (Task, error) {
	kind := "qa"
	if cfg.Name == "lm" {
		kind = "lm"
	}
	if cfg.Tokens > 0 && kind == "qa" {
		return nil, fmt.Errorf("data: task %s samples have their own lengths; a fixed sample length does not apply", cfg.Name)
	}
	ds, err := OpenDataset(DatasetConfig{Kind: kind, Files: cfg.DataFiles, ValFile: cfg.ValData, ValShare: cfg.ValShare, Tokenizer: cfg.Tokenizer})
	if err != nil {
		return nil, err
	}
	t := &fileTask{cfg: cfg, ds: ds, lines: ds.split(cfg.Split)}
	if len(t.lines) == 0 {
		return nil, fmt.Errorf("data: %s has no %s lines", strings.Join(ds.paths, ","), cfg.Split)
	}
	for i, r := range t.lines {
		k, ok := t.segments(r)
		if !ok {
			continue
		}
		for len(t.buckets) < k {
			t.buckets = append(t.buckets, nil)
		}
		t.buckets[k-1] = append(t.buckets[k-1], int32(i))
		t.order = append(t.order, int32(i))
	}
	if len(t.order) == 0 && kind == "lm" {
		return nil, fmt.Errorf("data: no %s text line of %s has the %d tokens of a window", cfg.Split, strings.Join(ds.paths, ","), cfg.Tokens)
	}
	if len(t.order) == 0 {
		s, _ := ds.shortest(cfg.Split)
		return nil, fmt.Errorf("data: no %s sample fits in %d segments of %d tokens (%d tokens): the shortest, %s line %d, has %d tokens and needs %d segments",
			cfg.Split, cfg.Segments, cfg.SegmentSize, cfg.Segments*cfg.SegmentSize, ds.paths[s.file], s.line, s.tokens, ceilDiv(int(s.tokens), cfg.SegmentSize))
	}
	c := 0
	for _, b := range t.buckets {
		c += len(b)
		t.cum = append(t.cum, c)
	}
	return t, nil
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// segments is how many segments a line's sample takes in this task, and
// whether it may be drawn.
func (t *fileTask) segments(r lineRef) (int, bool) {
	k := ceilDiv(int(r.tokens), t.cfg.SegmentSize)
	if t.cfg.Name == "lm" {
		if t.cfg.Tokens > 0 {
			// Windows of exactly Tokens (perplexity over whole segments).
			return ceilDiv(t.cfg.Tokens, t.cfg.SegmentSize), int(r.tokens) >= t.cfg.Tokens
		}
		return min(k, t.cfg.Segments), r.tokens >= 2
	}
	return k, k <= t.cfg.Segments
}

func (t *fileTask) Config() TaskConfig { return t.cfg }

// Len is the number of drawable lines: validation reads each once, in
// file order (SampleAt(i) for i < Len()).
func (t *fileTask) Len() int { return len(t.order) }

// Drawable is, per segment count 1.. (up to the longest drawable), how many lines a task of files
// draws from; nil for other tasks.
func Drawable(task Task) []int {
	t, ok := task.(*fileTask)
	if !ok {
		return nil
	}
	out := make([]int, len(t.buckets))
	for i, b := range t.buckets {
		out[i] = len(b)
	}
	return out
}

// Finite is a task with a fixed set of samples (validation lines of a
// dataset): SampleAt(i) for i < Len() gives each once.
type Finite interface {
	Task
	Len() int
}

// pick is the line of sample i.
func (t *fileTask) pick(i int) lineRef {
	if t.cfg.Split != SplitTrain { // validation and evaluation read the held-out lines in order
		return t.lines[t.order[i%len(t.order)]]
	}
	g := i / max(1, t.cfg.Batch)
	w := SampleRNG(t.cfg.Seed^0xda7a5e7, g).IntN(t.cum[len(t.cum)-1])
	k := 0
	for t.cum[k] <= w {
		k++
	}
	b := t.buckets[k]
	return t.lines[b[SampleRNG(t.cfg.Seed, i).IntN(len(b))]]
}

func (t *fileTask) SampleAt(i int) (Sample, error) {
	if i < 0 {
		return Sample{}, fmt.Errorf("data: sample index %d, want >= 0", i)
	}
	return t.build(t.pick(i), SampleRNG(t.cfg.Seed^0x3a1d0, i))
}

// Sample draws a line with rng.
func (t *fileTask) Sample(rng *rand.Rand) (Sample, error) {
	return t.build(t.lines[t.order[rng.IntN(len(t.order))]], rng)
}

// LineOf says which line sample i is: its id (or FILE:LINE without one),
// file, line number and segment count.
func (t *fileTask) LineOf(i int) (id, path string, line, segments int, err error) {
	ref := t.pick(i)
	rec, err := t.ds.read(ref)
	if err != nil {
		return "", "", 0, 0, err
	}
	path = t.ds.paths[ref.file]
	id = rec.ID
	if id == "" {
		id = fmt.Sprintf("%s:%d", path, ref.line)
	}
	k, _ := t.segments(ref)
	return id, path, int(ref.line), k, nil
}

// Liner is a task whose samples are lines of files (task qa, lm on JSONL).
type Liner interface {
	Finite
	LineOf(i int) (id, path string, line, segments int, err error)
}

func (t *fileTask) build(ref lineRef, rng *rand.Rand) (Sample, error) {
	rec, err := t.ds.read(ref)
	if err != nil {
		return Sample{}, err
	}
	where := fmt.Sprintf("%s line %d", t.ds.paths[ref.file], ref.line)
	if t.cfg.Name == "lm" {
		ids, err := EncodeText(t.cfg.Tokenizer, rec.Text)
		if err != nil {
			return Sample{}, fmt.Errorf("data: %s: %w", where, err)
		}
		if L := t.cfg.Length(); len(ids) > L {
			at := rng.IntN(len(ids) - L + 1)
			ids = ids[at : at+L : at+L]
		}
		s := Sample{IDs: ids, LabelMask: make([]bool, len(ids)), AnswerStart: -1}
		for j := 1; j < len(ids); j++ {
			s.LabelMask[j] = true
		}
		return s, nil
	}
	p, err := encodeQA(t.cfg.Tokenizer, rec)
	if err != nil {
		return Sample{}, fmt.Errorf("data: %s: %w", where, err)
	}
	ids := make([]int, 0, len(p.context)+len(p.tail)+len(p.answer))
	ids = append(append(append(ids, p.context...), p.tail...), p.answer...)
	if len(ids) != int(ref.tokens) {
		return Sample{}, fmt.Errorf("data: %s has %d tokens, %d when it was indexed (did the file change?)", where, len(ids), ref.tokens)
	}
	s := Sample{IDs: ids, LabelMask: make([]bool, len(ids)), Answer: strings.TrimSpace(rec.Answer),
		AnswerStart: len(p.context) + len(p.tail), Question: Span{len(p.context), len(p.context) + p.qLen}}
	for j := s.AnswerStart; j < len(ids); j++ {
		s.LabelMask[j] = true
	}
	return s, nil
}

// StreamAt implements Streamer: the context is tokenized a block at a time
// as it is read.
func (t *fileTask) StreamAt(i int) (*PromptStream, error) {
	if t.cfg.Name == "lm" {
		return nil, fmt.Errorf("data: task lm has no answers to stream to")
	}
	if i < 0 {
		return nil, fmt.Errorf("data: sample index %d, want >= 0", i)
	}
	ref := t.pick(i)
	rec, err := t.ds.read(ref)
	if err != nil {
		return nil, err
	}
	return QuestionStream(t.cfg.Tokenizer, strings.NewReader(rec.Context), rec.Question, rec.Answer, int(ref.tokens))
}

// QuestionStream streams the prompt of a question about the text of r:
// the context as TextEncoder tokenizes it, then the question and answer
// marker, exactly as a dataset sample lays them out. answer, when known,
// is what Answer matches against; total, when positive, is the sample's
// length (it sets PromptTokens; else they are counted as read).
func QuestionStream(tok Tokenizer, r io.Reader, question, answer string, total int) (*PromptStream, error) {
	tail, err := QuestionIDs(tok, question)
	if err != nil {
		return nil, err
	}
	ans := []int{0}
	if strings.TrimSpace(answer) != "" {
		if ans, err = AnswerIDs(tok, answer); err != nil {
			return nil, err
		}
	}
	e := NewTextEncoder(tok, r)
	p := &PromptStream{Answer: strings.TrimSpace(answer), AnswerTokens: len(ans)}
	if total > 0 {
		p.PromptTokens = total - len(ans)
	}
	p.next = func(dst []int) ([]int, error) {
		if e != nil {
			out, err := e.Next(dst)
			if err == nil {
				return out, nil
			}
			if err != io.EOF {
				return dst, err
			}
			e = nil
		}
		if tail == nil {
			p.Close()
			return dst, io.EOF
		}
		dst = append(dst, tail...)
		tail = nil
		return dst, nil
	}
	return p, nil
}

// TextStream streams the text of r alone, as TextEncoder tokenizes it:
// the prompt of a continuation (eval ask without a question).
func TextStream(tok Tokenizer, r io.Reader) *PromptStream {
	e := NewTextEncoder(tok, r)
	p := &PromptStream{}
	p.next = func(dst []int) ([]int, error) {
		out, err := e.Next(dst)
		if err == io.EOF {
			p.Close()
		}
		return out, err
	}
	return p
}
