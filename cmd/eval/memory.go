package main

import (
	"flag"

	"github.com/rmtgo/rmt/graph"
)

// memoryFlags are --memory and --d-mem of the commands that build a model
// with fresh memory (bench, scaling).
type memoryFlags struct {
	kind     *string
	dMem     *int
	features *string
}

func addMemoryFlags(fs *flag.FlagSet) memoryFlags {
	return memoryFlags{
		kind:     fs.String("memory", graph.KindRMT, "memory kind: rmt (memory tokens) or armt (associative memory in every layer)"),
		dMem:     fs.Int("d-mem", 0, "key width of the associative memory (--memory armt only)"),
		features: fs.String("armt-features", "", "feature map of the associative memory: dpfp or dpfp-normalized; with --memory armt it is dpfp-normalized unless given"),
	}
}

// memory is the memory the flags ask for with tokens memory tokens.
func (f memoryFlags) memory(tokens int) (graph.Memory, error) {
	m := graph.Memory{Kind: *f.kind, Tokens: tokens, DMem: *f.dMem, Features: *f.features}
	if m.Kind == graph.KindARMT && m.Features == "" {
		m.Features = graph.FeaturesDPFPNormalized // as cmd/train's default
	}
	return m, m.Check()
}
