package checkpoints

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

// TestARMTFeaturesInRMTJSON: rmt.json records ARMT's feature map and the
// loaded weights carry it; a folder written before the field loads as
// dpfp, exactly as before; an unknown value is refused naming the file and
// the field; a run of the other features refuses the checkpoint.
func TestARMTFeaturesInRMTJSON(t *testing.T) {
	dir := t.TempDir()
	ck := armtCheckpoint(t, tinyLlama(true), 1)
	ck.RMT.ARMTFeatures = graph.FeaturesDPFPNormalized
	path := filepath.Join(dir, "norm")
	if err := Save(path, ck); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.RMT.ARMTFeatures != graph.FeaturesDPFPNormalized || got.Weights.ARMTFeatures != graph.FeaturesDPFPNormalized {
		t.Errorf("loaded armt_features %q, weights %q; want %q", got.RMT.ARMTFeatures, got.Weights.ARMTFeatures, graph.FeaturesDPFPNormalized)
	}
	if m := graph.MemoryOf(got.Weights); m.Features != graph.FeaturesDPFPNormalized {
		t.Errorf("MemoryOf the loaded weights: features %q", m.Features)
	}

	rmtJSON := filepath.Join(path, "rmt.json")
	editJSON(t, rmtJSON, func(m map[string]any) { delete(m, "armt_features") })
	old, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if old.RMT.Kind().Features != graph.FeaturesDPFP || graph.MemoryOf(old.Weights).Features != graph.FeaturesDPFP {
		t.Errorf("rmt.json without armt_features: kind %+v, weights %q; want dpfp", old.RMT.Kind(), old.Weights.ARMTFeatures)
	}

	editJSON(t, rmtJSON, func(m map[string]any) { m["armt_features"] = "elu" })
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "rmt.json") || !strings.Contains(err.Error(), `armt_features "elu"`) {
		t.Errorf("Load with armt_features elu = %v, want an error naming rmt.json and the field", err)
	}
	raw, _ := os.ReadFile(rmtJSON)
	if !strings.Contains(string(raw), "elu") {
		t.Fatalf("rmt.json not edited: %s", raw)
	}

	a := graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}
	b := a
	b.Features = graph.FeaturesDPFPNormalized
	if err := SameMemory(a, b); err == nil || !strings.Contains(err.Error(), "armt_features dpfp, the run dpfp-normalized") {
		t.Errorf("SameMemory(dpfp, dpfp-normalized) = %v", err)
	}
	a.Features = graph.FeaturesDPFP
	if err := SameMemory(a, graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}); err != nil {
		t.Errorf("SameMemory(dpfp, unnamed) = %v, want nil: unnamed is dpfp", err)
	}
}
