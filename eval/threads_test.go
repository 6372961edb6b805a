package eval

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// The scaling report carries the thread setting it ran under, in its JSON.
func TestScalingReportsThreads(t *testing.T) {
	before := kernels.Threads()
	t.Cleanup(func() {
		kernels.SetThreads(before)
		kernels.SetSpin(true)
	})
	if err := kernels.SetThreads(3); err != nil {
		t.Fatal(err)
	}
	kernels.SetSpin(false)
	tied := true
	c := graph.Config{ModelType: "llama", VocabSize: 32, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 1,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 64, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.InitMemory(w, 2, 1); err != nil {
		t.Fatal(err)
	}
	rep, err := TrainScaling(w, 8, 2, []int{1}, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	want := ThreadSetting{Threads: 3, Spin: false, BLASThreads: 1}
	if rep.ThreadSetting != want {
		t.Errorf("TrainScaling reports %+v, want %+v", rep.ThreadSetting, want)
	}
	b, _ := json.Marshal(rep)
	if !strings.Contains(string(b), `"threads":3,"spin":false,"blas_threads":1`) {
		t.Errorf("scaling JSON %s lacks the thread setting", b)
	}
}
