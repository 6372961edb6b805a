package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/graph"
)

// TestARMTFeaturesFlags: stream-bench streams RMT and one ARMT per feature
// map asked; an unknown map, or a map with --memory rmt, is refused.
func TestARMTFeaturesFlags(t *testing.T) {
	out := captureStdout(t, func() error {
		return runStreamBench([]string{"--segment-size", "16", "--mem-tokens", "2", "--d-mem", "2", "--segments", "2", "--rounds", "1",
			"--armt-features", "dpfp,dpfp-normalized", "--threads", "1"})
	})
	for _, want := range []string{"RMT, 2 tokens", "ARMT, d_mem 2, 2 rows, dpfp ", "ARMT, d_mem 2, 2 rows, dpfp-normalized"} {
		if !strings.Contains(out, want) {
			t.Errorf("stream-bench table lacks %q:\n%s", want, out)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--armt-features", "elu"}, `--armt-features "elu"`},
		{[]string{"--memory", "armt", "--d-mem", "2", "--armt-features", "relu", "--runs", "1"}, `--armt-features "relu"`},
		{[]string{"--armt-features", "dpfp", "--runs", "1"}, "it needs --memory armt"},
	} {
		run := runBench
		if tc.args[0] == "--armt-features" && tc.args[1] == "elu" {
			run = runStreamBench
		}
		if err := run(tc.args); err == nil || !strings.Contains(userMessage(err), tc.want) {
			t.Errorf("%v: %v, want an error naming %q", tc.args, err, tc.want)
		}
	}
}

// captureStdout runs f with os.Stdout sent to a pipe and returns what it
// wrote.
func captureStdout(t *testing.T, f func() error) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	ferr := f()
	os.Stdout = old
	w.Close()
	out := <-done
	if ferr != nil {
		t.Fatal(ferr)
	}
	return out
}

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
