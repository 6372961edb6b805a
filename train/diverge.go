package train

import (
	"fmt"
	"math"
)

// DivergenceFactor is the divergence rule (docs/runs.md): a validation loss
// above DivergenceFactor times the stage's lowest one (or above
// DivergenceFactor nats when that is below 1), or above DivergenceFactor
// times the loss of a uniform guess over the vocabulary (ln V, which also
// covers a stage's first validation), stops the run. Non-finite losses and
// gradients stop it too. The run stops without saving the diverged weights
// and names the last checkpoint that was validated.
const DivergenceFactor = 10

// checkDivergence applies the divergence rule to a validation and records
// the stage's lowest loss; it runs before the curriculum sees the result,
// so a diverged evaluation is never the best.
func (t *trainer) checkDivergence(loss float64) error {
	best := t.state.BestLoss
	switch {
	case math.IsNaN(loss) || math.IsInf(loss, 0):
		return fmt.Errorf("train: diverged: validation loss is %v at step %d (stage %d); stopping without saving: the last good checkpoint is %s",
			loss, t.state.Step, t.state.Stage+1, t.lastGoodNote())
	case best > 0 && loss > DivergenceFactor*max(best, 1):
		return fmt.Errorf("train: diverged: validation loss %.4g at step %d (stage %d) is above %d times the stage's best %.4g; stopping without saving: the last good checkpoint is %s",
			loss, t.state.Step, t.state.Stage+1, DivergenceFactor, best, t.lastGoodNote())
	case t.w != nil && loss > DivergenceFactor*math.Log(float64(t.w.Config.VocabSize)):
		return fmt.Errorf("train: diverged: validation loss %.4g at step %d (stage %d) is above %d times that of a uniform guess (ln %d = %.3g); stopping without saving: the last good checkpoint is %s",
			loss, t.state.Step, t.state.Stage+1, DivergenceFactor, t.w.Config.VocabSize, math.Log(float64(t.w.Config.VocabSize)), t.lastGoodNote())
	}
	if best == 0 || loss < best {
		t.state.BestLoss = loss
	}
	return nil
}

// finiteGradients stops a step whose gradients hold a NaN or Inf, before
// the update carries it into every weight and moment.
func (t *trainer) finiteGradients(grads [][]float32) error {
	for i, g := range grads {
		for j, v := range g {
			if v-v != 0 {
				return fmt.Errorf("train: gradient of %s is %v at index %d at step %d (stage %d); stopping without the update: the last good checkpoint is %s",
					t.w.Params[i].Name, v, j, t.state.Step+1, t.state.Stage+1, t.lastGoodNote())
			}
		}
	}
	return nil
}

// lastGoodNote names the checkpoint a stopped run should resume from: the
// last one saved at a validated step (or resumed from), and the newer ones
// saved between validations when there are any.
func (t *trainer) lastGoodNote() string {
	switch {
	case t.lastValidated == "" && t.lastGood != "":
		return t.lastGood + " (saved before any validation, so not validated)"
	case t.lastValidated == "":
		return orNone(t.lastGood)
	case t.lastGood != t.lastValidated:
		return fmt.Sprintf("%s (the last validated; %s was saved after it, between validations)", t.lastValidated, t.lastGood)
	}
	return t.lastValidated
}
