package train

import (
	"math"
	"strings"
	"testing"
)

func TestScheduleLR(t *testing.T) {
	linear := Schedule{Peak: 1, Warmup: 4, Total: 12, Decay: "linear"}
	linearFloor := linear
	linearFloor.MinRatio = 0.1
	cosine := Schedule{Peak: 1, Warmup: 0, Total: 10, Decay: "cosine"}
	cosineWarm := Schedule{Peak: 2, Warmup: 3, Total: 7, Decay: "cosine", MinRatio: 0.25}
	constant := Schedule{Peak: 2, Warmup: 2, Total: 5, Decay: "constant"}
	constantFloor := constant
	constantFloor.MinRatio = 0.5
	allWarmup := Schedule{Peak: 1, Warmup: 4, Total: 4, Decay: "linear"}

	tests := []struct {
		name string
		s    Schedule
		step int
		want float64
	}{
		// Warm-up: Peak·(s+1)/W, reaching Peak at step W-1.
		{"linear/first warm-up step", linear, 0, 0.25},
		{"linear/mid warm-up", linear, 1, 0.5},
		{"linear/last warm-up step is peak", linear, 3, 1},
		// Decay anchored at a = W-1 = 3 over T-a = 9 steps.
		{"linear/first decay step", linear, 4, 8.0 / 9},
		{"linear/mid decay", linear, 7, 5.0 / 9},
		{"linear/last step of budget", linear, 11, 1.0 / 9},
		{"linear/at total", linear, 12, 0},
		{"linear/past total", linear, 100, 0},
		{"linear/negative step as step 0", linear, -1, 0.25},
		{"linear floor/first decay step", linearFloor, 4, 0.1 + 0.9*8/9},
		{"linear floor/at total", linearFloor, 12, 0.1},
		{"linear floor/past total", linearFloor, 13, 0.1},
		{"cosine/no warm-up starts at peak", cosine, 0, 1},
		{"cosine/first decay step", cosine, 1, (1 + math.Cos(math.Pi/10)) / 2},
		{"cosine/half way", cosine, 5, 0.5},
		{"cosine/last step of budget", cosine, 9, (1 + math.Cos(0.9*math.Pi)) / 2},
		{"cosine/at total", cosine, 10, 0},
		{"cosine/past total", cosine, 11, 0},
		{"cosine warm/first warm-up step", cosineWarm, 0, 2.0 / 3},
		{"cosine warm/peak", cosineWarm, 2, 2},
		// a = 2, T-a = 5, floor 0.5.
		{"cosine warm/first decay step", cosineWarm, 3, 0.5 + 1.5*(1+math.Cos(math.Pi/5))/2},
		{"cosine warm/at total", cosineWarm, 7, 0.5},
		{"constant/first warm-up step", constant, 0, 1},
		{"constant/peak", constant, 1, 2},
		{"constant/after warm-up", constant, 2, 2},
		{"constant/last step of budget", constant, 4, 2},
		{"constant/at total", constant, 5, 0},
		{"constant floor/past total", constantFloor, 6, 1},
		{"all warm-up/last step is peak", allWarmup, 3, 1},
		{"all warm-up/at total", allWarmup, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.s.Validate(); err != nil {
				t.Fatalf("%+v.Validate() = %v, want nil", tt.s, err)
			}
			if got := tt.s.LR(tt.step); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("%+v.LR(%d) = %.15g, want %.15g", tt.s, tt.step, got, tt.want)
			}
		})
	}
}

// TestScheduleShape checks every decay over its whole budget: warm-up rises,
// Peak is reached exactly, the decay never rises and stays within [floor, Peak].
func TestScheduleShape(t *testing.T) {
	for _, decay := range []string{"linear", "cosine", "constant"} {
		for _, warmup := range []int{0, 1, 5, 20} {
			s := Schedule{Peak: 3e-4, Warmup: warmup, Total: 20, Decay: decay, MinRatio: 0.1}
			floor := s.Peak * s.MinRatio
			prev := 0.0
			for step := range s.Total + 2 {
				lr := s.LR(step)
				lo := floor // warm-up starts at Peak/W, which may lie below the floor
				if step < warmup {
					lo = s.Peak / float64(warmup)
				}
				if lr < lo-1e-18 || lr > s.Peak+1e-18 {
					t.Errorf("%+v.LR(%d) = %g, want within [%g, %g]", s, step, lr, lo, s.Peak)
				}
				if step < warmup && lr <= prev {
					t.Errorf("%+v.LR(%d) = %g, want above LR(%d) = %g during warm-up", s, step, lr, step-1, prev)
				}
				if step >= warmup && step > 0 && lr > prev+1e-18 {
					t.Errorf("%+v.LR(%d) = %g, want at most LR(%d) = %g after warm-up", s, step, lr, step-1, prev)
				}
				prev = lr
			}
			if peak := max(warmup-1, 0); s.LR(peak) != s.Peak {
				t.Errorf("%+v.LR(%d) = %g, want the peak %g", s, peak, s.LR(peak), s.Peak)
			}
		}
	}
}

func TestScheduleValidate(t *testing.T) {
	ok := Schedule{Peak: 1e-4, Warmup: 10, Total: 100, Decay: "cosine"}
	with := func(f func(*Schedule)) Schedule { s := ok; f(&s); return s }
	tests := []struct {
		name string
		s    Schedule
		want string // substring of the error; "" means valid
	}{
		{"valid cosine", ok, ""},
		{"valid linear without warm-up", with(func(s *Schedule) { s.Decay, s.Warmup = "linear", 0 }), ""},
		{"valid constant all warm-up", with(func(s *Schedule) { s.Decay, s.Warmup = "constant", 100 }), ""},
		{"valid floor", with(func(s *Schedule) { s.MinRatio = 1 }), ""},
		{"zero peak", with(func(s *Schedule) { s.Peak = 0 }), "peak"},
		{"negative peak", with(func(s *Schedule) { s.Peak = -1e-4 }), "peak"},
		{"NaN peak", with(func(s *Schedule) { s.Peak = math.NaN() }), "peak"},
		{"infinite peak", with(func(s *Schedule) { s.Peak = math.Inf(1) }), "peak"},
		{"negative warmup", with(func(s *Schedule) { s.Warmup = -1 }), "warmup steps -1"},
		{"warmup over total", with(func(s *Schedule) { s.Warmup = 101 }), "warmup steps 101 exceed total steps 100"},
		{"zero total", with(func(s *Schedule) { s.Total, s.Warmup = 0, 0 }), "total steps 0"},
		{"unknown decay", with(func(s *Schedule) { s.Decay = "exponential" }), `decay "exponential"`},
		{"empty decay", with(func(s *Schedule) { s.Decay = "" }), `decay ""`},
		{"negative min ratio", with(func(s *Schedule) { s.MinRatio = -0.1 }), "min ratio"},
		{"min ratio above one", with(func(s *Schedule) { s.MinRatio = 1.5 }), "min ratio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("%+v.Validate() = %v, want nil", tt.s, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("%+v.Validate() = %v, want an error containing %q", tt.s, err, tt.want)
			}
		})
	}
}
