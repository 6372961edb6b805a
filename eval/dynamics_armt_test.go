package eval

import (
	"math"
	"testing"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

func TestReadScaleByHand(t *testing.T) {
	// A = [[1 0] [0 2]], z = [1 1]: zᵀA = [1 2], ‖zᵀA‖ = √5, z·z = 2.
	if got, want := readScale([]float32{1, 0, 0, 2}, []float32{1, 1}), math.Sqrt(5)/2; math.Abs(got-want) > 1e-12 {
		t.Errorf("read scale %v, want %v", got, want)
	}
	if got := readScale([]float32{1, 0, 0, 2}, []float32{0, 0}); got != 0 {
		t.Errorf("read scale with z = 0: %v, want 0", got)
	}
}

// TestARMTDynamics: for both feature maps, the per-layer figures of
// MemoryDynamics equal those recomputed from the cell's own states; the
// first write adds every key to z (γ = 1), later ones a share in [0, 1].
func TestARMTDynamics(t *testing.T) {
	const S, M, n, samples = 96, 2, 4, 3
	handoffs := []int{1, 3}
	task := memorizeTask(t, n, S)
	var first []float64
	for _, f := range []string{graph.FeaturesDPFP, graph.FeaturesDPFPNormalized} {
		w := tinyARMT(t, "llama", M)
		w.ARMTFeatures = f
		got, err := MemoryDynamics(w, M, task, samples, handoffs, kernels.Settings{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		cell, err := graph.NewCell[float32](w, M, S, false)
		if err != nil {
			t.Fatal(err)
		}
		L := w.Config.Layers()
		want := make([][]ARMTLayerDynamics, len(handoffs))
		for k := range want {
			want[k] = make([]ARMTLayerDynamics, L)
		}
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
				for l := range L {
					A, z := graph.ARMTLayerState(cell.Shape(1), w.Config, tr.Mems[j], l, 0)
					want[k][l].AMeanSquare += meanSqDiff(A, nil) / samples
					want[k][l].ZMeanSquare += meanSqDiff(z, nil) / samples
					want[k][l].ReadScale += readScale(A, z) / samples
				}
			}
		}
		for k, r := range got {
			if len(r.Layers) != L {
				t.Fatalf("%s hand-off %d: %d layers, want %d", f, r.Handoff, len(r.Layers), L)
			}
			for l, g := range r.Layers {
				wl := want[k][l]
				for _, c := range []struct {
					name      string
					got, want float64
				}{{"A mean square", g.AMeanSquare, wl.AMeanSquare}, {"z mean square", g.ZMeanSquare, wl.ZMeanSquare}, {"read scale", g.ReadScale, wl.ReadScale}} {
					if !(c.want > 0) || math.Abs(c.got-c.want) > 1e-5*c.want {
						t.Errorf("%s hand-off %d layer %d: %s %v, want %v (> 0)", f, r.Handoff, l, c.name, c.got, c.want)
					}
				}
				if r.Handoff == 1 && g.MeanGamma != 1 {
					t.Errorf("%s hand-off 1 layer %d: mean γ %v, want 1 (the first write)", f, l, g.MeanGamma)
				}
				if !(g.MeanGamma >= 0 && g.MeanGamma <= 1) {
					t.Errorf("%s hand-off %d layer %d: mean γ %v outside [0, 1]", f, r.Handoff, l, g.MeanGamma)
				}
			}
		}
		first = append(first, got[0].Layers[0].ZMeanSquare)
	}
	if first[0] == first[1] {
		t.Errorf("dpfp and dpfp-normalized give the same z: %v", first)
	}
}
