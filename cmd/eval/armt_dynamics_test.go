package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// TestARMTDynamicsCommand: on an ARMT checkpoint with normalised features
// `eval dynamics` reports the features and every layer's figures, in JSON
// and in a second table.
func TestARMTDynamicsCommand(t *testing.T) {
	tied := true
	c := graph.Config{ModelType: "llama", VocabSize: data.ByteVocabSize, HiddenSize: 16, IntermediateSize: 24, NumHiddenLayers: 2,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 256, RMSNormEps: 1e-5, RopeTheta: 10000, TieWordEmbeddings: &tied}
	w, err := graph.RandomWeights(c, 3)
	if err != nil {
		t.Fatal(err)
	}
	mem := graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 2, Features: graph.FeaturesDPFPNormalized}
	if err := mem.Init(w, 3); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "step-000010")
	info := checkpoints.RMTInfo{Memory: graph.KindARMT, DMem: 2, ARMTFeatures: graph.FeaturesDPFPNormalized, MemTokens: 2, SegmentSize: 96, BPTTDepth: -1}
	if err := checkpoints.Save(dir, &checkpoints.Checkpoint{Weights: w, RMT: info}); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := dynamics(&out, []string{"--checkpoint", dir, "--segments", "3", "--samples", "2", "--progress", "0", "--json"}); err != nil {
		t.Fatal(err)
	}
	var rep eval.DynamicsReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Features != graph.FeaturesDPFPNormalized || len(rep.Results) != 2 || len(rep.Results[0].Layers) != 2 || rep.Results[0].Layers[1].MeanGamma != 1 {
		t.Errorf("report %+v, want dpfp-normalized and 2 layers per hand-off, γ 1 at the first", rep)
	}
	out.Reset()
	if err := dynamics(&out, []string{"--checkpoint", dir, "--segments", "3", "--samples", "2", "--progress", "0"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"associative memory by layer (features dpfp-normalized)", "z mean square", "read scale"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}
