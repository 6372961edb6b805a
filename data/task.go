package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Span is a half-open range [Start, End) of token positions in a sample.
type Span struct{ Start, End int }

// Len is the number of tokens in the span.
func (s Span) Len() int { return s.End - s.Start }

// Sample is one input of n*S tokens with its targets.
//
// LabelMask marks target tokens: LabelMask[t] true means the token at
// position t is scored, that is the model's prediction at position t-1 is
// compared with IDs[t]. The training code shifts it. The question tasks mark
// the answer tokens and the EOS after them; lm marks every token but the
// first.
type Sample struct {
	IDs       []int  // (n*S,) token ids
	LabelMask []bool // (n*S,) true at target tokens
	// Answer is the answer's text without surrounding space, for exact
	// match against a greedy generation; empty for lm.
	Answer string
	// AnswerStart is the position of the first answer token; the prompt
	// for generation is IDs[:AnswerStart]. -1 for lm.
	AnswerStart int
	// Facts are the token spans of the inserted facts in order of position
	// (display and tests); Supporting indexes the facts the answer rests on.
	Facts      []Span
	Supporting []int
	Question   Span // the question, without the answer marker; empty for lm
}

// AnswerMarker follows the question; the answer comes after it.
const AnswerMarker = " Answer:"

// markerKey is AnswerMarker as a key of qaTask.ids (which prepends the space).
const markerKey = "Answer:"

// TaskNames are the tasks NewTask knows, a fresh slice each call.
func TaskNames() []string { return slices.Clone(taskNames) }

var taskNames = []string{"memorize", "detect", "reasoning", "babi", "lm", "qa"}

// TaskConfig says which samples a task makes.
type TaskConfig struct {
	Name        string // one of TaskNames
	Segments    int    // n
	SegmentSize int    // S tokens; every sample has n*S tokens
	Seed        int64
	// NoiseDir holds .txt books for the background; empty means the
	// built-in filler (FillerNoise). Not used by lm.
	NoiseDir string
	// NoiseUnfiltered reads the books as BABILong does (SentenceSampler:
	// uniform books, random places, no sentence dropped for naming a task
	// entity) instead of BookNoise's filtered sentences.
	NoiseUnfiltered bool
	// BabiDir holds bAbI files qaN_*_{train,test}.txt (a folder, or
	// folders joined by ':', see BabiFile); BabiTasks picks which of
	// qa1-qa5 to draw from (default qa1), uniformly per sample, so a batch
	// mixes them.
	BabiDir   string
	BabiTasks []int
	// BabiStories picks the stories: BabiTrain, BabiValid, BabiHoldout (the
	// shares of the training file, see BabiShare) or BabiTest (the test
	// file, required). Empty means BabiTrain for SplitTrain and BabiValid
	// for SplitValid and SplitEval.
	BabiStories string
	// Tokens, when positive, is the length of every sample instead of
	// Segments*SegmentSize (a BABILong length need not be whole segments).
	Tokens int
	// StoryOnly (task babi) makes every sample its story and question
	// alone, without noise, as long as they are (BABILong's 0k).
	StoryOnly bool
	// StoryFit (with StoryOnly) keeps only the questions whose story and
	// question fit in Length, as a training batch of one segment count
	// needs; without it a story-only task keeps every question.
	StoryFit bool
	// RaggedEnd (task babi, with noise) ends each sample at a uniform
	// position of its last segment rather than at its end, so the question
	// is met at every place of a segment, as in a sample of Tokens.
	RaggedEnd bool
	// AnswerRoom (task babi, with noise), when positive, ends every sample
	// AnswerRoom tokens after its prompt: the answer and EOS, and padding
	// after them when they are shorter. A prompt then always ends the same
	// distance before a segment's end, where right alignment puts the
	// prompt of a sample of any length (eval --align right).
	AnswerRoom int
	// TextDir holds the long .txt documents of the lm task.
	TextDir string
	// Split is SplitTrain (default), SplitValid or SplitEval; each draws
	// noise and documents from its own files of the directories (SplitFiles, rule
	// EvalEvery: 0 means every 5th file is eval, negative means no split).
	Split     string
	EvalEvery int
	Tokenizer Tokenizer
	// DataFiles are the JSONL files of task qa (and of lm instead of
	// TextDir); ValData and ValShare pick their validation lines
	// (DatasetConfig). Batch is the micro-batch size: the samples of one
	// micro-batch share a segment count (filetask.go).
	DataFiles []string
	ValData   string
	ValShare  float64
	Batch     int
}

// Length is the number of tokens of every sample: Tokens when set, else
// n*S. A StoryOnly sample is as long as its story and question, at most
// this.
func (c TaskConfig) Length() int {
	if c.Tokens > 0 {
		return c.Tokens
	}
	return c.Segments * c.SegmentSize
}

// Task makes samples. A sample depends only on the config and the seed or
// sample index, never on earlier calls, so training can resume at a data
// cursor. Tasks are safe for concurrent use when their tokenizer is.
type Task interface {
	Config() TaskConfig
	// SampleAt returns sample i of the stream of Config().Seed.
	SampleAt(i int) (Sample, error)
	// Sample draws a sample with rng.
	Sample(rng *rand.Rand) (Sample, error)
}

// NewTask checks cfg, reads what the task needs (bAbI files, directory
// listings; never a whole corpus) and returns the task. A segment too short
// for the question and answer, a corpus too short for n*S tokens, or a
// missing directory is an error naming the flag.
func NewTask(cfg TaskConfig) (Task, error) {
	if cfg.Tokenizer == nil {
		return nil, fmt.Errorf("data: task %s: no tokenizer", cfg.Name)
	}
	if cfg.Segments < 1 {
		return nil, badField("segments", "%d, want at least 1", cfg.Segments)
	}
	if cfg.SegmentSize < 1 {
		return nil, badField("segment_size", "%d, want at least 1", cfg.SegmentSize)
	}
	if cfg.Split == "" {
		cfg.Split = SplitTrain
	}
	if cfg.Split != SplitTrain && cfg.Split != SplitValid && cfg.Split != SplitEval {
		return nil, fmt.Errorf("data: split %q, want %q, %q or %q", cfg.Split, SplitTrain, SplitValid, SplitEval)
	}
	if cfg.EvalEvery == 0 {
		cfg.EvalEvery = DefaultEvalEvery
	}
	if cfg.Tokens < 0 {
		return nil, badField("", "sample length %d tokens, want a positive length (or 0 for {segments} x {segment_size})", cfg.Tokens)
	}
	if cfg.StoryOnly && cfg.Name != "babi" {
		return nil, fmt.Errorf("data: task %s has no stories to give alone (story-only samples are task babi's)", cfg.Name)
	}
	if cfg.Name == "qa" || (cfg.Name == "lm" && (len(cfg.DataFiles) > 0 || cfg.ValData != "")) {
		return newFileTask(cfg)
	}
	if cfg.Name == "lm" {
		return newLMTask(cfg)
	}
	var noise Noise = NewFillerNoise()
	if cfg.NoiseDir != "" && cfg.NoiseUnfiltered {
		s, err := NewSentenceSampler(cfg.NoiseDir, cfg.Split, cfg.EvalEvery)
		if err != nil {
			return nil, err
		}
		noise = s
	} else if cfg.NoiseDir != "" {
		b, err := NewBookNoise(cfg.NoiseDir, cfg.Split, cfg.EvalEvery)
		if err != nil {
			return nil, err
		}
		if err := b.checkLength(cfg); err != nil {
			return nil, err
		}
		noise = b
	}
	q := &qaTask{cfg: cfg, noise: noise, ids: map[string][]int{}}
	var err error
	switch cfg.Name {
	case "memorize", "detect":
		err = q.initFacts()
	case "reasoning":
		err = q.initReasoning()
	case "babi":
		err = q.initBabi()
	default:
		return nil, badField("task", "%q, want one of %s", cfg.Name, strings.Join(taskNames, ", "))
	}
	if err != nil {
		return nil, err
	}
	return q, nil
}

// SampleRNG is the generator of sample i of a seed's stream: each (seed, i)
// pair gets its own PCG stream, both numbers mixed by SplitMix64.
func SampleRNG(seed int64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(splitmix(uint64(seed)), splitmix(uint64(i)^0x5bd1e9955bd1e995)))
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// qaTask is a question task: a haystack of noise with facts, then
// question | answer marker | answer | EOS.
type qaTask struct {
	cfg   TaskConfig
	noise Noise
	ids   map[string][]int // token ids of every fact, question and answer text; read-only after init
	// lay draws the layout of a sample: its facts at fixed positions, its
	// question and answer. The noise is read as the sample is made, so
	// every sample can be streamed.
	lay         func(rng *rand.Rand) (layout, error)
	babi        []babiSet
	babiSkipped []int // tasks with no question that fits (training several tasks)
}

func (t *qaTask) Config() TaskConfig { return t.cfg }

func (t *qaTask) SampleAt(i int) (Sample, error) {
	if i < 0 {
		return Sample{}, fmt.Errorf("data: sample index %d, want >= 0", i)
	}
	return t.Sample(SampleRNG(t.cfg.Seed, i))
}

func (t *qaTask) Sample(rng *rand.Rand) (Sample, error) {
	b, l, err := t.start(rng)
	if err != nil {
		return Sample{}, err
	}
	defer b.noise.r.Close()
	return b.anchored(t, l)
}

// start opens the noise of a sample and draws its layout.
func (t *qaTask) start(rng *rand.Rand) (*builder, layout, error) {
	b := &builder{
		noise: noiseTokens{r: t.noise.Open(rng), tok: t.cfg.Tokenizer, rng: rng},
		L:     t.cfg.Length(),
	}
	l, err := t.lay(rng)
	if err != nil {
		b.noise.r.Close()
		return nil, layout{}, err
	}
	if l.length > 0 {
		b.L = l.length
	}
	return b, l, nil
}

// encode returns the ids of " "+text (every piece of a sample starts with a
// space, so pieces join as words), cached in t.ids during init.
func (t *qaTask) encode(text string) ([]int, error) {
	if ids, ok := t.ids[text]; ok {
		return ids, nil
	}
	ids, err := t.cfg.Tokenizer.Encode(" " + text)
	if err != nil {
		return nil, fmt.Errorf("data: tokenize %q: %w", text, err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("data: tokenize %q: no tokens", text)
	}
	t.ids[text] = ids
	return ids, nil
}

// tailLen is the length of question | marker | answer | EOS.
func (t *qaTask) tailLen(question, answer string) int {
	n := len(t.ids[question]) + len(t.ids[markerKey]) + len(t.ids[answer])
	if t.cfg.Tokenizer.EOS() >= 0 {
		n++
	}
	return n
}

// encodeAll caches the ids of texts and returns the longest length.
func (t *qaTask) encodeAll(texts []string) (int, error) {
	longest := 0
	for _, s := range texts {
		ids, err := t.encode(s)
		if err != nil {
			return 0, err
		}
		longest = max(longest, len(ids))
	}
	return longest, nil
}

func (t *qaTask) fitError(need, fact, tail int) error {
	return badField("segment_size", "%d cannot hold task %s's facts and question in one segment: need %d tokens (facts %d, question+marker+answer+EOS %d); raise {segment_size}",
		t.cfg.SegmentSize, t.cfg.Name, need, fact, tail)
}

// initFacts prepares memorize and detect: "{name} {moved} to the {place}."
// with question "Where is {name}?" and answer "{place}".
func (t *qaTask) initFacts() error {
	var facts, questions []string
	for _, n := range names {
		questions = append(questions, "Where is "+n+"?")
		for _, v := range moveVerbs {
			for _, p := range places {
				facts = append(facts, n+" "+v+" to the "+p+".")
			}
		}
	}
	maxFact, err := t.encodeAll(facts)
	if err != nil {
		return err
	}
	maxTail, err := t.maxTail(questions, places)
	if err != nil {
		return err
	}
	// detect may put the fact at the start of the last segment, before the
	// question; memorize with one segment does too.
	if need := maxFact + maxTail; need > t.cfg.SegmentSize {
		return t.fitError(need, maxFact, maxTail)
	}
	t.lay = t.layFact
	return nil
}

// maxTail caches the question, marker and answer ids and returns the
// longest question | marker | answer | EOS.
func (t *qaTask) maxTail(questions, answers []string) (int, error) {
	if _, err := t.encode(markerKey); err != nil {
		return 0, err
	}
	maxQ, err := t.encodeAll(questions)
	if err != nil {
		return 0, err
	}
	maxA, err := t.encodeAll(answers)
	if err != nil {
		return 0, err
	}
	n := maxQ + len(t.ids[markerKey]) + maxA
	if t.cfg.Tokenizer.EOS() >= 0 {
		n++
	}
	return n, nil
}

func (t *qaTask) layFact(rng *rand.Rand) (layout, error) {
	name := names[rng.IntN(len(names))]
	verb := moveVerbs[rng.IntN(len(moveVerbs))]
	place := places[rng.IntN(len(places))]
	pos := 0
	if t.cfg.Name == "detect" {
		pos = rng.IntN(t.cfg.Segments) * t.cfg.SegmentSize
	}
	fact := t.ids[name+" "+verb+" to the "+place+"."]
	return layout{facts: []placed{{pos, fact}}, supporting: []int{0}, question: "Where is " + name + "?", answer: place}, nil
}

// initReasoning prepares the qa4-style task: two facts "The X is d1 of the
// Y." and "The Z is d2 of the Y." (d1 != d2), and a question about one of
// them, "What is d of the Y?" or "What is the Y opposite(d) of?", whose
// answer is unique given both.
func (t *qaTask) initReasoning() error {
	var facts, questions []string
	for _, y := range places {
		for _, d := range directions {
			questions = append(questions, "What is "+d+" of the "+y+"?", "What is the "+y+" "+d+" of?")
			for _, x := range places {
				if x != y {
					facts = append(facts, "The "+x+" is "+d+" of the "+y+".")
				}
			}
		}
	}
	maxFact, err := t.encodeAll(facts)
	if err != nil {
		return err
	}
	maxTail, err := t.maxTail(questions, places)
	if err != nil {
		return err
	}
	// Both facts may land in the last segment.
	if need := 2*maxFact + maxTail; need > t.cfg.SegmentSize {
		return t.fitError(need, 2*maxFact, maxTail)
	}
	t.lay = t.layReasoning
	return nil
}

func (t *qaTask) layReasoning(rng *rand.Rand) (layout, error) {
	p := rng.Perm(len(places))
	x, y, z := places[p[0]], places[p[1]], places[p[2]]
	dp := rng.Perm(len(directions))
	d1, d2 := directions[dp[0]], directions[dp[1]]
	texts := []string{"The " + x + " is " + d1 + " of the " + y + ".", "The " + z + " is " + d2 + " of the " + y + "."}
	subjects, dirs := []string{x, z}, []string{d1, d2}
	asked := rng.IntN(2)
	question := "What is " + dirs[asked] + " of the " + y + "?"
	if rng.IntN(2) == 1 {
		question = "What is the " + y + " " + opposite[dirs[asked]] + " of?"
	}
	// Random segments, random non-overlapping offsets within them.
	order := rng.Perm(2) // which fact comes first
	segs := []int{rng.IntN(t.cfg.Segments), rng.IntN(t.cfg.Segments)}
	slices.Sort(segs)
	f0, f1 := t.ids[texts[order[0]]], t.ids[texts[order[1]]]
	H := t.cfg.Length() - t.tailLen(question, subjects[asked])
	var pos []int
	if segs[0] == segs[1] {
		pos = placeIn(rng, segRegion(segs[0], t.cfg.SegmentSize, H), len(f0), len(f1))
	} else {
		pos = append(placeIn(rng, segRegion(segs[0], t.cfg.SegmentSize, H), len(f0)),
			placeIn(rng, segRegion(segs[1], t.cfg.SegmentSize, H), len(f1))...)
	}
	supporting := 0
	if order[1] == asked {
		supporting = 1
	}
	return layout{facts: []placed{{pos[0], f0}, {pos[1], f1}}, supporting: []int{supporting}, question: question, answer: subjects[asked]}, nil
}

// segRegion is the part of segment s before the tail at H: [lo, hi).
func segRegion(s, S, H int) Span { return Span{s * S, min((s+1)*S, H)} }

// placeIn puts pieces of the given lengths, in order and without overlap,
// at uniform positions in r (stars and bars over the free tokens) and
// returns their starts. The caller guarantees that they fit.
func placeIn(rng *rand.Rand, r Span, lens ...int) []int {
	free := r.Len()
	for _, l := range lens {
		free -= l
	}
	cuts := make([]int, len(lens))
	for i := range cuts {
		cuts[i] = rng.IntN(free + 1)
	}
	slices.Sort(cuts)
	pos := make([]int, len(lens))
	at := r.Start
	for i, l := range lens {
		pos[i] = at + cuts[i]
		at += l
	}
	return pos
}

// placed is a piece of tokens to put at a fixed position of the haystack.
type placed struct {
	pos int
	ids []int
}

// builder assembles one sample from noise, facts and the tail.
type builder struct {
	noise noiseTokens
	L     int
}

// layout is a sample before its noise is read: facts at fixed positions
// (sorted, not overlapping, all before the tail), the question and the
// answer; length, when positive, is the sample's own length (a story-only
// sample) instead of the task's.
type layout struct {
	facts            []placed
	supporting       []int
	question, answer string
	length           int
}

// fillBlock bounds the noise read in one piece: a longer run between two
// facts is filled block by block, each block with its own cut sentence
// (noiseTokens.fill), so that a haystack of millions of tokens is made in
// the memory of one block. Runs up to fillBlock tokens are filled whole.
const fillBlock = 8192

// haystack makes the tokens of a layout before the tail, in order, a piece
// at a time: a block of noise or a fact.
type haystack struct {
	b    *builder
	l    layout
	H    int // where the tail starts
	at   int // tokens made so far
	next int // the next fact to place
}

func (b *builder) haystack(t *qaTask, l layout) *haystack {
	return &haystack{b: b, l: l, H: b.L - t.tailLen(l.question, l.answer)}
}

// done reports whether every token before the tail has been made.
func (h *haystack) done() bool { return h.at >= h.H }

// piece appends the next piece to dst.
func (h *haystack) piece(dst []int) ([]int, error) {
	if h.next < len(h.l.facts) && h.at == h.l.facts[h.next].pos {
		f := h.l.facts[h.next].ids
		h.next++
		h.at += len(f)
		return append(dst, f...), nil
	}
	end := h.H
	if h.next < len(h.l.facts) {
		end = h.l.facts[h.next].pos
	}
	k := min(end-h.at, fillBlock)
	dst, _, err := h.b.noise.fill(dst, k)
	h.at += k
	return dst, err
}

// anchored builds a whole sample of a layout: its haystack, then the tail.
func (b *builder) anchored(t *qaTask, l layout) (Sample, error) {
	h := b.haystack(t, l)
	ids := make([]int, 0, b.L)
	for !h.done() {
		var err error
		if ids, err = h.piece(ids); err != nil {
			return Sample{}, err
		}
	}
	spans := make([]Span, len(l.facts))
	for i, f := range l.facts {
		spans[i] = Span{f.pos, f.pos + len(f.ids)}
	}
	return b.finish(t, ids, spans, l.supporting, l.question, l.answer)
}

// finish appends question | marker | answer | EOS to a haystack of
// L - tailLen tokens and sets the mask.
func (b *builder) finish(t *qaTask, ids []int, facts []Span, supporting []int, question, answer string) (Sample, error) {
	s := Sample{Answer: answer, Facts: facts, Supporting: supporting}
	s.Question = Span{len(ids), len(ids) + len(t.ids[question])}
	ids = append(ids, t.ids[question]...)
	ids = append(ids, t.ids[markerKey]...)
	s.AnswerStart = len(ids)
	ids = append(ids, t.ids[answer]...)
	if eos := t.cfg.Tokenizer.EOS(); eos >= 0 {
		ids = append(ids, eos)
	}
	if len(ids) != b.L {
		return Sample{}, fmt.Errorf("data: internal error: task %s built %d tokens, want %d", t.cfg.Name, len(ids), b.L)
	}
	s.IDs = ids
	s.LabelMask = make([]bool, b.L)
	for i := s.AnswerStart; i < b.L; i++ {
		s.LabelMask[i] = true
	}
	return s, nil
}

// maxCutAttempts bounds the sentences fill drops because their cut left a
// task word (only a corpus that repeats such a sentence reaches it).
const maxCutAttempts = 64

// noiseTokens turns a sentence stream into token runs.
type noiseTokens struct {
	r    SentenceReader
	tok  Tokenizer
	rng  *rand.Rand // picks the sentence to cut
	lens []int      // scratch: sentence lengths of the run being filled
}

// next returns the ids of the next sentence, with a leading space.
func (n *noiseTokens) next() ([]int, error) {
	for {
		s, err := n.r.Next()
		if err != nil {
			return nil, err
		}
		ids, err := n.tok.Encode(" " + s)
		if err != nil {
			return nil, fmt.Errorf("data: tokenize noise %q: %w", s, err)
		}
		if len(ids) > 0 {
			return ids, nil
		}
	}
}

// fill appends exactly k noise tokens to dst: consecutive sentences, one
// of which, drawn at random among those long enough, loses its first tokens
// to make the count exact (so the fragment sits nowhere in particular). It
// returns the offsets in dst where sentences (the fragment included) start.
// A cut that leaves a task word at the front of the fragment ("Rosemary"
// cut to "mary") drops that sentence instead and reads on.
func (n *noiseTokens) fill(dst []int, k int) ([]int, []int, error) {
	if k <= 0 {
		return dst, nil, nil
	}
	start := len(dst)
	n.lens = n.lens[:0]
	total := 0
	for attempt := 0; ; attempt++ {
		if attempt == maxCutAttempts {
			return dst, nil, fmt.Errorf("data: noise: %d cuts in a row left a task word at the front of a sentence fragment; the noise text repeats itself too much", attempt)
		}
		for total < k {
			ids, err := n.next()
			if err != nil {
				return dst, nil, err
			}
			dst = append(dst, ids...)
			n.lens = append(n.lens, len(ids))
			total += len(ids)
		}
		excess := total - k
		if excess > 0 {
			// The last sentence is always long enough: total was below
			// k before it came.
			var long []int
			for i, l := range n.lens {
				if l > excess {
					long = append(long, i)
				}
			}
			j := long[n.rng.IntN(len(long))]
			at := start
			for _, l := range n.lens[:j] {
				at += l
			}
			cut := excess
			if MentionsTaskWord(n.tok.Decode(dst[at+excess : at+n.lens[j]])) {
				cut = n.lens[j] // drop the sentence and read on
			}
			dst = append(dst[:at], dst[at+cut:]...)
			total -= cut
			if n.lens[j] -= cut; n.lens[j] == 0 {
				n.lens = append(n.lens[:j], n.lens[j+1:]...)
				continue
			}
		}
		starts := make([]int, len(n.lens))
		at := start
		for i, l := range n.lens {
			starts[i] = at
			at += l
		}
		return dst, starts, nil
	}
}
