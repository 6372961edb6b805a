package graph

import (
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/rmtgo/rmt/graph/kernels"
)

// opsReading reports whether every op of c's compiled graphs reads p as
// its kernel settings, and how many ops it looked at.
func opsReading[T kernels.Float](c *Cell[T], p *kernels.Pool) (bool, int) {
	n := 0
	for _, g := range c.graphs {
		for _, node := range g.g.AllNodes() {
			b, ok := node.Op().(interface{ base() *opBase })
			if !ok {
				continue
			}
			n++
			if b.base().kpool() != p {
				return false, n
			}
		}
	}
	return n > 0, n
}

// Two cells in one process, one splitting its ops four ways and one
// running every op whole, train side by side on the same batch: each
// cell's ops read that cell's own settings (and a twin's its own), and
// each gives, bit for bit, the loss and every gradient it gives when it
// runs alone. With OpenBLAS both also give those of a cell left at the
// defaults, since its results do not depend on how a product is split;
// gonum's pure-Go sgemm (purego) picks its blocking by the size it is
// given, so there a split may round differently.
func TestCellsOwnTheirKernelSettings(t *testing.T) {
	f := false
	c := Config{ModelType: "llama", VocabSize: 64, HiddenSize: 64, IntermediateSize: 128, NumHiddenLayers: 2,
		NumAttentionHeads: 4, NumKeyValueHeads: 2, MaxPositionEmbeddings: 256, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &f}
	w, err := RandomWeights(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	const M, S = 4, 96
	if err := InitMemory(w, M, 1); err != nil {
		t.Fatal(err)
	}
	ids := make([][]int, 2)
	for b := range ids {
		for i := range 3 * S {
			ids[b] = append(ids[b], (7*i+3*b+1)%c.VocabSize)
		}
	}
	seq := Sequence{IDs: ids}
	wide, err := kernels.NewPool(kernels.Settings{Threads: 4})
	if err != nil {
		t.Fatal(err)
	}
	whole, err := kernels.NewPool(kernels.Settings{Threads: 4, OpWorkers: 1, NoSpin: true})
	if err != nil {
		t.Fatal(err)
	}
	run := func(p *kernels.Pool) (*Cell[float32], float64, [][]float32) {
		cell, err := NewCell[float32](w, M, S, true)
		if err != nil {
			panic(err) // the same cell was made on the test's goroutine
		}
		cell.Kernels = p
		var loss float64
		var grads [][]float32
		for range 3 {
			g, err := cell.Gradients(seq, -1)
			if err != nil {
				t.Error(err)
				return cell, 0, nil
			}
			loss, grads = g.Loss, nil
			for _, p := range g.Params {
				grads = append(grads, append([]float32(nil), p...))
			}
		}
		return cell, loss, grads
	}
	if _, err := NewCell[float32](w, M, S, true); err != nil {
		t.Fatal(err)
	}
	_, defLoss, def := run(nil)
	_, wideLoss, wideGrads := run(wide)
	_, wholeLoss, wholeGrads := run(whole)
	soloLoss, solo := []float64{wideLoss, wholeLoss}, [][][]float32{wideGrads, wholeGrads}
	type out struct {
		cell  *Cell[float32]
		loss  float64
		grads [][]float32
	}
	outs := make([]out, 2)
	var wg sync.WaitGroup
	for i, p := range []*kernels.Pool{wide, whole} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cell, loss, grads := run(p)
			outs[i] = out{cell, loss, grads}
		}()
	}
	wg.Wait()
	for i, p := range []*kernels.Pool{wide, whole} {
		o := outs[i]
		if ok, n := opsReading(o.cell, p); !ok {
			t.Errorf("cell %d (%+v): an op of its %d does not read the cell's settings", i, p.Settings(), n)
		}
		if o.cell.Kernels.Workers() != []int{4, 1}[i] {
			t.Errorf("cell %d splits ops into %d workers, want %d", i, o.cell.Kernels.Workers(), []int{4, 1}[i])
		}
		same(t, fmt.Sprintf("cell %d (%+v) beside the other", i, p.Settings()), "alone", w, o.loss, soloLoss[i], o.grads, solo[i])
		if kernels.BLASName == "openblas" {
			same(t, fmt.Sprintf("cell %d (%+v)", i, p.Settings()), "at the defaults", w, o.loss, defLoss, o.grads, def)
		}
	}
	// A change between runs reaches compiled graphs; a twin's settings are
	// its own once set.
	a := outs[0].cell
	twin := a.Twins(2)[1]
	if twin.Kernels != wide {
		t.Errorf("a twin starts with %+v, want its cell's %+v", twin.Kernels.Settings(), wide.Settings())
	}
	twin.Kernels = whole
	if _, err := twin.Gradients(seq, -1); err != nil {
		t.Fatal(err)
	}
	a.Kernels = whole
	if ok, _ := opsReading(a, whole); !ok {
		t.Errorf("after a.Kernels changed, its compiled ops still read the old settings")
	}
	a.Kernels = wide
	if ok, _ := opsReading(twin, whole); !ok || a.Kernels != wide {
		t.Errorf("a twin's ops follow its cell's settings, not its own")
	}
}

// same fails t unless loss and grads equal wantLoss and want bit for bit.
func same(t *testing.T, what, as string, w *Weights, loss, wantLoss float64, grads, want [][]float32) {
	t.Helper()
	if math.Float64bits(loss) != math.Float64bits(wantLoss) {
		t.Errorf("%s: loss %v, want %v as %s", what, loss, wantLoss, as)
	}
	for k := range want {
		for j := range want[k] {
			if math.Float32bits(grads[k][j]) != math.Float32bits(want[k][j]) {
				t.Errorf("%s: gradient of %s[%d] = %v, want %v as %s", what, w.Params[k].Name, j, grads[k][j], want[k][j], as)
				return
			}
		}
	}
}
