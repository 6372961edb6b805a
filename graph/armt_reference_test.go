package graph_test

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
)

// armtReference mirrors ../shared/models/*/armt_reference.json: the
// associative memory across 3 segments computed with PyTorch (float32),
// its parameters in armt_reference.safetensors.
type armtReference struct {
	ARMT struct {
		NumMemTokens int      `json:"num_mem_tokens"`
		DMem         int      `json:"d_mem"`
		DKey         int      `json:"d_key"`
		SegmentSize  int      `json:"segment_size"`
		NSegments    int      `json:"n_segments"`
		ParamNames   []string `json:"parameter_names"`
	} `json:"armt"`
	Inputs struct {
		IDs [][]int `json:"ids"`
	} `json:"inputs"`
	Forward struct {
		LogitsRow0 []struct {
			First []float64 `json:"first"`
			Last  []float64 `json:"last"`
		} `json:"logits_row0"`
		States [][]struct {
			ANorm float64   `json:"A_norm"`
			ZNorm float64   `json:"z_norm"`
			ARow0 []float64 `json:"A_row0_first4"`
			ZRow0 []float64 `json:"z_row0_first4"`
		} `json:"state_after_segment"`
	} `json:"forward"`
	Cases map[string]struct {
		LabelsMask [][]int `json:"labels_mask"`
		Variants   map[string]struct {
			Loss      float64   `json:"loss"`
			LossParts []float64 `json:"loss_parts"`
			Grads     struct {
				GlobalNorm float64              `json:"global_norm"`
				Norms      map[string]float64   `json:"norms"`
				First4     map[string][]float64 `json:"first4"`
			} `json:"grads"`
		} `json:"variants"`
	} `json:"cases"`
	Tol struct {
		Logits   float64 `json:"logits_abs"`
		State    float64 `json:"state_abs"`
		Loss     float64 `json:"loss_abs"`
		GradNorm float64 `json:"grad_norm_rel"`
		GradVal  float64 `json:"grad_value_abs"`
	} `json:"tolerances"`
}

// loadARMTReference loads a model with the reference's ARMT parameters,
// added in ARMTSpecs order after checking every name and shape.
func loadARMTReference(t *testing.T, model string) (*graph.Weights, armtReference) {
	var ref armtReference
	w, dir := loadWithJSON(t, model, "armt_reference.json", &ref)
	ts, _, err := checkpoints.ReadSafetensors(filepath.Join(dir, "armt_reference.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]checkpoints.Tensor{}
	for _, tn := range ts {
		byName[tn.Name] = tn
	}
	specs := graph.ARMTSpecs(w.Config, ref.ARMT.NumMemTokens, ref.ARMT.DMem)
	if len(specs) != len(ref.ARMT.ParamNames) {
		t.Fatalf("%d ARMT parameters, the reference names %d", len(specs), len(ref.ARMT.ParamNames))
	}
	for i, sp := range specs {
		if sp.Name != ref.ARMT.ParamNames[i] {
			t.Fatalf("ARMT parameter %d is %q, the reference names %q", i, sp.Name, ref.ARMT.ParamNames[i])
		}
		tn, ok := byName[sp.Name]
		if !ok || len(tn.Shape) != len(sp.Shape) {
			t.Fatalf("armt_reference.safetensors: %q missing or of shape %v, want %v", sp.Name, tn.Shape, sp.Shape)
		}
		for j := range sp.Shape {
			if tn.Shape[j] != sp.Shape[j] {
				t.Fatalf("armt_reference.safetensors: %q has shape %v, want %v", sp.Name, tn.Shape, sp.Shape)
			}
		}
		if err := w.Add(&graph.Param{Name: sp.Name, Shape: sp.Shape, Data: tn.Data}); err != nil {
			t.Fatal(err)
		}
	}
	return w, ref
}

func armtSequence(ref armtReference, mask [][]int) graph.Sequence {
	var r rmtReference
	r.Inputs.IDs = ref.Inputs.IDs
	return sequenceOf(r, mask)
}

func armtCell(t *testing.T, w *graph.Weights, ref armtReference, train bool) *graph.Cell[float32] {
	cell, err := graph.NewMemoryCell[float32](w, graph.Memory{Kind: graph.KindARMT, Tokens: ref.ARMT.NumMemTokens, DMem: ref.ARMT.DMem}, ref.ARMT.SegmentSize, train)
	if err != nil {
		t.Fatal(err)
	}
	return cell
}

func TestARMTReferenceForward(t *testing.T) {
	for _, model := range referenceModels {
		t.Run(model, func(t *testing.T) {
			w, ref := loadARMTReference(t, model)
			M, D, S, K := ref.ARMT.NumMemTokens, ref.ARMT.DMem, ref.ARMT.SegmentSize, ref.ARMT.DKey
			C, V, B := w.Config.Hidden(), w.Config.VocabSize, len(ref.Inputs.IDs)
			tr, err := armtCell(t, w, ref, false).Forward(armtSequence(ref, ref.Cases["lm"].LabelsMask))
			if err != nil {
				t.Fatal(err)
			}
			seg, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: B, Tokens: S, Mem: M, DMem: D, LogitRows: 2}, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			W := K*C + K
			for i := 1; i <= ref.ARMT.NSegments; i++ {
				for l, want := range ref.Forward.States[i-1] {
					layer := tr.Mems[i][l*B*W : (l+1)*B*W]
					var an, zn float64
					for b := range B {
						an += sq(layer[b*W : b*W+K*C])
						zn += sq(layer[b*W+K*C : (b+1)*W])
					}
					if d := math.Abs(math.Sqrt(an) - want.ANorm); d > ref.Tol.State {
						t.Errorf("segment %d layer %d: |A| = %.7g, want %.7g", i, l, math.Sqrt(an), want.ANorm)
					}
					if d := math.Abs(math.Sqrt(zn) - want.ZNorm); d > ref.Tol.State {
						t.Errorf("segment %d layer %d: |z| = %.7g, want %.7g", i, l, math.Sqrt(zn), want.ZNorm)
					}
					if d := maxAbsDiff(layer[:4], want.ARow0); d > ref.Tol.State {
						t.Errorf("segment %d layer %d: A row 0 first4 = %v, want %v", i, l, layer[:4], want.ARow0)
					}
					if d := maxAbsDiff(layer[K*C:K*C+4], want.ZRow0); d > ref.Tol.State {
						t.Errorf("segment %d layer %d: z row 0 first4 = %v, want %v", i, l, layer[K*C:K*C+4], want.ZRow0)
					}
				}
				checkSegmentLogits(t, seg, ref.Inputs.IDs, i, S, V, tr.Mems[i-1], ref.Forward.LogitsRow0[i-1].First, ref.Forward.LogitsRow0[i-1].Last, ref.Tol.Logits)
			}
		})
	}
}

func sq(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s
}

func TestARMTReferenceGradients(t *testing.T) {
	for _, model := range referenceModels {
		w, ref := loadARMTReference(t, model)
		for caseName, cs := range ref.Cases {
			for variant, want := range cs.Variants {
				t.Run(model+"/"+caseName+"/"+variant, func(t *testing.T) {
					depth := -1
					if variant == "bptt1" {
						depth = 1
					}
					got, err := armtCell(t, w, ref, true).Gradients(armtSequence(ref, cs.LabelsMask), depth)
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
					global := checkParamGrads(t, w.Params, got.Params, want.Grads.Norms, want.Grads.First4, ref.Tol.GradNorm, ref.Tol.GradVal)
					if rel := math.Abs(math.Sqrt(global)-want.Grads.GlobalNorm) / want.Grads.GlobalNorm; rel > ref.Tol.GradNorm {
						t.Errorf("global norm = %.7g, want %.7g", math.Sqrt(global), want.Grads.GlobalNorm)
					}
				})
			}
		}
	}
}
