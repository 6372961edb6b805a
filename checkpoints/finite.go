package checkpoints

import (
	"fmt"
	"maps"
	"slices"

	"github.com/rmtgo/rmt/graph"
)

// nonFinite is the index of the first NaN or Inf in data, or -1.
func nonFinite(data []float32) int {
	for i, v := range data {
		if v-v != 0 { // NaN - NaN and Inf - Inf are NaN; finite - itself is 0
			return i
		}
	}
	return -1
}

// checkFiniteWeights refuses weights holding a NaN or Inf, naming the
// tensor and source (the file, or "checkpoint weights" before a write): a
// diverged model is never written, loaded, evaluated or exported.
func checkFiniteWeights(w *graph.Weights, source string) error {
	for _, p := range w.Params {
		if i := nonFinite(p.Data); i >= 0 {
			return fmt.Errorf("checkpoints: tensor %s in %s holds %v at index %d; want finite weights (the run diverged or the file is corrupt)",
				quoteName(p.Name), source, p.Data[i], i)
		}
	}
	return nil
}

// checkFiniteMoments is checkFiniteWeights for AdamW's moments: a NaN
// there turns the next step's update, and so every weight, into NaN.
func checkFiniteMoments(m, v map[string][]float32, source string) error {
	for _, kind := range []struct {
		prefix  string
		moments map[string][]float32
	}{{"m.", m}, {"v.", v}} {
		for _, name := range slices.Sorted(maps.Keys(kind.moments)) {
			if i := nonFinite(kind.moments[name]); i >= 0 {
				return fmt.Errorf("checkpoints: tensor %s in %s holds %v at index %d; want finite optimizer moments (the run diverged or the file is corrupt)",
					quoteName(kind.prefix+name), source, kind.moments[name][i], i)
			}
		}
	}
	return nil
}
