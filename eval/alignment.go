package eval

import "fmt"

// How a prompt is cut into segments. Training samples are whole segments
// that end with their answer, so the question of every training sample
// sits at the end of a segment; a benchmark sample of a length in tokens
// ends anywhere. Right alignment (as RMT's reference code offers) cuts the
// prompt from its end instead: the first segment is the short one, and the
// question ends where the training samples' questions end.
const (
	AlignLeft  = "left"  // from the start; the last segment is the short one
	AlignRight = "right" // from the end; the first segment is the short one
)

// alignReserve is what right alignment leaves free after the prompt in its
// last segment: the slots of a one-token answer and its EOS, where a
// training sample's answer is. It is fixed, so the answer's length never
// shapes how its prompt is read.
const alignReserve = 2

// ParseAlign checks an alignment name; empty means AlignLeft.
func ParseAlign(s string) (string, error) {
	switch s {
	case "", AlignLeft:
		return AlignLeft, nil
	case AlignRight:
		return AlignRight, nil
	}
	return "", fmt.Errorf("alignment %q, want %s or %s", s, AlignLeft, AlignRight)
}

// firstSegment is the length of the first segment of a prompt of prompt
// tokens read in segments of S under align: 0 (a whole segment) for left
// alignment and for a prompt that fits one segment with the reserve.
func firstSegment(align string, prompt, S int) int {
	n := prompt + alignReserve
	if align != AlignRight || n <= S {
		return 0
	}
	return n % S
}

// align is the run's alignment, empty for left (as older files record it).
func (run BabilongRun) align() string {
	if run.Align == AlignRight {
		return AlignRight
	}
	return ""
}
