package checkpoints

import (
	"maps"
	"slices"

	"github.com/rmtgo/rmt/graph"
)

// shapes are the named model shapes of random:SHAPE (LoadModel) and of
// `bench speed --shape`.
var shapes = map[string]graph.Config{
	"stories260K": func() graph.Config {
		tied := true
		return graph.Config{ModelType: "llama", VocabSize: 512, HiddenSize: 64, IntermediateSize: 172, NumHiddenLayers: 5,
			NumAttentionHeads: 8, NumKeyValueHeads: 4, HeadDimension: 8, MaxPositionEmbeddings: 512, HiddenAct: "silu",
			RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	}(),
	"gpt2-small":  gpt2Shape(768, 12, 12),
	"gpt2-medium": gpt2Shape(1024, 24, 16),
}

// gpt2Shape is GPT-2 of width c, n layers and h heads (vocabulary 50,257,
// 1,024 positions, tied head).
func gpt2Shape(c, n, h int) graph.Config {
	tied := true
	return graph.Config{ModelType: "gpt2", VocabSize: 50257, NEmbd: c, NLayer: n, NHead: h, NPositions: 1024,
		ActivationFunction: "gelu_new", LayerNormEpsilon: 1e-5, TieWordEmbeddings: &tied}
}

// Shape is the model shape called name (random weights of it load as
// RandomPrefix+name).
func Shape(name string) (graph.Config, bool) {
	c, ok := shapes[name]
	return c, ok
}

// ShapeNames lists the named shapes, sorted.
func ShapeNames() []string { return slices.Sorted(maps.Keys(shapes)) }
