package data

import (
	"fmt"
	"io"
	"iter"
	"math/rand/v2"
	"slices"
)

// BABILong in the benchmark's own units (docs/babilong.md). A length of N
// means N GPT-2 tokens for the whole sample: the story's statements, the
// background sentences between them and the question. The background is
// SentenceSampler's, each sentence counted with GPT-2 as it stands in the
// sample (with its leading space); sentences under MinSentenceGPT2 tokens
// are skipped, and sentences are added while the next one still fits, so a
// sample is at most N and less than one sentence short of it. The answer
// marker after the question is the model's prompt, not the benchmark's
// text, and is not counted. The
// statements go, in order, between background sentences at boundaries
// drawn uniformly with replacement, as the benchmark's generator does. The
// sample is then read in the model's own tokens, however many that is.

// MinSentenceGPT2 is the benchmark's shortest background sentence.
const MinSentenceGPT2 = 10

// BabilongConfig says which samples a BabilongTask makes.
type BabilongConfig struct {
	Task       int // bAbI qaN, 1 to 5
	GPT2Tokens int // N; 0 is the story alone (0k)
	// SegmentSize is the model's segment, for Config only.
	SegmentSize int
	Seed        int64
	BabiDir     string
	BabiStories string // default BabiTest
	NoiseDir    string
	Split       string // of the books; default SplitEval
	EvalEvery   int
	NoiseFilter bool      // drop background sentences naming a task entity
	Tokenizer   Tokenizer // the model's
}

// BabilongTask makes BABILong samples counted in GPT-2 tokens. It is a
// Streamer: samples of millions of tokens are read a block at a time.
type BabilongTask struct {
	cfg     BabilongConfig
	gpt2    Tokenizer
	noise   *SentenceSampler
	qs      []unitsQ
	total   int              // questions of the stories
	ids     map[string][]int // model ids of " "+text; read-only after init
	file    string
	longest int // GPT-2 tokens of the longest story and question
}

type unitsQ struct {
	facts            []string
	supports         []int
	question, answer string
	gpt2             int // GPT-2 tokens of the statements and the question
}

// NewBabilongTask reads the bAbI file and the book list and keeps the
// questions whose story and question fit in N GPT-2 tokens.
func NewBabilongTask(cfg BabilongConfig) (*BabilongTask, error) {
	if cfg.Tokenizer == nil {
		return nil, fmt.Errorf("data: babilong: no tokenizer")
	}
	if cfg.Task < 1 || cfg.Task > 5 {
		return nil, badField("tasks", "%d, want 1 to 5 (qa1-qa5)", cfg.Task)
	}
	if cfg.GPT2Tokens < 0 {
		return nil, fmt.Errorf("data: babilong length %d GPT-2 tokens, want 0 or more", cfg.GPT2Tokens)
	}
	if cfg.BabiStories == "" {
		cfg.BabiStories = BabiTest
	}
	if cfg.Split == "" {
		cfg.Split = SplitEval
	}
	gpt2, err := GPT2Tokenizer()
	if err != nil {
		return nil, err
	}
	t := &BabilongTask{cfg: cfg, gpt2: gpt2, ids: map[string][]int{}}
	if cfg.GPT2Tokens > 0 {
		if t.noise, err = NewSentenceSampler(cfg.NoiseDir, cfg.Split, cfg.EvalEvery); err != nil {
			return nil, err
		}
		t.noise.Filter = cfg.NoiseFilter
	}
	stories, file, err := ReadBabiShare(cfg.BabiDir, cfg.Task, cfg.BabiStories)
	if err != nil {
		return nil, err
	}
	t.file = file
	count := map[string]int{}
	gcount := func(s string) (int, error) {
		if n, ok := count[s]; ok {
			return n, nil
		}
		ids, err := gpt2.Encode(" " + s)
		count[s] = len(ids)
		return len(ids), err
	}
	for _, text := range []string{markerKey} {
		if err := t.encode(text); err != nil {
			return nil, err
		}
	}
	shortest := -1
	for _, st := range stories {
		for _, q := range st.Questions() {
			t.total++
			u := unitsQ{facts: q.Facts, supports: q.Supports, question: q.Question, answer: q.Answer}
			for _, s := range append(slices.Clone(q.Facts), q.Question) {
				n, err := gcount(s)
				if err != nil {
					return nil, fmt.Errorf("data: bAbI file %s: %w", file, err)
				}
				u.gpt2 += n
				if err := t.encode(s); err != nil {
					return nil, fmt.Errorf("data: bAbI file %s: %w", file, err)
				}
			}
			if err := t.encode(q.Answer); err != nil {
				return nil, fmt.Errorf("data: bAbI file %s: %w", file, err)
			}
			if shortest < 0 || u.gpt2 < shortest {
				shortest = u.gpt2
			}
			if cfg.GPT2Tokens == 0 || u.gpt2 <= cfg.GPT2Tokens {
				t.qs = append(t.qs, u)
				t.longest = max(t.longest, u.gpt2)
			}
		}
	}
	if t.total == 0 {
		return nil, fmt.Errorf("data: bAbI file %s has no questions in its %s stories", file, cfg.BabiStories)
	}
	if len(t.qs) == 0 {
		return nil, fmt.Errorf("data: no qa%d question of %s fits in %d GPT-2 tokens (the shortest story and question have %d)", cfg.Task, file, cfg.GPT2Tokens, shortest)
	}
	return t, nil
}

func (t *BabilongTask) encode(text string) error {
	if _, ok := t.ids[text]; ok {
		return nil
	}
	ids, err := t.cfg.Tokenizer.Encode(" " + text)
	if err != nil {
		return fmt.Errorf("data: tokenize %q: %w", text, err)
	}
	if len(ids) == 0 {
		return fmt.Errorf("data: tokenize %q: no tokens", text)
	}
	t.ids[text] = ids
	return nil
}

// Config implements Task: a babi task of one bAbI task whose samples have
// no fixed length in the model's tokens (Tokens and Segments are 0).
func (t *BabilongTask) Config() TaskConfig {
	return TaskConfig{Name: "babi", SegmentSize: t.cfg.SegmentSize, Seed: t.cfg.Seed, NoiseDir: t.cfg.NoiseDir, BabiDir: t.cfg.BabiDir,
		BabiTasks: []int{t.cfg.Task}, BabiStories: t.cfg.BabiStories, StoryOnly: t.cfg.GPT2Tokens == 0, Split: t.cfg.Split,
		EvalEvery: t.cfg.EvalEvery, Tokenizer: t.cfg.Tokenizer}
}

// Units is the task's own config.
func (t *BabilongTask) Units() BabilongConfig { return t.cfg }

// Questions is how many questions fit in N GPT-2 tokens, of how many.
func (t *BabilongTask) Questions() (usable, total int) { return len(t.qs), t.total }

// File is the bAbI file the stories come from.
func (t *BabilongTask) File() string { return t.file }

// Books are the books the background comes from (none at 0k).
func (t *BabilongTask) Books() []string {
	if t.noise == nil {
		return nil
	}
	return t.noise.Files()
}

// plan is one sample before its model tokens are made: the question, the
// background's GPT-2 count, which sentences of the run it keeps, and where
// the statements go.
type plan struct {
	q        *unitsQ
	seeds    [2]uint64
	keep     []bool // per sentence read: kept (else under MinSentenceGPT2)
	kept     int
	pos      []int // per statement: the kept sentence it goes before (kept: the end)
	gpt2     int   // GPT-2 tokens of the whole sample
	nextGPT2 int   // GPT-2 tokens of the sentence that no longer fitted
}

// plan draws sample i: its question, then a pass over the background
// counting GPT-2 tokens, then the statements' places.
func (t *BabilongTask) plan(i int) (*plan, error) {
	if i < 0 {
		return nil, fmt.Errorf("data: sample index %d, want >= 0", i)
	}
	rng := SampleRNG(t.cfg.Seed, i)
	p := &plan{q: &t.qs[rng.IntN(len(t.qs))], seeds: [2]uint64{rng.Uint64(), rng.Uint64()}}
	p.gpt2 = p.q.gpt2
	if t.cfg.GPT2Tokens > 0 {
		budget := t.cfg.GPT2Tokens - p.q.gpt2
		r := t.noise.Open(rand.New(rand.NewPCG(p.seeds[0], p.seeds[1])))
		defer r.Close()
		for {
			s, err := r.Next()
			if err != nil {
				return nil, err
			}
			ids, err := t.gpt2.Encode(" " + s)
			if err != nil {
				return nil, fmt.Errorf("data: GPT-2 count of %q: %w", s, err)
			}
			n := len(ids)
			if n < MinSentenceGPT2 {
				p.keep = append(p.keep, false)
				continue
			}
			if n > budget {
				p.nextGPT2 = n
				break
			}
			budget -= n
			p.gpt2 += n
			p.keep = append(p.keep, true)
			p.kept++
		}
	}
	p.pos = make([]int, len(p.q.facts))
	for j := range p.pos {
		p.pos[j] = rng.IntN(p.kept + 1)
	}
	slices.Sort(p.pos)
	return p, nil
}

// Piece kinds of a sample, in the order walk yields them.
const (
	pieceNoise = iota
	pieceFact
	pieceQuestion
)

// walk yields the pieces of a planned sample's prompt (model ids of a
// background sentence, a statement or the question), re-reading the
// background that plan counted.
func (t *BabilongTask) walk(p *plan, errp *error) iter.Seq2[int, []int] {
	return func(yield func(int, []int) bool) {
		var r SentenceReader
		if t.cfg.GPT2Tokens > 0 {
			r = t.noise.Open(rand.New(rand.NewPCG(p.seeds[0], p.seeds[1])))
			defer r.Close()
		}
		next := 0 // the next statement
		facts := func(upTo int) bool {
			for ; next < len(p.pos) && p.pos[next] <= upTo; next++ {
				if !yield(pieceFact, t.ids[p.q.facts[next]]) {
					return false
				}
			}
			return true
		}
		kept := 0
		for _, keep := range p.keep {
			s, err := r.Next()
			if err != nil {
				*errp = err
				return
			}
			if !keep {
				continue
			}
			if !facts(kept) {
				return
			}
			ids, err := t.cfg.Tokenizer.Encode(" " + s)
			if err != nil {
				*errp = fmt.Errorf("data: tokenize noise %q: %w", s, err)
				return
			}
			kept++
			if !yield(pieceNoise, ids) {
				return
			}
		}
		if facts(p.kept) {
			yield(pieceQuestion, append(slices.Clone(t.ids[p.q.question]), t.ids[markerKey]...))
		}
	}
}

// tail is the answer's ids and the EOS.
func (t *BabilongTask) tail(q *unitsQ) []int {
	ids := slices.Clone(t.ids[q.answer])
	if eos := t.cfg.Tokenizer.EOS(); eos >= 0 {
		ids = append(ids, eos)
	}
	return ids
}

// SampleAt implements Task: sample i built whole (tests, short lengths).
func (t *BabilongTask) SampleAt(i int) (Sample, error) {
	p, err := t.plan(i)
	if err != nil {
		return Sample{}, err
	}
	s := Sample{Answer: p.q.answer, Supporting: p.q.supports}
	var werr error
	for kind, ids := range t.walk(p, &werr) {
		switch kind {
		case pieceFact:
			s.Facts = append(s.Facts, Span{len(s.IDs), len(s.IDs) + len(ids)})
		case pieceQuestion:
			s.Question = Span{len(s.IDs), len(s.IDs) + len(t.ids[p.q.question])}
		}
		s.IDs = append(s.IDs, ids...)
	}
	if werr != nil {
		return Sample{}, werr
	}
	s.AnswerStart = len(s.IDs)
	s.IDs = append(s.IDs, t.tail(p.q)...)
	s.LabelMask = make([]bool, len(s.IDs))
	for k := s.AnswerStart; k < len(s.IDs); k++ {
		s.LabelMask[k] = true
	}
	return s, nil
}

// Sample implements Task: the sample of an index drawn with rng.
func (t *BabilongTask) Sample(rng *rand.Rand) (Sample, error) {
	return t.SampleAt(rng.IntN(1 << 30))
}

// GPT2Count is sample i's length in GPT-2 tokens, and the GPT-2 tokens of
// the background sentence that did not fit after it (0 at 0k).
func (t *BabilongTask) GPT2Count(i int) (tokens, next int, err error) {
	p, err := t.plan(i)
	if err != nil {
		return 0, 0, err
	}
	return p.gpt2, p.nextGPT2, nil
}

// StreamAt implements Streamer: the prompt in pieces of about fillBlock
// model tokens. PromptTokens is known once the stream has ended.
func (t *BabilongTask) StreamAt(i int) (*PromptStream, error) {
	p, err := t.plan(i)
	if err != nil {
		return nil, err
	}
	var werr error
	next, stop := iter.Pull2(t.walk(p, &werr))
	ps := &PromptStream{Answer: p.q.answer, AnswerTokens: len(t.tail(p.q)), GPT2Tokens: p.gpt2, close: stop}
	ps.next = func(dst []int) ([]int, error) {
		start := len(dst)
		for len(dst)-start < fillBlock {
			_, ids, ok := next()
			if !ok {
				if werr != nil {
					return dst, werr
				}
				if len(dst) == start {
					ps.Close()
					return dst, io.EOF
				}
				break
			}
			dst = append(dst, ids...)
		}
		ps.PromptTokens += len(dst) - start
		return dst, nil
	}
	return ps, nil
}
