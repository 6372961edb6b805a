package graph

import (
	"fmt"
	"math"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// armtMemory is the Associative Recurrent Memory Transformer's memory
// (armt.go): armt.memory rows after the tokens, and every layer's (A, z)
// handed on, zero before segment 1.
type armtMemory struct{}

func (armtMemory) name() string { return KindARMT }

func (armtMemory) check(m Memory) error {
	switch {
	case m.DMem < 1:
		return fieldError("d_mem", fmt.Sprint(m.DMem), ", want at least 1 with {memory} armt (the key width, e.g. 16)")
	case m.Tokens < 1:
		return fieldError("mem_tokens", fmt.Sprint(m.Tokens), ", want at least 1 with {memory} armt")
	}
	return checkFeatures(m.Features)
}

func (armtMemory) specs(c Config, m Memory) []Spec { return ARMTSpecs(c, m.Tokens, m.DMem) }

func (armtMemory) init(w *Weights, m Memory, seed uint64) error {
	w.ARMTFeatures = m.ARMTFeatures()
	return InitARMT(w, m.Tokens, m.DMem, seed)
}

// of reads d_mem from layer 0's W_mq.
func (armtMemory) of(w *Weights) (Memory, bool) {
	p := w.Get(ARMTMemoryName)
	if p == nil {
		return Memory{}, false
	}
	m := Memory{Kind: KindARMT, Tokens: p.Shape[0], Features: w.ARMTFeatures}
	m.Features = m.ARMTFeatures()
	if q := w.Get(armtParam(0, "W_mq.weight")); q != nil {
		m.DMem = q.Shape[0]
	}
	return m, true
}

func (armtMemory) holds(w *Weights, m Memory) error {
	if w.Get(MemoryName) != nil {
		return fmt.Errorf("graph: the model holds %s (an rmt memory), not the associative memory", MemoryName)
	}
	return CheckARMT(w, m.Tokens, m.DMem)
}

func (armtMemory) owns(name string) bool { return strings.HasPrefix(name, "armt.") }

func (armtMemory) describe(m Memory) string {
	return fmt.Sprintf("mem_tokens %d, d_mem %d", m.Tokens, m.DMem)
}

func (armtMemory) positions(sh SegmentShape) (int, string) { return sh.Tokens + sh.memRows(), "S+M" }

func (armtMemory) tokenOffset(SegmentShape) int { return 0 }

func (armtMemory) shapeName(sh SegmentShape) string {
	if sh.ReadOnly {
		return fmt.Sprintf("%dx%d armt d_mem %d read-only", sh.Batch, sh.Tokens, sh.DMem)
	}
	return fmt.Sprintf("%dx%d+%d armt d_mem %d", sh.Batch, sh.Tokens, sh.Mem, sh.DMem)
}

func (armtMemory) checkShape(sh SegmentShape) error {
	if sh.Mem < 1 && !sh.ReadOnly {
		return fmt.Errorf("graph: ARMT with %d memory tokens, want at least 1", sh.Mem)
	}
	return nil
}

// stateParts: one per layer, B rows of A (K, C) then z (K).
func (armtMemory) stateParts(sh SegmentShape, c Config) []int {
	K := sh.keyWidth()
	parts := make([]int, c.Layers())
	for i := range parts {
		parts[i] = sh.Batch * (K*c.Hidden() + K)
	}
	return parts
}

func (armtMemory) stateNode(sh SegmentShape, _ Config, n int) []int {
	return []int{sh.Batch, n / sh.Batch}
}

func (armtMemory) stateDesc(sh SegmentShape, c Config) string {
	K := sh.keyWidth()
	return fmt.Sprintf("%d layers x batch %d x (%d x %d + %d)", c.Layers(), sh.Batch, K, c.Hidden(), K)
}

// initialRow: (A, z) = 0.
func (armtMemory) initialRow(*Weights, SegmentShape) []float32 { return nil }

// keepEvery: about √n (a d_key x C matrix per layer per row).
func (armtMemory) keepEvery(n int) int { return max(1, int(math.Ceil(math.Sqrt(float64(n))))) }

func (armtMemory) takesNoise() bool { return false }

// finalReadOnly: the authors' final segment reads every layer's memory and
// has no memory rows and no writes.
func (armtMemory) finalReadOnly() bool { return true }

func (armtMemory) layers(dt tensor.Dtype, sh SegmentShape, c Config, p map[string]*G.Node, state []*G.Node) segmentMemory {
	return &armtLayers{dt: dt, sh: sh, c: c, p: p, state: state}
}

// rows is armt.memory.
func (a *armtLayers) rows() *G.Node { return a.p[ARMTMemoryName] }

func (a *armtLayers) tail() bool { return true }

// handOn is every layer's written (A, z) (none when read-only).
func (a *armtLayers) handOn(*G.Node) G.Nodes { return a.out }
