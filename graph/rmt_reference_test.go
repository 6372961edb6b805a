package graph_test

import (
	"github.com/rmtgo/rmt/graph/kernels"
	"math"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/internal/testutil"
)

// rmtReference mirrors ../shared/models/*/rmt_reference.json: the memory
// path across 3 segments computed with PyTorch (float32).
type rmtReference struct {
	RMT struct {
		NumMemTokens int         `json:"num_mem_tokens"`
		SegmentSize  int         `json:"segment_size"`
		NSegments    int         `json:"n_segments"`
		Memory       [][]float64 `json:"memory"`
	} `json:"rmt"`
	Inputs struct {
		IDs [][]int `json:"ids"`
	} `json:"inputs"`
	Forward struct {
		MemRow0    [][][]float64 `json:"mem_row0"`
		LogitsRow0 []struct {
			First []float64 `json:"first"`
			Last  []float64 `json:"last"`
		} `json:"logits_row0"`
	} `json:"forward"`
	Cases map[string]struct {
		NumMemTokens int     `json:"num_mem_tokens"`
		LabelsMask   [][]int `json:"labels_mask"`
		NPredictions int     `json:"n_predictions"`
		Variants     map[string]struct {
			Loss      float64   `json:"loss"`
			LossParts []float64 `json:"loss_parts"`
			Grads     *struct {
				GlobalNorm float64              `json:"global_norm"`
				Norms      map[string]float64   `json:"norms"`
				First4     map[string][]float64 `json:"first4"`
				RMTMemory  [][]float64          `json:"rmt_memory"`
			} `json:"grads"`
			Handoff [][][]float64 `json:"handoff_grads_row0"`
		} `json:"variants"`
	} `json:"cases"`
	Tol struct {
		Logits   float64 `json:"logits_abs"`
		Memory   float64 `json:"memory_state_abs"`
		Loss     float64 `json:"loss_abs"`
		GradNorm float64 `json:"grad_norm_rel"`
		GradVal  float64 `json:"grad_value_abs"`
	} `json:"tolerances"`
}

func flat(x [][]float64) []float64 {
	var out []float64
	for _, r := range x {
		out = append(out, r...)
	}
	return out
}

// loadWithJSON loads a shared model and its fixture file into v, and
// returns the model and its folder.
func loadWithJSON(t *testing.T, model, file string, v any) (*graph.Weights, string) {
	dir := testutil.Shared(t, filepath.Join("models", model))
	w, err := checkpoints.LoadPretrained(dir)
	if err != nil {
		t.Fatal(err)
	}
	testutil.ReadJSON(t, filepath.Join(dir, file), v)
	return w, dir
}

func loadRMTReference(t *testing.T, model string) (*graph.Weights, rmtReference) {
	var ref rmtReference
	w, _ := loadWithJSON(t, model, "rmt_reference.json", &ref)
	mem := flat(ref.RMT.Memory)
	p := &graph.Param{Name: graph.MemoryName, Shape: []int{len(ref.RMT.Memory), w.Config.Hidden()}, Data: make([]float32, len(mem))}
	for i, v := range mem {
		p.Data[i] = float32(v)
	}
	if err := w.Add(p); err != nil {
		t.Fatal(err)
	}
	return w, ref
}

func sequenceOf(ref rmtReference, mask [][]int) graph.Sequence {
	seq := graph.Sequence{IDs: ref.Inputs.IDs}
	for _, row := range mask {
		s := make([]bool, len(row))
		for t, m := range row {
			s[t] = m == 1
		}
		seq.Score = append(seq.Score, s)
	}
	return seq
}

func TestRMTReferenceForward(t *testing.T) {
	for _, model := range referenceModels {
		t.Run(model, func(t *testing.T) {
			w, ref := loadRMTReference(t, model)
			M, S := ref.RMT.NumMemTokens, ref.RMT.SegmentSize
			cell, err := graph.NewCell[float32](w, M, S, false)
			if err != nil {
				t.Fatal(err)
			}
			tr, err := cell.Forward(sequenceOf(ref, ref.Cases["lm"].LabelsMask))
			if err != nil {
				t.Fatal(err)
			}
			C := w.Config.Hidden()
			seg, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: 2, Tokens: S, Mem: M, LogitRows: 2}, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			V := w.Config.VocabSize
			for i := 1; i <= ref.RMT.NSegments; i++ {
				if d := maxAbsDiff(tr.Mems[i][:M*C], flat(ref.Forward.MemRow0[i-1])); d > ref.Tol.Memory {
					t.Errorf("mem_%d row 0: max |diff| %.3g > %g", i, d, ref.Tol.Memory)
				}
				checkSegmentLogits(t, seg, ref.Inputs.IDs, i, S, V, tr.Mems[i-1], ref.Forward.LogitsRow0[i-1].First, ref.Forward.LogitsRow0[i-1].Last, ref.Tol.Logits)
			}
		})
	}
}

func TestRMTReferenceGradients(t *testing.T) {
	for _, model := range referenceModels {
		w, ref := loadRMTReference(t, model)
		for caseName, cs := range ref.Cases {
			for variant, want := range cs.Variants {
				t.Run(model+"/"+caseName+"/"+variant, func(t *testing.T) {
					depth := -1
					if variant == "bptt1" {
						depth = 1
					}
					cell, err := graph.NewCell[float32](w, cs.NumMemTokens, ref.RMT.SegmentSize, true)
					if err != nil {
						t.Fatal(err)
					}
					got, err := cell.Gradients(sequenceOf(ref, cs.LabelsMask), depth)
					if err != nil {
						t.Fatal(err)
					}
					if d := math.Abs(got.Loss - want.Loss); d > ref.Tol.Loss {
						t.Errorf("loss = %.8g, want %.8g", got.Loss, want.Loss)
					}
					for i, part := range want.LossParts {
						if d := math.Abs(got.LossParts[i] - part); d > ref.Tol.Loss {
							t.Errorf("loss part %d = %.8g, want %.8g", i, got.LossParts[i], part)
						}
					}
					if want.Grads == nil {
						return
					}
					global := checkParamGrads(t, w.Params, got.Params, want.Grads.Norms, want.Grads.First4, ref.Tol.GradNorm, ref.Tol.GradVal)
					for i, p := range w.Params {
						if p.Name == graph.MemoryName {
							if d := maxAbsDiff(got.Params[i], flat(want.Grads.RMTMemory)); d > ref.Tol.GradVal {
								t.Errorf("rmt.memory gradient: max |diff| %.3g > %g", d, ref.Tol.GradVal)
							}
						}
					}
					if rel := math.Abs(math.Sqrt(global)-want.Grads.GlobalNorm) / want.Grads.GlobalNorm; rel > ref.Tol.GradNorm {
						t.Errorf("global norm = %.7g, want %.7g", math.Sqrt(global), want.Grads.GlobalNorm)
					}
					MC := cs.NumMemTokens * w.Config.Hidden()
					for j, h := range want.Handoff {
						if d := maxAbsDiff(got.Handoff[j][:MC], flat(h)); d > ref.Tol.GradVal {
							t.Errorf("dLoss/dmem_%d row 0: max |diff| %.3g > %g", j+1, d, ref.Tol.GradVal)
						}
					}
				})
			}
		}
	}
}

// checkParamGrads compares each parameter's gradient norm (relative, tolNorm;
// a reference norm of 0 must be matched exactly) and first values (absolute,
// tolVal) with a reference, and returns the squared global norm.
func checkParamGrads(t *testing.T, params []*graph.Param, grads [][]float32, norms map[string]float64, first4 map[string][]float64, tolNorm, tolVal float64) float64 {
	t.Helper()
	var global float64
	for i, p := range params {
		n := norm(grads[i])
		global += n * n
		wn, ok := norms[p.Name]
		if !ok {
			t.Fatalf("reference has no gradient norm for %q", p.Name)
		}
		if wn == 0 {
			if n > 1e-6 {
				t.Errorf("|grad %s| = %.3g, want exactly 0", p.Name, n)
			}
		} else if rel := math.Abs(n-wn) / wn; rel > tolNorm {
			t.Errorf("|grad %s| = %.7g, want %.7g (rel %.2g)", p.Name, n, wn, rel)
		}
		f4 := first4[p.Name]
		if d := maxAbsDiff(grads[i][:len(f4)], f4); len(f4) == 0 || d > tolVal {
			t.Errorf("grad %s first values = %v, want %v", p.Name, grads[i][:len(f4)], f4)
		}
	}
	return global
}

// checkSegmentLogits runs segment i (1-based, S tokens of each row of ids)
// from the state mem and compares row 0's first and last logits (V each)
// with a reference.
func checkSegmentLogits[T kernels.Float](t *testing.T, seg *graph.Segment[T], ids [][]int, i, S, V int, mem []T, first, last []float64, tol float64) {
	t.Helper()
	in := append(append([]int{}, ids[0][(i-1)*S:i*S]...), ids[1][(i-1)*S:i*S]...)
	r, err := seg.Forward(&graph.Batch[T]{IDs: in, LogitRows: []int{0, S - 1}}, mem)
	if err != nil {
		t.Fatal(err)
	}
	if d := maxAbsDiff(r.Logits[:V], first); d > tol {
		t.Errorf("segment %d first logits: max |diff| %.3g > %g", i, d, tol)
	}
	if d := maxAbsDiff(r.Logits[V:], last); d > tol {
		t.Errorf("segment %d last logits: max |diff| %.3g > %g", i, d, tol)
	}
}
