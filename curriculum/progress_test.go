package curriculum

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// eval is one validation result and the decision Observe should give it.
type eval struct {
	step int
	acc  float64
	want Decision
}

func TestObserve(t *testing.T) {
	stage := Stage{Segments: 2, BPTTDepth: -1, Steps: 1000, LR: 1e-4, Threshold: 0.9, Patience: 3}
	noThreshold := stage
	noThreshold.Threshold = 0
	noPatience := stage
	noPatience.Patience = 0
	tests := []struct {
		name               string
		stage              Stage
		evals              []eval
		wantBest           float64
		wantBestStep       int
		wantSinceBest      int
		wantReasonContains string // in the last reason
	}{
		{
			name:  "threshold reached advances at that eval",
			stage: stage,
			evals: []eval{
				{100, 0.3, Continue},
				{200, 0.7, Continue},
				{300, 0.9, Advance},
			},
			wantBest: 0.9, wantBestStep: 300,
			wantReasonContains: "threshold",
		},
		{
			name:  "threshold reached at the first eval",
			stage: stage,
			evals: []eval{
				{100, 0.95, Advance},
			},
			wantBest: 0.95, wantBestStep: 100,
			wantReasonContains: "threshold",
		},
		{
			name:  "improvements reset patience",
			stage: stage,
			evals: []eval{
				{100, 0.5, Continue},
				{200, 0.4, Continue},
				{300, 0.5, Continue}, // equal is not better
				{400, 0.6, Continue}, // reset
				{500, 0.6, Continue},
				{600, 0.1, Continue},
				{700, 0.7, Continue}, // reset
				{800, 0.2, Continue},
			},
			wantBest: 0.7, wantBestStep: 700, wantSinceBest: 1,
			wantReasonContains: "1 of 3 evaluations without improvement",
		},
		{
			name:  "patience exhausted stops",
			stage: stage,
			evals: []eval{
				{100, 0.5, Continue},
				{200, 0.6, Continue},
				{300, 0.6, Continue},
				{400, 0.55, Continue},
				{500, 0.3, Stop},
			},
			wantBest: 0.6, wantBestStep: 200, wantSinceBest: 3,
			wantReasonContains: "no improvement in 3 evaluations",
		},
		{
			name:  "threshold 0 never advances early",
			stage: noThreshold,
			evals: []eval{
				{100, 0.5, Continue},
				{200, 1.0, Continue},
				{300, 1.0, Continue},
				{400, 1.0, Continue},
				{500, 1.0, Stop}, // patience still applies
			},
			wantBest: 1.0, wantBestStep: 200, wantSinceBest: 3,
			wantReasonContains: "no improvement",
		},
		{
			name:  "patience 0 never stops",
			stage: noPatience,
			evals: []eval{
				{100, 0.5, Continue},
				{200, 0.4, Continue},
				{300, 0.3, Continue},
				{400, 0.2, Continue},
				{500, 0.1, Continue},
				{600, 0.0, Continue},
			},
			wantBest: 0.5, wantBestStep: 100, wantSinceBest: 5,
		},
		{
			name:  "budget spent advances",
			stage: noThreshold,
			evals: []eval{
				{500, 0.5, Continue},
				{1000, 0.6, Advance},
			},
			wantBest: 0.6, wantBestStep: 1000,
			wantReasonContains: "step budget 1000 spent",
		},
		{
			name:  "budget spent wins over patience",
			stage: stage,
			evals: []eval{
				{250, 0.5, Continue},
				{500, 0.4, Continue},
				{750, 0.4, Continue},
				{1000, 0.4, Advance},
			},
			wantBest: 0.5, wantBestStep: 250, wantSinceBest: 3,
			wantReasonContains: "step budget",
		},
		{
			name:  "first eval of zero sets best",
			stage: stage,
			evals: []eval{
				{100, 0, Continue},
				{200, 0, Continue},
			},
			wantBest: 0, wantBestStep: 100, wantSinceBest: 1,
		},
		{
			name:  "NaN is never best nor above threshold",
			stage: stage,
			evals: []eval{
				{100, 0.2, Continue},
				{200, math.NaN(), Continue},
				{300, math.Inf(1), Continue},
			},
			wantBest: 0.2, wantBestStep: 100, wantSinceBest: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Progress{Stage: tt.stage}
			var reason Reason
			for i, e := range tt.evals {
				var got Decision
				got, reason = p.Observe(e.step, e.acc)
				if got != e.want {
					t.Fatalf("eval %d: Observe(%d, %g) = %v (%s), want %v", i+1, e.step, e.acc, got, reason, e.want)
				}
			}
			if p.Best != tt.wantBest || p.BestStep != tt.wantBestStep || p.SinceBest != tt.wantSinceBest || p.Evals != len(tt.evals) {
				t.Errorf("after %d evals: best %g at step %d, %d since best, %d evals; want best %g at step %d, %d since best, %d evals",
					len(tt.evals), p.Best, p.BestStep, p.SinceBest, p.Evals,
					tt.wantBest, tt.wantBestStep, tt.wantSinceBest, len(tt.evals))
			}
			if !strings.Contains(reason.String(), tt.wantReasonContains) {
				t.Errorf("last reason = %q, want it to contain %q", reason, tt.wantReasonContains)
			}
		})
	}
}

func TestBudgetSpent(t *testing.T) {
	p := Progress{Stage: Stage{Segments: 1, BPTTDepth: -1, Steps: 300, LR: 1e-4}}
	tests := []struct {
		step int
		want bool
	}{
		{0, false},
		{1, false},
		{299, false},
		{300, true},
		{301, true},
	}
	for _, tt := range tests {
		if got := p.BudgetSpent(tt.step); got != tt.want {
			t.Errorf("BudgetSpent(%d) with 300 steps = %v, want %v", tt.step, got, tt.want)
		}
	}
}

func TestDecisionString(t *testing.T) {
	tests := []struct {
		d    Decision
		want string
	}{
		{Continue, "continue"},
		{Advance, "advance"},
		{Stop, "stop"},
		{Decision(7), "Decision(7)"},
	}
	for _, tt := range tests {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("Decision(%d).String() = %q, want %q", int(tt.d), got, tt.want)
		}
	}
}

// TestProgressJSON checks that a Progress saved mid-stage and loaded again
// (as a checkpoint does) is equal and decides the same as the original.
func TestProgressJSON(t *testing.T) {
	stage := Stage{Segments: 4, BPTTDepth: 2, Steps: 1000, LR: 3e-4, Threshold: 0.95, Patience: 3}
	p := Progress{Stage: stage}
	for _, e := range []eval{{100, 0.4, Continue}, {200, 0.6, Continue}, {300, 0.5, Continue}} {
		p.Observe(e.step, e.acc)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"stage"`, `"best"`, `"best_step"`, `"evals"`, `"since_best"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("json.Marshal(progress) = %s, want key %s", b, key)
		}
	}
	var resumed Progress
	if err := json.Unmarshal(b, &resumed); err != nil {
		t.Fatal(err)
	}
	if resumed != p {
		t.Fatalf("JSON round trip = %+v, want %+v", resumed, p)
	}
	for _, e := range []eval{{400, 0.55, Continue}, {500, 0.5, Stop}} {
		got, _ := p.Observe(e.step, e.acc)
		gotResumed, _ := resumed.Observe(e.step, e.acc)
		if got != e.want || gotResumed != e.want {
			t.Errorf("Observe(%d, %g) = %v original, %v resumed, want %v", e.step, e.acc, got, gotResumed, e.want)
		}
	}
}
