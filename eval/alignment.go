package eval

import (
	"errors"
	"fmt"
	"io"

	"github.com/rmtgo/rmt/data"
)

// How a prompt is cut into segments. Training samples are whole segments
// that end with their answer, so a training question always ends at one
// place of a segment (with answer_room, the same place for every answer);
// a benchmark sample of a length in tokens ends anywhere, and a model
// trained so answers such a question far worse. Right alignment (as RMT's
// reference code offers) cuts the prompt from its end instead: the first
// segment is the short one, and the question ends where training put it.
const (
	AlignLeft  = "left"  // from the start; the last segment is the short one
	AlignRight = "right" // from the end; the first segment is the short one
)

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
// tokens read in segments of S with room tokens after it (right
// alignment): 0 (a whole segment) when prompt and room fit one segment or
// end a segment already.
func firstSegment(prompt, room, S int) int {
	n := prompt + room
	if n <= S {
		return 0
	}
	return n % S
}

// promptLength is the length of sample i's prompt in the model's tokens,
// read through without the model.
func promptLength(task data.Task, i int) (int, error) {
	ps, err := promptAt(task, i)
	if err != nil {
		return 0, err
	}
	defer ps.Close()
	n := 0
	var piece []int
	for {
		piece, err = ps.Next(piece[:0])
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return 0, err
		}
		n += len(piece)
	}
}

// align is the run's alignment, empty for left (as older files record it).
func (run BabilongRun) align() string {
	if run.Align == AlignRight {
		return AlignRight
	}
	return ""
}

// resolveAlign checks the run's alignment and settles its answer room:
// right alignment leaves the room the checkpoint's training left after
// every prompt (its answer_room) unless the run gives one; left leaves none.
func (run *BabilongRun) resolveAlign(ck *Checkpoint) error {
	align, err := ParseAlign(run.Align)
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if run.AnswerRoom < 0 {
		return fmt.Errorf("eval: answer room %d, want 0 (the checkpoint's) or more", run.AnswerRoom)
	}
	if align == AlignLeft {
		if run.AnswerRoom > 0 {
			return fmt.Errorf("eval: an answer room of %d is for right alignment", run.AnswerRoom)
		}
		return nil
	}
	if run.AnswerRoom == 0 {
		run.AnswerRoom = ck.RMT.AnswerRoom
	}
	if run.AnswerRoom == 0 {
		return fmt.Errorf("eval: right alignment leaves the room after each prompt that training left (answer_room), and %s records none; give the room, or train with answer_room", ck.Dir)
	}
	return nil
}
