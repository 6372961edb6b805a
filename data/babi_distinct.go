package data

import (
	"fmt"
	"strings"
)

// BabiQuestionKey names the bAbI question sample i of a babi task asks
// (its statements, question and answer), without making the sample: two
// samples with equal keys ask the same question, whatever background
// surrounds it. It reports false for tasks of other kinds. Evaluation
// counts distinct questions with it, since a test file of few stories
// repeats its questions across samples.
func BabiQuestionKey(t Task, i int) (string, bool) {
	switch x := t.(type) {
	case *BabilongTask:
		rng := SampleRNG(x.cfg.Seed, i)
		q := &x.qs[rng.IntN(len(x.qs))] // plan's first draw
		return strings.Join(q.facts, "\n") + "\n" + q.question + "\t" + q.answer, true
	case *qaTask:
		if len(x.babi) == 0 {
			return "", false
		}
		rng := SampleRNG(x.cfg.Seed, i)
		// start opens the noise without drawing; layBabi draws the task,
		// then the question.
		set := x.babi[rng.IntN(len(x.babi))]
		q := set.qs[rng.IntN(len(set.qs))]
		return fmt.Sprint(set.task, q.facts, q.question, "\t", q.answer), true
	}
	return "", false
}
