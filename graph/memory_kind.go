package graph

import (
	"fmt"
	"github.com/rmtgo/rmt/internal/field"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Memory chooses a kind of recurrent memory and its sizes.
type Memory struct {
	Kind   string // KindRMT or KindARMT
	Tokens int    // M memory tokens
	DMem   int    // ARMT's key width d_mem (ARMT only)
	// Features is ARMT's feature map, FeaturesDPFP or
	// FeaturesDPFPNormalized; "" is FeaturesDPFP (ARMT only).
	Features string `json:",omitempty"`
}

// The memory kinds.
const (
	KindRMT  = "rmt"
	KindARMT = "armt"
)

// memoryKind is one kind of recurrent memory: everything about it that
// differs between kinds outside the ops of its segment graph. rmtMemory
// (memory_rmt.go) and armtMemory (memory_armt.go) are the two; a third
// kind is a third implementation and an entry in kinds.
type memoryKind interface {
	// name is the kind's Memory.Kind.
	name() string
	// check reports sizes of m the kind cannot take.
	check(m Memory) error
	// specs lists m's parameters, in the order they join Weights.Params.
	specs(c Config, m Memory) []Spec
	// init adds m's parameters to w, drawn from seed.
	init(w *Weights, m Memory, seed uint64) error
	// of is the memory of this kind w holds (false when it holds none).
	of(w *Weights) (Memory, bool)
	// holds reports whether w holds m's parameters with their shapes and
	// nothing of another kind's memory.
	holds(w *Weights, m Memory) error
	// owns reports whether a parameter of this name belongs to the kind.
	owns(name string) bool
	// describe names m's sizes as rmt.json holds them, for errors.
	describe(m Memory) string

	// positions is L for a segment of shape sh, and the rule giving it.
	positions(sh SegmentShape) (int, string)
	// tokenOffset is the position of a row's first token.
	tokenOffset(sh SegmentShape) int
	// shapeName names a segment shape's batch, tokens and memory.
	shapeName(sh SegmentShape) string
	// checkShape reports a segment shape the kind cannot build.
	checkShape(sh SegmentShape) error
	// stateParts is the size of each piece of the state handed between
	// segments, in the order of the flat state.
	stateParts(sh SegmentShape, c Config) []int
	// stateNode is the shape of the graph input holding a part of n values.
	stateNode(sh SegmentShape, c Config, n int) []int
	// stateDesc describes the state's layout for errors.
	stateDesc(sh SegmentShape, c Config) string
	// initialRow is one row's state before segment 1 as a parameter holds
	// it (nil: zeros).
	initialRow(w *Weights, sh SegmentShape) []float32
	// keepEvery is the default interval of the states the replay's
	// forward pass keeps over n segments.
	keepEvery(n int) int
	// takesNoise reports whether training noise may perturb the state
	// handed on (Cell.MemNoise).
	takesNoise() bool
	// finalReadOnly reports whether the final segment of a question reads
	// memory without memory rows or writes (SegmentShape.ReadOnly).
	finalReadOnly() bool
	// layers declares the memory's pieces in a segment graph.
	layers(dt tensor.Dtype, sh SegmentShape, c Config, p map[string]*G.Node, state []*G.Node) segmentMemory
}

// segmentMemory is one kind's pieces in a segment graph.
type segmentMemory interface {
	// rows is what the embedding places in the memory rows (nil for none);
	// tail puts them after the tokens only, not at both ends.
	rows() *G.Node
	tail() bool
	// read runs before decoder layer l and write after it.
	read(l int, x *G.Node) *G.Node
	write(l int, x *G.Node)
	// handOn declares the state handed on, from the final-norm hidden states.
	handOn(hf *G.Node) G.Nodes
}

// kinds are the memory kinds by name; MemoryOf asks them in this order.
var kinds = []memoryKind{rmtMemory{}, armtMemory{}}

// kindNamed is the kind called name.
func kindNamed(name string) (memoryKind, error) {
	var names []string
	for _, k := range kinds {
		if k.name() == name {
			return k, nil
		}
		names = append(names, k.name())
	}
	return nil, fieldError("memory", fmt.Sprintf("%q", name), ", want "+strings.Join(names, " or "))
}

// kind is the shape's memory kind: the one place a shape's sizes choose it.
func (s SegmentShape) kind() memoryKind {
	if s.DMem > 0 {
		return armtMemory{}
	}
	return rmtMemory{}
}

// fieldError is a memory size that its kind cannot take, named by its
// field (memory, mem_tokens, d_mem, armt_features, as rmt.json has them)
// as an internal/field error, which a command renames to its flags; why
// follows the value (", want ...") and may name other fields as {field}.
func fieldError(f, value, why string) error {
	return fmt.Errorf("graph: %w", field.Errorf(f, "%s%s", value, why))
}

// Check reports a memory of an unknown kind or with sizes its kind cannot
// take (an internal/field error).
func (m Memory) Check() error {
	k, err := kindNamed(m.Kind)
	if err != nil {
		return err
	}
	return k.check(m)
}

// kind is the memory's kind, checked.
func (m Memory) kind() (memoryKind, error) {
	if err := m.Check(); err != nil {
		return nil, err
	}
	k, _ := kindNamed(m.Kind)
	return k, nil
}

// Init adds the memory's parameters to w, drawn from seed: rmt.memory
// (none for 0 tokens) or the associative memory's.
func (m Memory) Init(w *Weights, seed uint64) error {
	k, err := m.kind()
	if err != nil {
		return err
	}
	return k.init(w, m, seed)
}

// Specs lists the memory's parameters with their shapes, in the order they
// join Weights.Params (none for RMT without tokens, or an unknown kind).
func (m Memory) Specs(c Config) []Spec {
	k, err := kindNamed(m.Kind)
	if err != nil {
		return nil
	}
	return k.specs(c, m)
}

// Names lists the memory's parameter names (none for RMT without tokens).
func (m Memory) Names(c Config) []string {
	var out []string
	for _, sp := range m.Specs(c) {
		out = append(out, sp.Name)
	}
	return out
}

// Describe names the memory's sizes as rmt.json holds them ("mem_tokens
// 2", "mem_tokens 2, d_mem 3"), for errors.
func (m Memory) Describe() string {
	k, err := kindNamed(m.Kind)
	if err != nil {
		return fmt.Sprintf("memory %q", m.Kind)
	}
	return k.describe(m)
}

// TakesNoise reports whether training noise (Cell.MemNoise) may perturb
// the memory's state.
func (m Memory) TakesNoise() bool {
	k, err := kindNamed(m.Kind)
	return err == nil && k.takesNoise()
}

// IsMemoryParam reports whether a parameter of this name belongs to some
// memory kind (rather than to the decoder).
func IsMemoryParam(name string) bool {
	for _, k := range kinds {
		if k.owns(name) {
			return true
		}
	}
	return false
}

// MemoryOf is the memory w's parameters hold: the associative memory when
// it has armt.memory (d_mem read from layer 0's W_mq), else RMT with the
// tokens of rmt.memory (0 without). A model holds one kind at most.
func MemoryOf(w *Weights) Memory {
	for _, k := range kinds {
		if m, ok := k.of(w); ok {
			return m
		}
	}
	return Memory{Kind: KindRMT}
}
