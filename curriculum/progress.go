package curriculum

import (
	"fmt"
	"math"
	"strconv"
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
// improvement and never reaches the threshold. The Reason says why, for
// logs.
func (p *Progress) Observe(step int, accuracy float64) (Decision, Reason) {
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
	r := Reason{Value: accuracy, Step: step, Best: p.Best, BestStep: p.BestStep, SinceBest: p.SinceBest, Stage: s}
	switch {
	case s.Threshold > 0 && finite && accuracy >= s.Threshold:
		r.Why = ThresholdReached
		return Advance, r
	case p.BudgetSpent(step):
		r.Why = BudgetSpent
		return Advance, r
	case s.Patience > 0 && p.SinceBest >= s.Patience:
		r.Why = PatienceOut
		return Stop, r
	case improved:
		r.Why = NewBest
	default:
		r.Why = NoImprovement
	}
	return Continue, r
}

// Why names what decided an Observe.
type Why int

const (
	NewBest          Why = iota // Continue: the best so far
	NoImprovement               // Continue: not better than the best, patience left
	ThresholdReached            // Advance: the value reached the stage's threshold
	BudgetSpent                 // Advance: the stage's steps are done
	PatienceOut                 // Stop: Patience evaluations without improvement
)

// Reason is why Observe decided what it did, with the numbers a log line
// needs. Steps are the stage's own count, as Observe was given them.
type Reason struct {
	Why       Why
	Value     float64 // the value observed
	Step      int     // the stage step observed
	Best      float64
	BestStep  int
	SinceBest int
	Stage     Stage
}

// String is the reason in the stage's own steps, the value named accuracy.
func (r Reason) String() string {
	return r.Format("accuracy", func(v float64) float64 { return v }, func(s int) string { return "stage step " + strconv.Itoa(s) })
}

// Format is the reason for a log line: metric names what the value is,
// shown maps a value to what is printed (a run that selects by minus the
// validation loss shows the loss), and step names a stage step (a training
// loop shows its global step).
func (r Reason) Format(metric string, shown func(float64) float64, step func(stageStep int) string) string {
	best := fmt.Sprintf("best %s %.4f at %s", metric, shown(r.Best), step(r.BestStep))
	switch r.Why {
	case ThresholdReached:
		return fmt.Sprintf("%s %.4f >= threshold %.4g at %s", metric, shown(r.Value), r.Stage.Threshold, step(r.Step))
	case BudgetSpent:
		return fmt.Sprintf("step budget %d spent (%s)", r.Stage.Steps, best)
	case PatienceOut:
		return fmt.Sprintf("no improvement in %d evaluations (%s)", r.SinceBest, best)
	case NewBest:
		return fmt.Sprintf("%s %.4f, new best", metric, shown(r.Value))
	}
	return fmt.Sprintf("%s %.4f, %s (%d of %s without improvement)", metric, shown(r.Value), best, r.SinceBest, patience(r.Stage.Patience))
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
