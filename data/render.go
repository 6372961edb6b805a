package data

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// Render writes a sample for a person to read: a header line (task, shape,
// answer), where the facts, question and answer lie, then the decoded text
// with [FACT ...], [QUESTION ...] and [ANSWER ...] marked (FACT* when a fact
// supports the answer among several), EOS as <eos>, and |segment k| at each
// segment start. A noise run longer than 2*context tokens shows its first
// and last context tokens and the number skipped (for lm, each segment is
// abbreviated so); facts are always shown. context <= 0 shows everything.
func Render(w io.Writer, s Sample, cfg TaskConfig, context int) error {
	tok, S := cfg.Tokenizer, cfg.SegmentSize
	if tok == nil || S < 1 {
		return fmt.Errorf("data: render: config needs a tokenizer and a segment size")
	}
	L := len(s.IDs)
	bw := bufio.NewWriter(w)
	scored := 0
	for _, m := range s.LabelMask {
		if m {
			scored++
		}
	}
	answer := ""
	if s.AnswerStart >= 0 {
		answer = fmt.Sprintf(" | answer %q", s.Answer)
	}
	fmt.Fprintf(bw, "task %s | %d segments x %d tokens = %d tokens%s | %d scored tokens\n",
		cfg.Name, cfg.Segments, S, L, answer, scored)

	text := func(sp Span) string { return strings.TrimSpace(tok.Decode(s.IDs[sp.Start:sp.End])) }
	where := func(sp Span) string {
		a, b := sp.Start/S+1, (sp.End-1)/S+1
		if a == b {
			return fmt.Sprintf("tokens %d-%d, segment %d", sp.Start, sp.End-1, a)
		}
		return fmt.Sprintf("tokens %d-%d, segments %d-%d", sp.Start, sp.End-1, a, b)
	}
	supports := map[int]bool{}
	for _, i := range s.Supporting {
		supports[i] = true
	}
	if len(s.Facts) > 5 {
		fmt.Fprintf(bw, "%d facts inserted; the supporting ones:\n", len(s.Facts))
	}
	for i, f := range s.Facts {
		if len(s.Facts) > 5 && !supports[i] {
			continue
		}
		mark := ""
		if supports[i] && len(s.Facts) > 1 {
			mark = " (supporting)"
		}
		fmt.Fprintf(bw, "fact %d%s: %s: %q\n", i+1, mark, where(f), text(f))
	}
	answerEnd := L
	hasEOS := tok.EOS() >= 0 && s.AnswerStart >= 0 && L > 0 && s.IDs[L-1] == tok.EOS()
	if hasEOS {
		answerEnd--
	}
	if s.AnswerStart >= 0 {
		fmt.Fprintf(bw, "question: %s: %q\n", where(s.Question), text(s.Question))
		eos := ""
		if hasEOS {
			eos = ", then EOS"
		}
		fmt.Fprintf(bw, "answer: %s: %q%s\n", where(Span{s.AnswerStart, answerEnd}), s.Answer, eos)
	} else {
		fmt.Fprintf(bw, "language modelling: every token but the first is a target\n")
	}
	bw.WriteString("\n")

	// The marked pieces in order; the gaps between them are noise.
	type piece struct {
		sp          Span
		open, close string
	}
	var pieces []piece
	for i, f := range s.Facts {
		open := "[FACT "
		if supports[i] && len(s.Facts) > 1 {
			open = "[FACT* "
		}
		pieces = append(pieces, piece{f, open, "]"})
	}
	if s.AnswerStart >= 0 {
		pieces = append(pieces,
			piece{s.Question, "[QUESTION ", "]"},
			piece{Span{s.Question.End, s.AnswerStart}, "", ""},
			piece{Span{s.AnswerStart, answerEnd}, "[ANSWER ", "]"})
	}
	r := renderer{w: bw, ids: s.IDs, tok: tok, S: S, what: "noise tokens"}
	if s.AnswerStart < 0 {
		r.what = "tokens"
	}
	at := 0
	for _, p := range pieces {
		r.noise(Span{at, p.sp.Start}, context)
		r.marked(p.sp, p.open, p.close)
		at = p.sp.End
	}
	if s.AnswerStart < 0 {
		// A document: abbreviate each segment on its own, so that every
		// segment start shows.
		for ; at < L; at += S {
			r.noise(Span{at, min(at+S, L)}, context)
		}
	}
	r.noise(Span{at, answerEnd}, context)
	if hasEOS {
		r.marks(L - 1)
		bw.WriteString(" <eos>")
	}
	bw.WriteString("\n")
	return bw.Flush()
}

type renderer struct {
	w    *bufio.Writer
	ids  []int
	tok  Tokenizer
	S    int
	what string // what a skipped run is, for the note
}

// marks writes the segment start at t, if one is there.
func (r *renderer) marks(t int) {
	if t%r.S == 0 {
		if t > 0 {
			r.w.WriteString("\n")
		}
		fmt.Fprintf(r.w, "|segment %d|\n", t/r.S+1)
	}
}

// plain writes the tokens of sp with segment marks where they start.
func (r *renderer) plain(sp Span) {
	for a := sp.Start; a < sp.End; {
		r.marks(a)
		b := min(sp.End, (a/r.S+1)*r.S)
		r.w.WriteString(r.tok.Decode(r.ids[a:b]))
		a = b
	}
}

func (r *renderer) marked(sp Span, open, close string) {
	if sp.Len() <= 0 {
		return
	}
	if open == "" {
		r.plain(sp)
		return
	}
	r.marks(sp.Start)
	r.w.WriteString(" " + open)
	// Decode the piece whole (a fact across a segment start stays one
	// piece; its segments are in the summary above).
	r.w.WriteString(strings.TrimSpace(r.tok.Decode(r.ids[sp.Start:sp.End])))
	r.w.WriteString(close)
}

// noise writes a noise run, abbreviated to its ends when long.
func (r *renderer) noise(sp Span, context int) {
	if context <= 0 || sp.Len() <= 2*context+16 {
		r.plain(sp)
		return
	}
	head, tail := Span{sp.Start, sp.Start + context}, Span{sp.End - context, sp.End}
	r.plain(head)
	skipped := Span{head.End, tail.Start}
	first, last := (skipped.Start+r.S-1)/r.S, (skipped.End-1)/r.S // segment starts inside, 0-based
	note := ""
	switch {
	case first == last:
		note = fmt.Sprintf("; segment %d starts inside", first+1)
	case first < last:
		note = fmt.Sprintf("; segments %d-%d start inside", first+1, last+1)
	}
	fmt.Fprintf(r.w, " [... %d %s skipped%s ...] ", skipped.Len(), r.what, note)
	r.plain(tail)
}
