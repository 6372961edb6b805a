package data

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// MakeQAConfig describes a generated long-document question set: in each
// sample one fact sentence ("Mary went to the garden.") is hidden at a
// random sentence boundary of book text, and the question ("Where is
// Mary?") comes at the end. Book text never names a task entity (the noise
// filter), so the fact is the only answer.
type MakeQAConfig struct {
	BooksDir    string // .txt books (--books)
	Split       string // SplitTrain or SplitEval: which books (SplitFiles, every 5th is eval)
	Samples     int
	MinSegments int // contexts of MinSegments..MaxSegments segments, uniform
	MaxSegments int
	SegmentSize int // S tokens, of Tokenizer
	Seed        int64
	Tokenizer   Tokenizer
}

// MakeQAStats is what MakeQA wrote.
type MakeQAStats struct {
	Samples  int
	Segments map[int]int // samples per segment count of the whole sample
	Tokens   int64
}

// MakeQA writes cfg.Samples JSONL lines {id, context, question, answer} to
// w. Sample i aims at k segments, k drawn uniformly from
// MinSegments..MaxSegments: its context is whole sentences of about
// k*S - (question, marker, answer, EOS) - S/2 tokens, so that the sample
// needs k segments; the segment count each line takes with this tokenizer
// is counted in the stats. A sample depends on (Seed, i) alone.
func MakeQA(cfg MakeQAConfig, w io.Writer) (MakeQAStats, error) {
	st := MakeQAStats{Segments: map[int]int{}}
	if cfg.Samples < 1 || cfg.MinSegments < 1 || cfg.MaxSegments < cfg.MinSegments || cfg.SegmentSize < 8 {
		return st, badField("", "make-qa: {samples} %d, {segments} %d-%d, {segment_size} %d: want at least 1 sample, 1 <= min <= max segments and segments of 8 tokens or more",
			cfg.Samples, cfg.MinSegments, cfg.MaxSegments, cfg.SegmentSize)
	}
	if cfg.Split == "" {
		cfg.Split = SplitTrain
	}
	noise, err := NewBookNoise(cfg.BooksDir, cfg.Split, DefaultEvalEvery)
	if err != nil {
		return st, err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	S := cfg.SegmentSize
	for i := range cfg.Samples {
		rng := SampleRNG(cfg.Seed, i)
		k := cfg.MinSegments + rng.IntN(cfg.MaxSegments-cfg.MinSegments+1)
		name := names[rng.IntN(len(names))]
		place := places[rng.IntN(len(places))]
		fact := name + " " + moveVerbs[rng.IntN(len(moveVerbs))] + " to the " + place + "."
		question := "Where is " + name + "?"
		r := Record{Question: question, Answer: place}
		tail, err := QuestionIDs(cfg.Tokenizer, question)
		if err != nil {
			return st, err
		}
		ans, err := AnswerIDs(cfg.Tokenizer, place)
		if err != nil {
			return st, err
		}
		factIDs, err := cfg.Tokenizer.Encode(" " + fact)
		if err != nil {
			return st, err
		}
		// Aim half a segment below the end of segment k: a context whose
		// sentences tokenize a little differently joined still fits.
		budget := k*S - len(tail) - len(ans) - len(factIDs) - S/2
		var sents []string
		have, skipped := 0, 0
		rd := noise.Open(rng)
		for have < budget {
			s, err := rd.Next()
			if err != nil {
				rd.Close()
				return st, err
			}
			ids, err := cfg.Tokenizer.Encode(" " + s)
			if err != nil {
				rd.Close()
				return st, err
			}
			if have+len(ids) > budget {
				// A first sentence longer than the whole budget is
				// passed over (a few times at most): the sample would
				// need more segments than drawn.
				if skipped++; len(sents) > 0 || skipped > 100 {
					break
				}
				continue
			}
			sents = append(sents, s)
			have += len(ids)
		}
		rd.Close()
		at := rng.IntN(len(sents) + 1)
		sents = append(sents[:at], append([]string{fact}, sents[at:]...)...)
		r.Context = strings.Join(sents, " ")
		p, err := encodeQA(cfg.Tokenizer, r)
		if err != nil {
			return st, err
		}
		n := len(p.context) + len(p.tail) + len(p.answer)
		st.Segments[ceilDiv(n, S)]++
		st.Tokens += int64(n)
		st.Samples++
		line := struct {
			ID       string `json:"id"`
			Context  string `json:"context"`
			Question string `json:"question"`
			Answer   string `json:"answer"`
		}{fmt.Sprintf("%s-%d", cfg.Split, i), r.Context, r.Question, r.Answer}
		if err := enc.Encode(line); err != nil {
			return st, fmt.Errorf("data: make-qa: %w", err)
		}
	}
	return st, nil
}
