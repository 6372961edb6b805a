package data

import (
	"fmt"
	"io"
)

// PromptStream hands out the prompt of one question sample (everything
// before the answer) a piece at a time, so that a sample of millions of
// tokens is evaluated without ever being held whole: it holds at most one
// noise block (fillBlock tokens) besides the reader's buffer. The tokens
// are exactly those of the sample SampleAt builds for the same index.
type PromptStream struct {
	// Answer is the sample's answer text (Sample.Answer).
	Answer string
	// AnswerTokens is how many tokens answer the question: the answer's
	// tokens and the EOS after them (the scored tokens of the sample).
	AnswerTokens int
	// PromptTokens is the prompt's length (Sample.AnswerStart); the sample
	// has PromptTokens + AnswerTokens tokens.
	PromptTokens int
	// GPT2Tokens is the sample's length in GPT-2 tokens, BABILong's unit
	// (BabilongTask; 0 for other tasks).
	GPT2Tokens int

	next  func(dst []int) ([]int, error) // the next piece; io.EOF after the last
	close func()
}

// Next appends the next piece of the prompt to dst (a noise block, a fact,
// or the question with the answer marker) and returns it; at the end of the
// prompt it returns dst and io.EOF. The stream closes itself at the end or
// on an error.
func (p *PromptStream) Next(dst []int) ([]int, error) {
	if p.next == nil {
		return dst, io.EOF
	}
	out, err := p.next(dst)
	if err != nil {
		p.Close()
	}
	return out, err
}

// Close releases the noise files; the stream gives io.EOF from then on.
func (p *PromptStream) Close() error {
	if p.close != nil {
		p.close()
	}
	p.next, p.close = nil, nil
	return nil
}

// Streamer is a Task whose samples can be streamed (the question tasks).
type Streamer interface {
	Task
	// StreamAt streams the prompt of sample i of the stream of
	// Config().Seed: the same tokens as SampleAt(i), in order.
	StreamAt(i int) (*PromptStream, error)
}

// StreamAt implements Streamer: the noise is read as the prompt is, a
// block at a time.
func (t *qaTask) StreamAt(i int) (*PromptStream, error) {
	if i < 0 {
		return nil, fmt.Errorf("data: sample index %d, want >= 0", i)
	}
	b, l, err := t.start(SampleRNG(t.cfg.Seed, i))
	if err != nil {
		return nil, err
	}
	h := b.haystack(t, l)
	tail := append(append([]int(nil), t.ids[l.question]...), t.ids[markerKey]...)
	p := &PromptStream{Answer: l.answer, PromptTokens: h.H + len(tail), close: func() { b.noise.r.Close() }}
	p.AnswerTokens = b.L - p.PromptTokens
	p.next = func(dst []int) ([]int, error) {
		if !h.done() {
			return h.piece(dst)
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

// SamplePrompt streams the prompt of a question sample that is already
// built (s.AnswerStart > 0).
func SamplePrompt(s Sample) *PromptStream {
	prompt := s.IDs[:s.AnswerStart]
	p := &PromptStream{Answer: s.Answer, PromptTokens: s.AnswerStart, AnswerTokens: len(s.IDs) - s.AnswerStart}
	p.next = func(dst []int) ([]int, error) {
		if len(prompt) == 0 {
			return dst, io.EOF
		}
		k := min(len(prompt), fillBlock)
		dst = append(dst, prompt[:k]...)
		prompt = prompt[k:]
		return dst, nil
	}
	return p
}
