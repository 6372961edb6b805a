package main

import (
	"flag"

	"github.com/rmtgo/rmt/bench"
)

// memoryFlags are --memory, --d-mem and --armt-features of the commands
// that build a model with fresh memory (speed, scaling, flops).
type memoryFlags struct {
	kind     *string
	dMem     *int
	features *string
}

func addMemoryFlags(fs *flag.FlagSet) memoryFlags {
	return memoryFlags{
		kind:     fs.String("memory", bench.DefaultMemoryKind, "memory kind: rmt (memory tokens) or armt (associative memory in every layer)"),
		dMem:     fs.Int("d-mem", 0, "key width of the associative memory (--memory armt only)"),
		features: fs.String("armt-features", "", "feature map of the associative memory: dpfp or dpfp-normalized; with --memory armt it is dpfp-normalized unless given"),
	}
}
