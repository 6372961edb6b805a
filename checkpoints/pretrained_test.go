package checkpoints

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

// writeModel writes a tiny HF folder (config.json, model.safetensors) and
// lets edit change the tensors and the config first.
func writeModel(t *testing.T, edit func(c *graph.Config, ts []Tensor) []Tensor) string {
	t.Helper()
	f := false
	c := graph.Config{ModelType: "llama", VocabSize: 16, HiddenSize: 8, IntermediateSize: 12, NumHiddenLayers: 1,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 32, RMSNormEps: 1e-5, TieWordEmbeddings: &f}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	var ts []Tensor
	for _, p := range w.Params {
		ts = append(ts, Tensor{Name: p.Name, Shape: p.Shape, Data: p.Data})
	}
	if edit != nil {
		ts = edit(&c, ts)
	}
	dir := t.TempDir()
	data, _ := json.Marshal(c)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteSafetensors(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestLoadPretrainedBadInput(t *testing.T) {
	drop := func(name string) func(*graph.Config, []Tensor) []Tensor {
		return func(_ *graph.Config, ts []Tensor) []Tensor {
			var out []Tensor
			for _, x := range ts {
				if x.Name != name {
					out = append(out, x)
				}
			}
			return out
		}
	}
	for _, tc := range []struct {
		name string
		dir  func(t *testing.T) string
		want []string
	}{
		{"missing folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope") }, []string{"nope", "missing"}},
		{"unknown model_type", func(t *testing.T) string {
			return writeModel(t, func(c *graph.Config, ts []Tensor) []Tensor { c.ModelType = "bert"; return ts })
		}, []string{"unknown model_type", "bert"}},
		{"bad dimension", func(t *testing.T) string {
			return writeModel(t, func(c *graph.Config, ts []Tensor) []Tensor { c.NumAttentionHeads = 3; return ts })
		}, []string{"heads"}},
		{"missing tensor", func(t *testing.T) string { return writeModel(t, drop("model.layers.0.mlp.up_proj.weight")) }, []string{"missing tensor", "up_proj"}},
		{"missing untied head", func(t *testing.T) string { return writeModel(t, drop("lm_head.weight")) }, []string{"lm_head.weight", "tie_word_embeddings"}},
		{"misshapen tensor", func(t *testing.T) string {
			return writeModel(t, func(_ *graph.Config, ts []Tensor) []Tensor {
				for i := range ts {
					if ts[i].Name == "model.norm.weight" {
						ts[i].Shape, ts[i].Data = []int{7}, ts[i].Data[:7]
					}
				}
				return ts
			})
		}, []string{"model.norm.weight", "[7]", "[8]"}},
		{"extra tensor", func(t *testing.T) string {
			return writeModel(t, func(_ *graph.Config, ts []Tensor) []Tensor {
				return append(ts, Tensor{Name: "model.extra.weight", Shape: []int{2}, Data: []float32{1, 2}})
			})
		}, []string{"unexpected tensor", "model.extra.weight"}},
		{"no weights file", func(t *testing.T) string {
			d := writeModel(t, nil)
			os.Remove(filepath.Join(d, "model.safetensors"))
			return d
		}, []string{"model.safetensors"}},
		{"truncated weights", func(t *testing.T) string {
			d := writeModel(t, nil)
			p := filepath.Join(d, "model.safetensors")
			st, _ := os.Stat(p)
			os.Truncate(p, st.Size()-10)
			return d
		}, []string{"model.safetensors"}},
		{"header larger than the file", func(t *testing.T) string {
			d := writeModel(t, nil)
			os.WriteFile(filepath.Join(d, "model.safetensors"), []byte{0xff, 0xff, 0, 0, 0, 0, 0, 0, '{', '}'}, 0o644)
			return d
		}, []string{"header"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadPretrained(tc.dir(t))
			if err == nil {
				t.Fatal("LoadPretrained succeeded, want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestLoadPretrainedRoundTrip(t *testing.T) {
	dir := writeModel(t, nil)
	w, err := LoadPretrained(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(w.Params), len(w.Config.Specs()); got != want {
		t.Errorf("loaded %d parameters, want %d", got, want)
	}
}
