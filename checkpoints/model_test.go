package checkpoints

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func tensor(name string, shape []int, vals ...float32) Tensor {
	return Tensor{Name: name, DType: "F32", Shape: shape, Data: vals}
}

// shardedFolder writes shards (file name -> tensors) and an index with weightMap.
func shardedFolder(t *testing.T, shards map[string][]Tensor, weightMap map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for file, ts := range shards {
		if err := WriteSafetensors(filepath.Join(dir, file), ts, map[string]string{"format": "pt"}); err != nil {
			t.Fatal(err)
		}
	}
	if weightMap != nil {
		idx, err := json.Marshal(map[string]any{"metadata": map[string]any{"total_size": 0}, "weight_map": weightMap})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, indexFile), idx, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestReadModelTensorsSharded(t *testing.T) {
	const s1, s2 = "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"
	shards := map[string][]Tensor{
		s1: {tensor("model.embed_tokens.weight", []int{2, 3}, 1, 2, 3, 4, 5, 6), tensor("model.norm.weight", []int{3}, 7, 8, 9)},
		s2: {tensor("lm_head.weight", []int{2, 3}, -1, -2, -3, -4, -5, -6)},
	}
	dir := shardedFolder(t, shards, map[string]string{
		"model.embed_tokens.weight": s1, "model.norm.weight": s1, "lm_head.weight": s2,
	})
	got, err := ReadModelTensors(dir)
	if err != nil {
		t.Fatalf("ReadModelTensors(%s) = %v, want nil", dir, err)
	}
	want := append(slices.Clone(shards[s2]), shards[s1]...) // name order
	if len(got) != len(want) {
		t.Fatalf("ReadModelTensors: %d tensors, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Name != want[i].Name || !slices.Equal(got[i].Shape, want[i].Shape) || !sameFloats(got[i].Data, want[i].Data) {
			t.Errorf("tensor %d = %q %v %v, want %q %v %v", i, got[i].Name, got[i].Shape, got[i].Data, want[i].Name, want[i].Shape, want[i].Data)
		}
	}
}

func TestReadModelTensorsSingleFileWins(t *testing.T) {
	dir := shardedFolder(t, map[string][]Tensor{modelFile: {tensor("w", []int{1}, 5)}},
		map[string]string{"other": "missing.safetensors"})
	got, err := ReadModelTensors(dir)
	if err != nil || len(got) != 1 || got[0].Name != "w" {
		t.Fatalf("ReadModelTensors(%s) = %v, %v; want [w] from %s", dir, got, err, modelFile)
	}
}

func TestReadModelTensorsErrors(t *testing.T) {
	const s1, s2 = "a.safetensors", "b.safetensors"
	x := tensor("x", []int{1}, 1)
	y := tensor("y", []int{1}, 2)
	tests := []struct {
		name      string
		shards    map[string][]Tensor
		weightMap map[string]string
		rawIndex  string // written instead of weightMap when set
		want      []string
	}{
		{"neither file", nil, nil, "", []string{"DIR has neither model.safetensors nor model.safetensors.index.json"}},
		{"index names tensor shard lacks", map[string][]Tensor{s1: {x}}, map[string]string{"x": s1, "y": s1},
			"", []string{`maps tensor "y" to a.safetensors, which does not hold it`}},
		{"shard holds unlisted tensor", map[string][]Tensor{s1: {x, y}}, map[string]string{"x": s1},
			"", []string{`tensor "y" in DIR/a.safetensors is not listed in DIR/model.safetensors.index.json`}},
		{"two shards hold the same name", map[string][]Tensor{s1: {x}, s2: {x, y}}, map[string]string{"x": s1, "y": s2},
			"", []string{`tensor "x" is in both shards a.safetensors and b.safetensors`}},
		{"tensor in the wrong shard", map[string][]Tensor{s1: {x, y}, s2: {}}, map[string]string{"x": s1, "y": s2},
			"", []string{`tensor "y" is in DIR/a.safetensors but DIR/model.safetensors.index.json maps it to b.safetensors`}},
		{"missing shard file", map[string][]Tensor{s1: {x}}, map[string]string{"x": s1, "y": "gone.safetensors"},
			"", []string{"gone.safetensors", "no such file"}},
		{"shard escapes folder", nil, map[string]string{"x": "../x.safetensors"},
			"", []string{`maps tensor "x" to shard "../x.safetensors"; want a file name inside DIR`}},
		{"bad index JSON", nil, nil, `{"weight_map": [`, []string{"DIR/model.safetensors.index.json"}},
		{"empty weight_map", nil, nil, `{"weight_map": {}}`, []string{"has no weight_map entries"}},
		{"corrupt shard", map[string][]Tensor{s1: {x}}, map[string]string{"x": s1}, "", nil}, // corrupted below
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := shardedFolder(t, tc.shards, tc.weightMap)
			if tc.rawIndex != "" {
				if err := os.WriteFile(filepath.Join(dir, indexFile), []byte(tc.rawIndex), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := tc.want
			if tc.name == "corrupt shard" {
				path := filepath.Join(dir, s1)
				if err := os.Truncate(path, 20); err != nil {
					t.Fatal(err)
				}
				want = []string{"DIR/a.safetensors"}
			}
			got, err := ReadModelTensors(dir)
			if err == nil {
				t.Fatalf("ReadModelTensors(%s) = %d tensors, nil; want an error", tc.name, len(got))
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "checkpoints: ") {
				t.Errorf("ReadModelTensors(%s) = %q, want prefix checkpoints:", tc.name, msg)
			}
			for _, w := range want {
				w = strings.ReplaceAll(w, "DIR", dir)
				if !strings.Contains(msg, w) {
					t.Errorf("ReadModelTensors(%s) = %q, want it to contain %q", tc.name, msg, w)
				}
			}
		})
	}
}

// TestSharedModels reads the HF folders in ../shared when this checkout has them.
func TestSharedModels(t *testing.T) {
	tests := []struct {
		dir    string
		count  int
		tensor string
		shape  []int
	}{
		{"../../shared/models/stories260K", 47, "model.embed_tokens.weight", []int{512, 64}},
		{"../../shared/models/tiny-gpt2-random", 28, "transformer.wte.weight", []int{512, 64}},
	}
	for _, tc := range tests {
		t.Run(filepath.Base(tc.dir), func(t *testing.T) {
			if _, err := os.Stat(filepath.Join(tc.dir, modelFile)); errors.Is(err, fs.ErrNotExist) {
				t.Skip("../shared not present: " + tc.dir)
			}
			ts, err := ReadModelTensors(tc.dir)
			if err != nil {
				t.Fatalf("ReadModelTensors(%s) = %v, want nil", tc.dir, err)
			}
			if len(ts) != tc.count {
				t.Errorf("ReadModelTensors(%s) = %d tensors, want %d", tc.dir, len(ts), tc.count)
			}
			i := slices.IndexFunc(ts, func(x Tensor) bool { return x.Name == tc.tensor })
			if i < 0 {
				t.Fatalf("ReadModelTensors(%s) lacks %q", tc.dir, tc.tensor)
			}
			if got := ts[i]; !slices.Equal(got.Shape, tc.shape) || got.DType != "F32" || len(got.Data) != tc.shape[0]*tc.shape[1] {
				t.Errorf("%s = %s %v (%d values), want F32 %v", tc.tensor, got.DType, got.Shape, len(got.Data), tc.shape)
			}
		})
	}
}
