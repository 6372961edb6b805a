package graph

import (
	"math"
	"testing"
)

// paddedBatch is four rows of 2 segments of 8 tokens, three of them short
// (their last segment padded), each scoring two predictions near its end.
func paddedBatch(w *Weights) Sequence {
	var seq Sequence
	for b, length := range []int{16, 11, 9, 14} {
		ids, score := make([]int, length), make([]bool, length)
		for i := range ids {
			ids[i] = (5*i + 3*b + 1) % w.Config.VocabSize
			score[i] = i >= length-3 && i < length-1
		}
		seq.IDs, seq.Score = append(seq.IDs, ids), append(seq.Score, score)
	}
	return seq
}

// A short last segment is padded and the padding masked: the loss of a
// batch of short rows is the mean of each row's loss when that row is
// filled to the segment's end with unscored tokens (causal attention hides
// later tokens from the scored ones, and the last segment's write memory
// reaches no loss), in float64 and float32.
func TestPaddedRowsEqualFilledRows(t *testing.T) {
	for _, family := range []string{"gpt2", "llama"} {
		w := perturbed(t, tinyConfig(family))
		const M, S = 2, 8
		if err := InitMemory(w, M, S); err != nil {
			t.Fatal(err)
		}
		seq := paddedBatch(w)
		c64, err := NewCell[float64](w, M, S, true)
		if err != nil {
			t.Fatal(err)
		}
		c32, err := NewCell[float32](w, M, S, true)
		if err != nil {
			t.Fatal(err)
		}
		g64, err := c64.Gradients(seq, -1)
		if err != nil {
			t.Fatal(err)
		}
		batch64 := g64.Loss
		g32, err := c32.Gradients(seq, -1)
		if err != nil {
			t.Fatal(err)
		}
		batch32 := g32.Loss
		mean := 0.0
		for b := range seq.IDs {
			ids, score := make([]int, 2*S), make([]bool, 2*S)
			copy(ids, seq.IDs[b])
			copy(score, seq.Score[b])
			g, err := c64.Gradients(Sequence{IDs: [][]int{ids}, Score: [][]bool{score}}, -1)
			if err != nil {
				t.Fatal(err)
			}
			mean += g.Loss / float64(len(seq.IDs))
		}
		if math.Abs(batch64-mean) > 1e-12 {
			t.Errorf("%s: padded batch loss %.15g, mean of filled rows %.15g", family, batch64, mean)
		}
		if math.Abs(batch32-mean) > 1e-5 {
			t.Errorf("%s: float32 padded batch loss %.9g, float64 filled rows %.9g", family, batch32, mean)
		}
	}
}

// The float32 gradients of a padded batch agree with float64's (the
// fused float32 kernels mask padding as the float64 path does).
func TestPaddedGradientsFloat32(t *testing.T) {
	w := perturbed(t, tinyConfig("llama"))
	const M, S = 2, 8
	if err := InitMemory(w, M, S); err != nil {
		t.Fatal(err)
	}
	seq := paddedBatch(w)
	c64, _ := NewCell[float64](w, M, S, true)
	g64, err := c64.Gradients(seq, -1)
	if err != nil {
		t.Fatal(err)
	}
	c32, _ := NewCell[float32](w, M, S, true)
	g32, err := c32.Gradients(seq, -1)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range w.Params {
		a := make([]float64, len(g32.Params[i]))
		for j, v := range g32.Params[i] {
			a[j] = float64(v)
		}
		if e := relErr(a, g64.Params[i]); e > 1e-4 {
			t.Errorf("%s: float32 gradient off float64's by %.3g (relative)", p.Name, e)
		}
	}
}
