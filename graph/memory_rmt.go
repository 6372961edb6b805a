package graph

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// rmtMemory is the Recurrent Memory Transformer's memory (rmt.go): M
// tokens read at the front of a segment and written at its end, mem_0 the
// parameter rmt.memory; 0 tokens runs the plain decoder.
type rmtMemory struct{}

func (rmtMemory) name() string { return KindRMT }

func (rmtMemory) check(m Memory) error {
	switch {
	case m.DMem != 0:
		return fieldError("d_mem", fmt.Sprint(m.DMem), " is the associative memory's key width; it needs {memory} armt")
	case m.Tokens < 0:
		return fieldError("mem_tokens", fmt.Sprint(m.Tokens), ", want 0 or more")
	case m.Features != "":
		return fieldError("armt_features", m.Features, " is the associative memory's feature map; it needs {memory} armt")
	}
	return nil
}

func (rmtMemory) specs(c Config, m Memory) []Spec {
	if m.Tokens == 0 {
		return nil
	}
	return []Spec{{MemoryName, []int{m.Tokens, c.Hidden()}}}
}

func (rmtMemory) init(w *Weights, m Memory, seed uint64) error {
	if m.Tokens == 0 {
		return nil
	}
	return InitMemory(w, m.Tokens, seed)
}

func (rmtMemory) of(w *Weights) (Memory, bool) {
	if p := w.Get(MemoryName); p != nil {
		return Memory{Kind: KindRMT, Tokens: p.Shape[0]}, true
	}
	return Memory{}, false
}

func (rmtMemory) holds(w *Weights, m Memory) error {
	if m.Tokens == 0 {
		return nil // the plain decoder, whatever memory w holds
	}
	if w.Get(ARMTMemoryName) != nil {
		return fmt.Errorf("graph: the model holds %s (an armt memory), not rmt", ARMTMemoryName)
	}
	p := w.Get(MemoryName)
	if p == nil {
		return fmt.Errorf("graph: the model has no %s; call InitMemory first", MemoryName)
	}
	if p.Shape[0] != m.Tokens || p.Shape[1] != w.Config.Hidden() {
		return fmt.Errorf("graph: %s has shape %v, want [%d %d]", MemoryName, p.Shape, m.Tokens, w.Config.Hidden())
	}
	return nil
}

func (rmtMemory) owns(name string) bool { return name == MemoryName }

func (rmtMemory) describe(m Memory) string { return fmt.Sprintf("mem_tokens %d", m.Tokens) }

func (rmtMemory) positions(sh SegmentShape) (int, string) { return 2*sh.Mem + sh.Tokens, "2M+S" }

func (rmtMemory) tokenOffset(sh SegmentShape) int { return sh.Mem }

func (rmtMemory) shapeName(sh SegmentShape) string {
	return fmt.Sprintf("%dx%d+2x%d", sh.Batch, sh.Tokens, sh.Mem)
}

func (rmtMemory) checkShape(sh SegmentShape) error {
	if sh.ReadOnly {
		return fmt.Errorf("graph: a read-only segment needs the associative memory (d_mem > 0)")
	}
	return nil
}

// stateParts: one (B*M*C), the memory tokens of every row.
func (rmtMemory) stateParts(sh SegmentShape, c Config) []int {
	if sh.Mem == 0 {
		return nil
	}
	return []int{sh.Batch * sh.Mem * c.Hidden()}
}

func (rmtMemory) stateNode(_ SegmentShape, c Config, n int) []int {
	return []int{n / c.Hidden(), c.Hidden()}
}

func (rmtMemory) stateDesc(sh SegmentShape, c Config) string {
	return fmt.Sprintf("batch %d x %d tokens x width %d", sh.Batch, sh.Mem, c.Hidden())
}

// initialRow is rmt.memory (none without memory tokens).
func (rmtMemory) initialRow(w *Weights, sh SegmentShape) []float32 {
	if sh.Mem == 0 {
		return nil
	}
	return w.Get(MemoryName).Data
}

// keepEvery: every state (M x C per row is small).
func (rmtMemory) keepEvery(int) int { return 1 }

func (rmtMemory) takesNoise() bool { return true }

func (rmtMemory) finalReadOnly() bool { return false }

func (rmtMemory) layers(dt tensor.Dtype, sh SegmentShape, c Config, _ map[string]*G.Node, state []*G.Node) segmentMemory {
	return &rmtLayers{dt: dt, sh: sh, c: c, state: state}
}

// rmtLayers are RMT's pieces of a segment graph: the state in the memory
// rows at both ends, no per-layer reads or writes, and the final-norm
// states at the write rows handed on.
type rmtLayers struct {
	dt    tensor.Dtype
	sh    SegmentShape
	c     Config
	state []*G.Node
}

func (r *rmtLayers) rows() *G.Node {
	if len(r.state) == 0 {
		return nil
	}
	return r.state[0]
}

func (r *rmtLayers) tail() bool { return false }

func (r *rmtLayers) read(_ int, x *G.Node) *G.Node { return x }

func (r *rmtLayers) write(int, *G.Node) {}

func (r *rmtLayers) handOn(hf *G.Node) G.Nodes {
	if len(r.state) == 0 {
		return nil
	}
	sh := r.sh
	return G.Nodes{apply(newMemOutOp(r.dt, sh.Batch, sh.Positions(), sh.Mem, r.c.Hidden()), hf)}
}
