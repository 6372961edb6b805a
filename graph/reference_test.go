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

// reference mirrors ../shared/models/*/reference.json (PyTorch, float32).
type reference struct {
	ModelType string           `json:"model_type"`
	Inputs    map[string][]int `json:"inputs"`
	Logits    struct {
		Len1      [][]float64 `json:"len1"`
		Len7      [][]float64 `json:"len7"`
		Len64Last []float64   `json:"len64_last"`
	} `json:"logits"`
	Len64 struct {
		Loss           float64   `json:"loss"`
		TargetLogprobs []float64 `json:"target_logprobs"`
	} `json:"len64"`
	Grads struct {
		EmbeddingName  string             `json:"embedding_name"`
		GlobalNorm     float64            `json:"global_grad_norm"`
		ParamGradNorms map[string]float64 `json:"param_grad_norms"`
		Probe          map[string]struct {
			Sum    float64   `json:"sum"`
			First4 []float64 `json:"first4"`
		} `json:"param_grad_probe"`
	} `json:"grads"`
	SGD struct {
		LR         float64 `json:"lr"`
		LossBefore float64 `json:"loss_before"`
		LossAfter  float64 `json:"loss_after"`
	} `json:"sgd_step"`
	Tol struct {
		Logits    float64 `json:"logits_abs"`
		Logprob   float64 `json:"logprob_abs"`
		Loss      float64 `json:"loss_abs"`
		GradNorm  float64 `json:"grad_norm_rel"`
		GradProbe float64 `json:"grad_probe_abs"`
		SGD       float64 `json:"loss_after_sgd_abs"`
	} `json:"tolerances"`
}

var referenceModels = []string{"stories260K", "tiny-gpt2-random"}

func loadReference(t *testing.T, model string) (*graph.Weights, reference) {
	dir := testutil.Shared(t, filepath.Join("models", model))
	w, err := checkpoints.LoadPretrained(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ref reference
	testutil.ReadJSON(t, filepath.Join(dir, "reference.json"), &ref)
	if ref.ModelType != w.Config.ModelType {
		t.Fatalf("reference model_type %q, loaded %q", ref.ModelType, w.Config.ModelType)
	}
	return w, ref
}

// plainForward runs ids as one segment without memory and returns the
// logits at every position (len(ids) x V).
func plainForward(t *testing.T, w *graph.Weights, ids []int) [][]float32 {
	n := len(ids)
	seg, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: 1, Tokens: n, LogitRows: n}, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	res, err := seg.Forward(&graph.Batch[float32]{IDs: ids, LogitRows: rows}, nil)
	if err != nil {
		t.Fatal(err)
	}
	V := w.Config.VocabSize
	out := make([][]float32, n)
	for i := range out {
		out[i] = res.Logits[i*V : (i+1)*V]
	}
	return out
}

func maxAbsDiff[T kernels.Float](got []T, want []float64) float64 {
	worst := 0.0
	for i := range want {
		worst = math.Max(worst, math.Abs(float64(got[i])-want[i]))
	}
	return worst
}

func TestReferenceLogits(t *testing.T) {
	for _, model := range referenceModels {
		t.Run(model, func(t *testing.T) {
			w, ref := loadReference(t, model)
			for _, tc := range []struct {
				name string
				ids  []int
				want [][]float64
			}{
				{"len1", ref.Inputs["len1"], ref.Logits.Len1},
				{"len7", ref.Inputs["len7"], ref.Logits.Len7},
				{"len64_last", ref.Inputs["len64"], [][]float64{ref.Logits.Len64Last}},
			} {
				got := plainForward(t, w, tc.ids)
				got = got[len(got)-len(tc.want):]
				for i := range tc.want {
					if d := maxAbsDiff(got[i], tc.want[i]); d > ref.Tol.Logits {
						t.Errorf("%s position %d: max |logit - reference| = %.3g, want <= %g", tc.name, i, d, ref.Tol.Logits)
					}
				}
			}
		})
	}
}

// len64Batch scores every prediction of the 64-token input: position t
// predicts ids[t+1], each with weight 1/63.
func len64Batch(ids []int) *graph.Batch[float32] {
	n := len(ids)
	b := &graph.Batch[float32]{IDs: ids, Targets: make([]int, n), LossWeights: make([]float32, n)}
	for t := 0; t+1 < n; t++ {
		b.Targets[t], b.LossWeights[t] = ids[t+1], 1/float32(n-1)
	}
	return b
}

func TestReferenceLossAndLogprobs(t *testing.T) {
	for _, model := range referenceModels {
		t.Run(model, func(t *testing.T) {
			w, ref := loadReference(t, model)
			ids := ref.Inputs["len64"]
			logits := plainForward(t, w, ids)
			for i, want := range ref.Len64.TargetLogprobs {
				if got := logSoftmaxAt(logits[i], ids[i+1]); math.Abs(got-want) > ref.Tol.Logprob {
					t.Errorf("log p(ids[%d] | ids[:%d]) = %.7g, want %.7g", i+1, i+1, got, want)
				}
			}
			seg, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: 1, Tokens: len(ids)}, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := seg.Forward(len64Batch(ids), nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(res.Loss - ref.Len64.Loss); d > ref.Tol.Loss {
				t.Errorf("loss = %.8g, want %.8g (|diff| %.3g > %g)", res.Loss, ref.Len64.Loss, d, ref.Tol.Loss)
			}
		})
	}
}

func logSoftmaxAt(row []float32, k int) float64 {
	mx := math.Inf(-1)
	for _, v := range row {
		mx = math.Max(mx, float64(v))
	}
	var s float64
	for _, v := range row {
		s += math.Exp(float64(v) - mx)
	}
	return float64(row[k]) - mx - math.Log(s)
}

func norm(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s)
}

func TestReferenceGradientsAndSGD(t *testing.T) {
	for _, model := range referenceModels {
		t.Run(model, func(t *testing.T) {
			w, ref := loadReference(t, model)
			ids := ref.Inputs["len64"]
			seg, err := graph.NewSegment[float32](w, graph.SegmentShape{Batch: 1, Tokens: len(ids)}, graph.BuildOptions{Train: true})
			if err != nil {
				t.Fatal(err)
			}
			grads := make([][]float32, seg.NumParams())
			res, _, err := seg.Backward(len64Batch(ids), nil, nil, grads)
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(res.Loss - ref.SGD.LossBefore); d > ref.Tol.Loss {
				t.Errorf("loss before SGD = %.8g, want %.8g", res.Loss, ref.SGD.LossBefore)
			}
			var global float64
			for i, p := range w.Params {
				n := norm(grads[i])
				global += n * n
				want, ok := ref.Grads.ParamGradNorms[p.Name]
				if !ok {
					t.Errorf("reference has no gradient norm for %q", p.Name)
					continue
				}
				if rel := math.Abs(n-want) / want; rel > ref.Tol.GradNorm {
					t.Errorf("|grad %s| = %.7g, want %.7g (rel diff %.2g > %g)", p.Name, n, want, rel, ref.Tol.GradNorm)
				}
				probe := ref.Grads.Probe[p.Name]
				if d := maxAbsDiff(grads[i][:4], probe.First4); d > ref.Tol.GradProbe {
					t.Errorf("grad %s first4 = %v, want %v", p.Name, grads[i][:4], probe.First4)
				}
			}
			if len(ref.Grads.ParamGradNorms) != len(w.Params) {
				t.Errorf("reference has %d gradient norms, model has %d parameters", len(ref.Grads.ParamGradNorms), len(w.Params))
			}
			if rel := math.Abs(math.Sqrt(global)-ref.Grads.GlobalNorm) / ref.Grads.GlobalNorm; rel > ref.Tol.GradNorm {
				t.Errorf("global grad norm = %.7g, want %.7g", math.Sqrt(global), ref.Grads.GlobalNorm)
			}

			// One plain SGD step p <- p - lr*g; the tied embedding moves once
			// with its summed gradient.
			stepped := w.Clone()
			for i, p := range stepped.Params {
				for j := range p.Data {
					p.Data[j] -= float32(ref.SGD.LR) * grads[i][j]
				}
			}
			seg2, err := graph.NewSegment[float32](stepped, graph.SegmentShape{Batch: 1, Tokens: len(ids)}, graph.BuildOptions{})
			if err != nil {
				t.Fatal(err)
			}
			after, err := seg2.Forward(len64Batch(ids), nil)
			if err != nil {
				t.Fatal(err)
			}
			if d := math.Abs(after.Loss - ref.SGD.LossAfter); d > ref.Tol.SGD {
				t.Errorf("loss after one SGD step = %.7g, want %.7g", after.Loss, ref.SGD.LossAfter)
			}
		})
	}
}
