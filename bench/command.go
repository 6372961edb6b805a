package bench

import (
	"fmt"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
)

// What cmd/bench needs from graph, so that the command holds flags and
// tables and never a model's types.

// DefaultMemoryKind is the memory a measurement uses unless told.
const DefaultMemoryKind = graph.KindRMT

// DefaultARMTFeatures is the associative memory's feature map unless told,
// as cmd/train's default.
const DefaultARMTFeatures = graph.FeaturesDPFPNormalized

// Shape resolves a named benchmark shape (stories260K, gpt2-small,
// gpt2-medium) or a model folder whose config.json gives the shape.
func Shape(shape string) (graph.Config, error) {
	if c, ok := checkpoints.Shape(shape); ok {
		return c, nil
	}
	c, err := checkpoints.ReadConfig(shape)
	if err != nil {
		return graph.Config{}, fmt.Errorf("shape %q is neither stories260K, gpt2-small, gpt2-medium nor a model folder: %w", shape, err)
	}
	return c, nil
}

// IsNamedShape reports whether shape is one of checkpoints' named shapes
// rather than a folder.
func IsNamedShape(shape string) bool {
	_, ok := checkpoints.Shape(shape)
	return ok
}

// MemoryOf is the memory of kind with tokens memory tokens, key width dMem
// and feature map features; ARMT without a feature map takes
// DefaultARMTFeatures. It is not checked (graph.Memory.Check).
func MemoryOf(kind string, tokens, dMem int, features string) graph.Memory {
	m := graph.Memory{Kind: kind, Tokens: tokens, DMem: dMem, Features: features}
	if m.Kind == graph.KindARMT && m.Features == "" {
		m.Features = DefaultARMTFeatures
	}
	return m
}

// StreamMemories are the memories CompareStreams compares: RMT with tokens
// memory tokens, then ARMT with tokens rows and key width dMem once per
// feature map.
func StreamMemories(tokens, dMem int, features []string) []graph.Memory {
	mems := []graph.Memory{{Kind: graph.KindRMT, Tokens: tokens}}
	for _, f := range features {
		mems = append(mems, graph.Memory{Kind: graph.KindARMT, Tokens: tokens, DMem: dMem, Features: f})
	}
	return mems
}

// RandomModel is a model of shape c with random weights and memory m,
// initialised from seed 1, as the scaling measurements use.
func RandomModel(c graph.Config, m graph.Memory) (*graph.Weights, error) {
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		return nil, err
	}
	if err := m.Init(w, 1); err != nil {
		return nil, err
	}
	return w, nil
}

// Label names a stream's memory in a table row.
func (r StreamRate) Label() string {
	if r.Memory.Kind == graph.KindARMT {
		return fmt.Sprintf("ARMT, d_mem %d, %d rows, %s", r.Memory.DMem, r.Memory.Tokens, r.Memory.Features)
	}
	return "RMT, " + fmt.Sprint(r.Memory.Tokens) + " tokens"
}

// Labels name the report's memory for its heading (memory) and its FLOPs
// column (name).
func (r FLOPsReport) Labels() (memory, name string) {
	if r.Memory == graph.KindARMT {
		return fmt.Sprintf("%d memory, ARMT d_mem %d (its reads and writes counted)", r.MemTokens, r.DMem), "ARMT"
	}
	return fmt.Sprintf("2x%d memory", r.MemTokens), "RMT"
}

// FLOPsShape is the shape FLOPs are counted for: the config.json of the
// model folder model, or, for model "", the shape of the dimensions given
// (ShapeConfig).
func FLOPsShape(model string, layers, hidden, ffn, vocab, heads, kvHeads int, gated bool) (graph.Config, error) {
	if model != "" {
		return checkpoints.ReadConfig(model)
	}
	return ShapeConfig(layers, hidden, ffn, vocab, heads, kvHeads, gated)
}
