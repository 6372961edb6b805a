package curriculum

import (
	"fmt"
	"math"
)

// Decision is what Progress.Observe tells the training loop to do next.
type Decision int

const (
	// Continue training the current stage.
	Continue Decision = iota
	// Advance to the next stage: the threshold is reached or the step
	// budget is spent.
	Advance
	// Stop the current stage early because patience ran out. Training also
	// moves to the next stage; the name keeps the reason visible in logs.
	Stop
)

func (d Decision) String() string {
	switch d {
	case Continue:
		return "continue"
	case Advance:
		return "advance"
	case Stop:
		return "stop"
	}
	return fmt.Sprintf("Decision(%d)", int(d))
}

// Progress follows the validation results of one stage. The zero value with
// Stage set is ready: Progress{Stage: s}. Every field is exported so that a
// checkpoint can save it with encoding/json and a resumed run carries on
// with the same best result and patience count.
//
// Steps are counted within the stage: after the stage's k-th optimizer step,
// step is k.
type Progress struct {
	Stage     Stage   `json:"stage"`
	Best      float64 `json:"best"`       // best validation accuracy so far; meaningful once Evals > 0
	BestStep  int     `json:"best_step"`  // step of Best
	Evals     int     `json:"evals"`      // evaluations observed
	SinceBest int     `json:"since_best"` // evaluations since Best, 0 right after an improvement
}

// Observe records the validation accuracy measured after step and decides:
//   - Advance when accuracy >= Stage.Threshold (Threshold > 0),
//   - else Advance when the step budget is spent,
//   - else Stop when Stage.Patience evaluations in a row did not improve on
//     Best (Patience > 0),
//   - else Continue.
//
// The first evaluation always sets Best; after that only a strictly higher
// accuracy counts as an improvement. When Observe returns with
// p.BestStep == step the evaluation is the stage's new best (the one to keep
// as its best checkpoint). A NaN or infinite accuracy is never an
// improvement and never reaches the threshold. The string is the reason, for
// logs.
func (p *Progress) Observe(step int, accuracy float64) (Decision, string) {
	// A non-finite accuracy is a bug upstream; keeping it out of Best also
	// keeps Progress encodable as JSON, which has no NaN or Inf.
	finite := !math.IsNaN(accuracy) && !math.IsInf(accuracy, 0)
	improved := finite && (p.Evals == 0 || accuracy > p.Best)
	p.Evals++
	if improved {
		p.Best, p.BestStep, p.SinceBest = accuracy, step, 0
	} else {
		p.SinceBest++
	}
	s := p.Stage
	switch {
	case s.Threshold > 0 && finite && accuracy >= s.Threshold:
		return Advance, fmt.Sprintf("accuracy %.4f >= threshold %.4g at step %d", accuracy, s.Threshold, step)
	case p.BudgetSpent(step):
		return Advance, fmt.Sprintf("step budget %d spent (best accuracy %.4f at step %d)", s.Steps, p.Best, p.BestStep)
	case s.Patience > 0 && p.SinceBest >= s.Patience:
		return Stop, fmt.Sprintf("no improvement in %d evaluations (best accuracy %.4f at step %d)", p.SinceBest, p.Best, p.BestStep)
	case improved:
		return Continue, fmt.Sprintf("accuracy %.4f, new best", accuracy)
	default:
		return Continue, fmt.Sprintf("accuracy %.4f, best %.4f at step %d (%d of %s without improvement)", accuracy, p.Best, p.BestStep, p.SinceBest, patience(s.Patience))
	}
}

// patience says how many evaluations without improvement a stage allows.
func patience(n int) string {
	if n == 0 {
		return "unlimited evaluations"
	}
	if n == 1 {
		return "1 evaluation"
	}
	return fmt.Sprintf("%d evaluations", n)
}

// BudgetSpent reports whether step has used up the stage's step budget.
func (p *Progress) BudgetSpent(step int) bool {
	return step >= p.Stage.Steps
}
