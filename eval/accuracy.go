package eval

import (
	"fmt"
	"strings"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// Answer streams a sample's prompt (everything before the answer) through
// the memory cell segment by segment, then greedily generates as many
// tokens as the answer and its end token have, stopping at EOS. correct is
// the exact match of the generated text (without EOS, spaces trimmed) with
// the sample's answer.
func Answer(cell *graph.Cell[float32], tok data.Tokenizer, s data.Sample) (got string, correct bool, err error) {
	if s.AnswerStart <= 0 {
		return "", false, fmt.Errorf("eval: the sample has no answer to generate (task lm?)")
	}
	n := 0
	for _, m := range s.LabelMask {
		if m {
			n++
		}
	}
	st := cell.NewStream()
	if err := st.Feed(s.IDs[:s.AnswerStart]); err != nil {
		return "", false, err
	}
	eos := tok.EOS()
	out, err := st.Generate(nil, n, func(id int) bool { return id == eos })
	if err != nil {
		return "", false, err
	}
	if len(out) > 0 && out[len(out)-1] == eos {
		out = out[:len(out)-1]
	}
	got = strings.TrimSpace(tok.Decode(out))
	return got, got == s.Answer, nil
}

// SequenceOf turns samples into a batch for a memory cell: the prediction
// at t is scored where the sample marks token t+1 as a target.
func SequenceOf(samples ...data.Sample) graph.Sequence {
	var seq graph.Sequence
	for _, s := range samples {
		score := make([]bool, len(s.IDs))
		for t := 0; t+1 < len(s.IDs); t++ {
			score[t] = s.LabelMask[t+1]
		}
		seq.IDs = append(seq.IDs, s.IDs)
		seq.Score = append(seq.Score, score)
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
	v := Validation{Samples: len(samples)}
	correct, qa := 0, 0
	for _, s := range samples {
		tr, err := cell.Forward(SequenceOf(s))
		if err != nil {
			return v, err
		}
		v.Loss += tr.Loss / float64(len(samples))
		if s.AnswerStart > 0 {
			qa++
			_, ok, err := Answer(cell, tok, s)
			if err != nil {
				return v, err
			}
			if ok {
				correct++
			}
		}
	}
	v.Accuracy = float64(correct) / float64(max(qa, 1))
	if qa == 0 {
		v.Accuracy = -1
	}
	return v, nil
}
