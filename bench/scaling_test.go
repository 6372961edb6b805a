package bench

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// The scaling report carries the thread setting it ran under, in its JSON.
func TestScalingReportsThreads(t *testing.T) {
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
	rep, err := TrainScalingWith(w, 8, 2, []int{1}, ScalingOptions{Timed: 3, Kernels: kernels.Settings{Threads: 3, NoSpin: true}}, func(string) {})
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

// TestTrainScalingARMT: the scaling run works with the associative memory,
// keeping every state or about the square root of the count, and with
// only the measured step timed.
func TestTrainScalingARMT(t *testing.T) {
	w := tinyARMT(t)
	for _, keep := range []int{0, 1} {
		rep, err := TrainScalingWith(w, 8, 2, []int{1, 4}, ScalingOptions{Timed: 0, KeepEvery: keep}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Train) != 2 || rep.Train[1].Segments != 4 || !(rep.Train[1].StepMS > 0) || !(rep.Train[1].PeakRSSMB > 0) {
			t.Errorf("keep every %d: rows %+v, want two with a time and a peak", keep, rep.Train)
		}
	}
}

// tinyARMT is a one-layer random model with an associative memory of 2
// tokens, d_mem 4.
func tinyARMT(t *testing.T) *graph.Weights {
	t.Helper()
	tied := true
	c := graph.Config{ModelType: "llama", VocabSize: 32, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 1,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 64, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := (graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 4}).Init(w, 7); err != nil {
		t.Fatal(err)
	}
	return w
}
