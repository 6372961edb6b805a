package train

import (
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// sequenceOf turns samples into a batch for a memory cell, each prediction
// scored as data.Sample.Scored marks it (as validation scores them).
func sequenceOf(samples []data.Sample) graph.Sequence {
	var seq graph.Sequence
	for _, s := range samples {
		seq.IDs = append(seq.IDs, s.IDs)
		seq.Score = append(seq.Score, s.Scored())
	}
	return seq
}
