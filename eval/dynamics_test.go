package eval

import (
	"math"
	"slices"
	"testing"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

func TestSeparationByHand(t *testing.T) {
	xs := [][]float32{{0}, {2}, {10}, {12}}
	// mean 6; total 36+16+16+36 = 104; class means 1 and 11, 25 away each.
	if got, want := separation(xs, []string{"a", "a", "b", "b"}), 100.0/104; math.Abs(got-want) > 1e-12 {
		t.Errorf("two classes: %v, want %v", got, want)
	}
	if got := separation(xs, []string{"a", "a", "a", "a"}); got != 0 {
		t.Errorf("one class: %v, want 0", got)
	}
	if got := separation(xs, []string{"a", "b", "c", "d"}); math.Abs(got-1) > 1e-12 {
		t.Errorf("a class per vector: %v, want 1", got)
	}
	if got := separation([][]float32{{3, 3}, {3, 3}}, []string{"a", "b"}); got != 0 {
		t.Errorf("no variance: %v, want 0", got)
	}
}

func TestDefaultHandoffs(t *testing.T) {
	if got, want := DefaultHandoffs(48), []int{1, 2, 3, 4, 8, 16, 32, 47}; !slices.Equal(got, want) {
		t.Errorf("DefaultHandoffs(48) = %v, want %v", got, want)
	}
	if got, want := DefaultHandoffs(3), []int{1, 2}; !slices.Equal(got, want) {
		t.Errorf("DefaultHandoffs(3) = %v, want %v", got, want)
	}
}

// TestMemoryDynamics recomputes mean square and drift from the memory
// cell's own trace of every sample.
func TestMemoryDynamics(t *testing.T) {
	for _, kind := range []string{graph.KindRMT, graph.KindARMT} {
		t.Run(kind, func(t *testing.T) { testMemoryDynamics(t, kind) })
	}
}

func testMemoryDynamics(t *testing.T, kind string) {
	const S, M, n, samples = 96, 2, 4, 5
	w := tinyMemory(t, kind, "llama", M)
	task := memorizeTask(t, n, S)
	handoffs := []int{1, 3}
	got, err := MemoryDynamics(w, M, task, samples, handoffs, kernels.Settings{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cell, err := graph.NewCell[float32](w, M, S, false)
	if err != nil {
		t.Fatal(err)
	}
	ms, drift := make([]float64, len(handoffs)), make([]float64, len(handoffs))
	for i := range samples {
		s, err := task.SampleAt(i)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := cell.Forward(graph.Sequence{IDs: [][]int{s.IDs}})
		if err != nil {
			t.Fatal(err)
		}
		for k, j := range handoffs {
			ms[k] += meanSqDiff(tr.Mems[j], nil) / samples
			drift[k] += meanSqDiff(tr.Mems[j], tr.Mems[j-1]) / samples
		}
	}
	if len(got) != len(handoffs) {
		t.Fatalf("MemoryDynamics gave %d results, want one per hand-off %v", len(got), handoffs)
	}
	for k, r := range got {
		if r.Handoff != handoffs[k] || math.Abs(r.MeanSquare-ms[k]) > 1e-5*ms[k] || math.Abs(r.Drift-drift[k]) > 1e-5*drift[k] {
			t.Errorf("hand-off %d: %+v, want mean square %v, drift %v", handoffs[k], r, ms[k], drift[k])
		}
		if !(r.Separation >= 0 && r.Separation <= 1) {
			t.Errorf("hand-off %d: separation %v outside [0, 1]", r.Handoff, r.Separation)
		}
	}
	for _, bad := range [][]int{{0}, {n}, {}} {
		if _, err := MemoryDynamics(w, M, task, samples, bad, kernels.Settings{}, nil); err == nil {
			t.Errorf("hand-offs %v accepted for samples of %d segments", bad, n)
		}
	}
	if _, err := MemoryDynamics(tinyRMT(t, "llama", 0), 0, task, samples, handoffs, kernels.Settings{}, nil); err == nil {
		t.Error("a model without memory accepted")
	}
}
