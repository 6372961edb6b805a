package graph

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// tinyConfig is a 2-layer model of the family, small enough for a full
// float64 finite-difference check.
func tinyConfig(family string) Config {
	if family == "gpt2" {
		inner := 12
		return Config{ModelType: "gpt2", VocabSize: 11, NEmbd: 8, NLayer: 2, NHead: 2, NInner: &inner, NPositions: 16, LayerNormEpsilon: 1e-5}
	}
	f := false
	return Config{ModelType: family, VocabSize: 11, HiddenSize: 8, IntermediateSize: 12, NumHiddenLayers: 2,
		NumAttentionHeads: 4, NumKeyValueHeads: 2, MaxPositionEmbeddings: 16, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &f}
}

// perturbed gives every parameter visible random values (HF's 0.02 init
// makes gradients of some parameters too small to check).
func perturbed(t *testing.T, c Config) *Weights {
	w, err := RandomWeights(c, 5)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, p := range w.Params {
		for i := range p.Data {
			p.Data[i] += float32(0.3 * rng.NormFloat64())
		}
	}
	return w
}

func tinyBatch[T float32 | float64](shape SegmentShape, vocab int) *Batch[T] {
	n := shape.Batch * shape.Tokens
	b := &Batch[T]{IDs: make([]int, n), Targets: make([]int, n), LossWeights: make([]T, n)}
	for i := range b.IDs {
		b.IDs[i] = (7*i + 3) % vocab
		b.Targets[i] = (5*i + 1) % vocab
		if i%3 != 1 {
			b.LossWeights[i] = T(1) / T(n)
		}
	}
	return b
}

// TestModelGradients checks, for a 2-layer model of each family with
// memory tokens, every parameter gradient and the memory gradient against
// float64 central differences of loss + sum(memOut ⊙ gmem), and float32
// gradients against float64 ones.
func TestModelGradients(t *testing.T) {
	for _, family := range []string{"gpt2", "llama", "qwen2"} {
		t.Run(family, func(t *testing.T) {
			c := tinyConfig(family)
			w := perturbed(t, c)
			shape := SegmentShape{Batch: 2, Tokens: 3, Mem: 2, KeyMask: true}
			C := c.Hidden()
			rng := rand.New(rand.NewPCG(2, 2))
			mem := make([]float64, shape.Batch*shape.Mem*C)
			gmem := make([]float64, len(mem))
			for i := range mem {
				mem[i], gmem[i] = rng.NormFloat64(), rng.NormFloat64()
			}
			batch := tinyBatch[float64](shape, c.VocabSize)
			L := shape.Positions()
			batch.KeyMask = make([]float64, shape.Batch*L)
			for i := range batch.KeyMask {
				batch.KeyMask[i] = 1
			}
			batch.KeyMask[L+2+2] = 0 // a padded token key in row 1

			s64, err := NewSegment[float64](w, shape, BuildOptions{Train: true})
			if err != nil {
				t.Fatal(err)
			}
			grads := make([][]float64, s64.NumParams())
			_, dmem, err := s64.Backward(batch, mem, gmem, grads)
			if err != nil {
				t.Fatal(err)
			}
			objective := func() float64 {
				r, err := s64.Forward(batch, mem)
				if err != nil {
					t.Fatal(err)
				}
				return r.Loss + dot(r.MemOut, gmem)
			}
			check := func(name string, x, analytic []float64) {
				const eps = 1e-6
				worst := 0.0
				for j := range x {
					orig := x[j]
					x[j] = orig + eps
					fp := objective()
					x[j] = orig - eps
					fm := objective()
					x[j] = orig
					fd := (fp - fm) / (2 * eps)
					worst = math.Max(worst, math.Abs(fd-analytic[j])/math.Max(1, math.Abs(fd)))
				}
				if worst > 1e-7 {
					t.Errorf("%s: finite-difference error %.3g > 1e-7", name, worst)
				}
			}
			for i, p := range w.Params {
				check(p.Name, s64.ParamData(i), grads[i])
			}
			check("memory", mem, dmem)

			// float32 against float64, every element of every gradient.
			s32, err := NewSegment[float32](w, shape, BuildOptions{Train: true})
			if err != nil {
				t.Fatal(err)
			}
			b32 := tinyBatch[float32](shape, c.VocabSize)
			b32.KeyMask = make([]float32, len(batch.KeyMask))
			for i, v := range batch.KeyMask {
				b32.KeyMask[i] = float32(v)
			}
			m32, g32 := make([]float32, len(mem)), make([]float32, len(mem))
			for i := range mem {
				m32[i], g32[i] = float32(mem[i]), float32(gmem[i])
			}
			grads32 := make([][]float32, s32.NumParams())
			_, dmem32, err := s32.Backward(b32, m32, g32, grads32)
			if err != nil {
				t.Fatal(err)
			}
			agree := func(name string, got []float32, want []float64) {
				scale := 1e-3
				for _, v := range want {
					scale = math.Max(scale, math.Abs(v))
				}
				for j := range want {
					if d := math.Abs(float64(got[j])-want[j]) / scale; d > 1e-5 {
						t.Errorf("%s[%d]: float32 grad %.7g, float64 %.7g", name, j, got[j], want[j])
						return
					}
				}
			}
			for i, p := range w.Params {
				agree(p.Name, grads32[i], grads[i])
			}
			agree("memory", dmem32, dmem)
		})
	}
}

// TestRepeatedRunsAgree: ops reuse their output buffers from run to run, so
// a graph run again (forward-only and training runs interleaved, as replay
// does) must give bit-identical results to its first run.
func TestRepeatedRunsAgree(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		w := perturbed(t, tinyConfig(family))
		shape := SegmentShape{Batch: 2, Tokens: 3, Mem: 2}
		s, err := NewSegment[float32](w, shape, BuildOptions{Train: true})
		if err != nil {
			t.Fatal(err)
		}
		b := tinyBatch[float32](shape, w.Config.VocabSize)
		mem := make([]float32, 2*2*w.Config.Hidden())
		for i := range mem {
			mem[i] = float32(i%7) / 7
		}
		var first [][]float32
		var firstMem []float32
		for run := 0; run < 3; run++ {
			fr, err := s.Forward(b, mem)
			if err != nil {
				t.Fatal(err)
			}
			grads := make([][]float32, s.NumParams())
			_, dmem, err := s.Backward(b, mem, mem, grads)
			if err != nil {
				t.Fatal(err)
			}
			if run == 0 {
				first, firstMem = grads, fr.MemOut
				continue
			}
			for i := range grads {
				if !slices.Equal(grads[i], first[i]) {
					t.Fatalf("%s run %d: gradient of %s differs from the first run", family, run, w.Params[i].Name)
				}
			}
			if !slices.Equal(fr.MemOut, firstMem) || dmem == nil {
				t.Fatalf("%s run %d: memory differs from the first run", family, run)
			}
		}
	}
}

// TestBackwardAccumulates: Backward adds each parameter's gradient to what
// the caller's buffer holds (most gradient ops add straight into it), and
// lets go of the buffers when it returns.
func TestBackwardAccumulates(t *testing.T) {
	for _, family := range []string{"gpt2", "llama", "qwen2"} {
		w := perturbed(t, tinyConfig(family))
		shape := SegmentShape{Batch: 2, Tokens: 3, Mem: 2}
		s, err := NewSegment[float64](w, shape, BuildOptions{Train: true})
		if err != nil {
			t.Fatal(err)
		}
		b := tinyBatch[float64](shape, w.Config.VocabSize)
		mem := make([]float64, 2*2*w.Config.Hidden())
		for i := range mem {
			mem[i] = float64(i%5) / 5
		}
		fresh := make([][]float64, s.NumParams())
		if _, _, err := s.Backward(b, mem, mem, fresh); err != nil {
			t.Fatal(err)
		}
		held := make([][]float64, s.NumParams())
		for i := range held {
			held[i] = make([]float64, len(fresh[i]))
			for j := range held[i] {
				held[i][j] = float64((i+j)%9) - 4
			}
		}
		if _, _, err := s.Backward(b, mem, mem, held); err != nil {
			t.Fatal(err)
		}
		kept := make([][]float64, len(held))
		for i := range held {
			kept[i] = slices.Clone(held[i])
			for j, v := range held[i] {
				want := float64((i+j)%9) - 4 + fresh[i][j]
				if math.Abs(v-want) > 1e-12*(1+math.Abs(want)) {
					t.Fatalf("%s: %s[%d] = %.15g after Backward, want the held %d plus the gradient = %.15g",
						family, w.Params[i].Name, j, v, (i+j)%9-4, want)
				}
			}
		}
		if _, _, err := s.Backward(b, mem, mem, make([][]float64, s.NumParams())); err != nil {
			t.Fatal(err)
		}
		for i := range held {
			if !slices.Equal(held[i], kept[i]) {
				t.Fatalf("%s: a later Backward wrote into %s's earlier buffer", family, w.Params[i].Name)
			}
		}
	}
}
