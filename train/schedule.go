package train

import (
	"fmt"
	"math"
)

// Schedule is a learning-rate schedule over a budget of Total steps
// (0 .. Total-1): a linear warm-up to Peak, then a decay to the floor
// Peak·MinRatio.
type Schedule struct {
	Peak     float64 // the largest learning rate, reached at the last warm-up step
	Warmup   int     // warm-up steps; 0 starts at Peak
	Total    int     // the step budget; the decay reaches the floor at step Total
	Decay    string  // "linear", "cosine" or "constant"
	MinRatio float64 // the floor as a fraction of Peak, in [0, 1]; default 0
}

// Decay names accepted by Schedule.
const (
	DecayLinear   = "linear"
	DecayCosine   = "cosine"
	DecayConstant = "constant"
)

// LR is the learning rate at step (0-based). With W = Warmup, T = Total,
// floor = Peak·MinRatio:
//
//	step < W:        Peak·(step+1)/W                 (linear warm-up, Peak/W at step 0)
//	W ≤ step < T:    Peak - (Peak-floor)·d(x),  x = (step-a)/(T-a),  a = max(W-1, 0)
//	                 linear:   d(x) = x
//	                 cosine:   d(x) = (1 - cos(π·x))/2
//	                 constant: d(x) = 0
//	step ≥ T:        floor
//
// The decay is anchored at a, the step where warm-up reaches Peak (step 0
// without warm-up), so warm-up and decay meet at Peak without repeating it
// and linear and cosine end continuously in the floor at T (warm-up itself
// may start below the floor). At and past the end of the budget every decay
// gives the floor, constant included. LR never panics; on a schedule that
// fails Validate its value is unspecified.
func (s Schedule) LR(step int) float64 {
	step = max(step, 0)
	floor := s.Peak * s.MinRatio
	if step >= s.Total {
		return floor
	}
	if step < s.Warmup {
		return s.Peak * float64(step+1) / float64(s.Warmup)
	}
	a := max(s.Warmup-1, 0)
	x := float64(step-a) / float64(s.Total-a) // in [0, 1): step < Total
	// d is the fraction of the way from Peak down to the floor.
	var d float64
	switch s.Decay {
	case DecayLinear:
		d = x
	case DecayCosine:
		d = (1 - math.Cos(math.Pi*x)) / 2
	}
	return s.Peak - (s.Peak-floor)*d
}

// Validate reports the first field out of range: Peak must be positive and
// finite, Warmup non-negative and at most Total, Total positive, Decay one of
// linear, cosine or constant, MinRatio in [0, 1].
func (s Schedule) Validate() error {
	switch {
	case !(s.Peak > 0) || math.IsInf(s.Peak, 0):
		return fmt.Errorf("train: schedule: peak learning rate %g, want a positive number", s.Peak)
	case s.Total <= 0:
		return fmt.Errorf("train: schedule: total steps %d, want at least 1", s.Total)
	case s.Warmup < 0:
		return fmt.Errorf("train: schedule: warmup steps %d, want 0 or more", s.Warmup)
	case s.Warmup > s.Total:
		return fmt.Errorf("train: schedule: warmup steps %d exceed total steps %d", s.Warmup, s.Total)
	case s.Decay != DecayLinear && s.Decay != DecayCosine && s.Decay != DecayConstant:
		return fmt.Errorf("train: schedule: decay %q, want %q, %q or %q", s.Decay, DecayLinear, DecayCosine, DecayConstant)
	case !(s.MinRatio >= 0 && s.MinRatio <= 1):
		return fmt.Errorf("train: schedule: min ratio %g, want a fraction of the peak in [0, 1]", s.MinRatio)
	}
	return nil
}
