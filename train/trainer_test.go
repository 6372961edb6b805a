package train

import (
	"testing"

	"github.com/rmtgo/rmt/eval"
)

func TestSelectionMetric(t *testing.T) {
	const samples = 64
	for _, tc := range []struct {
		name   string
		hi, lo eval.Validation
	}{
		{"more correct wins over any loss", eval.Validation{Accuracy: 0.5 + 1.0/samples, Loss: 1e6}, eval.Validation{Accuracy: 0.5, Loss: 0}},
		{"equal accuracy, lower loss wins", eval.Validation{Accuracy: 1, Loss: 0.001}, eval.Validation{Accuracy: 1, Loss: 0.01}},
		{"lm: lower loss wins", eval.Validation{Accuracy: -1, Loss: 2}, eval.Validation{Accuracy: -1, Loss: 3}},
	} {
		if h, l := selectionMetric(tc.hi, samples), selectionMetric(tc.lo, samples); !(h > l) {
			t.Errorf("%s: selectionMetric(%+v) = %v, not above selectionMetric(%+v) = %v", tc.name, tc.hi, h, tc.lo, l)
		}
	}
}
