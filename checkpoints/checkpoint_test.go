package checkpoints

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

func tinyLlama(tied bool) graph.Config {
	return graph.Config{ModelType: "llama", VocabSize: 16, HiddenSize: 8, IntermediateSize: 12,
		NumHiddenLayers: 1, NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 32,
		RMSNormEps: 1e-5, TieWordEmbeddings: &tied}
}

func tinyGPT2() graph.Config {
	return graph.Config{ModelType: "gpt2", VocabSize: 16, NEmbd: 8, NLayer: 1, NHead: 2,
		NPositions: 32, LayerNormEpsilon: 1e-5}
}

// newCheckpoint is a checkpoint of random weights with mem memory tokens, AdamW
// moments for every parameter and a state with every field set.
func newCheckpoint(t *testing.T, c graph.Config, mem int, seed uint64) *Checkpoint {
	t.Helper()
	w, err := graph.RandomWeights(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	if mem > 0 {
		if err := graph.InitMemory(w, mem, seed); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	ck := &Checkpoint{
		Weights: w,
		RMT:     RMTInfo{Memory: graph.KindRMT, MemTokens: mem, SegmentSize: 8, BPTTDepth: -1, Family: c.ModelType, Tokenizer: TokenizerByte},
		OptStep: 123,
		M:       map[string][]float32{},
		V:       map[string][]float32{},
		State: State{
			FormatVersion: 1, Stage: 2, Step: 123, StageStep: 23,
			RNG:        json.RawMessage(`{"pcg":[1,18446744073709551615]}`),
			DataCursor: 1 << 40, BestMetric: -0.75, Parent: "runs/a/checkpoints/step-000100",
			Progress: json.RawMessage(`{"stage":2,"evals":[0.5,0.75]}`),
			Config:   json.RawMessage(`{"lr":0.0003,"task":"memorize"}`),
		},
	}
	for _, p := range w.Params {
		m, v := make([]float32, p.Size()), make([]float32, p.Size())
		for i := range m {
			m[i] = float32(rng.NormFloat64())
			v[i] = float32(rng.ExpFloat64())
		}
		ck.M[p.Name], ck.V[p.Name] = m, v
	}
	return ck
}

// writeTokenizer writes a stand-in tokenizer.json and returns its path.
func writeTokenizer(t *testing.T) string {
	return writeTemp(t, "tokenizer.json", []byte(`{"version":"1.0","model":{"type":"BPE","vocab":{"a":0}}}`))
}

// sameWeights reports the first difference between two Weights: parameter
// order, names, shapes and bit patterns.
func sameWeights(t *testing.T, what string, got, want *graph.Weights) {
	t.Helper()
	if len(got.Params) != len(want.Params) {
		t.Fatalf("%s: %d params, want %d", what, len(got.Params), len(want.Params))
	}
	for i, w := range want.Params {
		g := got.Params[i]
		if g.Name != w.Name || !slices.Equal(g.Shape, w.Shape) || !sameFloats(g.Data, w.Data) {
			t.Errorf("%s: param %d = %q %v, want %q %v with the same bits", what, i, g.Name, g.Shape, w.Name, w.Shape)
		}
		if got.Get(w.Name) != g {
			t.Errorf("%s: Get(%q) is not the param at index %d", what, w.Name, i)
		}
	}
	if wc := hfConfig(want.Config); !reflect.DeepEqual(got.Config, wc) {
		t.Errorf("%s: config = %+v, want %+v", what, got.Config, wc)
	}
}

func sameMoments(t *testing.T, what string, got, want map[string][]float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d moments, want %d", what, len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || !sameFloats(g, w) {
			t.Errorf("%s[%q] differs or is missing", what, name)
		}
	}
}

// armtCheckpoint is newCheckpoint with the associative memory (2 tokens,
// d_mem 3) in place of rmt.memory, moments for every parameter.
func armtCheckpoint(t *testing.T, c graph.Config, seed uint64) *Checkpoint {
	ck := newCheckpoint(t, c, 0, seed)
	mem := graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}
	if err := mem.Init(ck.Weights, seed); err != nil {
		t.Fatal(err)
	}
	for _, name := range mem.Names(c) {
		n := ck.Weights.Get(name).Size()
		ck.M[name], ck.V[name] = make([]float32, n), make([]float32, n)
	}
	ck.RMT.Memory, ck.RMT.MemTokens, ck.RMT.DMem, ck.RMT.ARMTFeatures = graph.KindARMT, 2, 3, graph.FeaturesDPFP
	return ck
}

// TestMemoryKinds: a checkpoint of one memory kind does not load as the
// other, and a run of one kind refuses the other's checkpoint.
func TestMemoryKinds(t *testing.T) {
	dir := t.TempDir()
	armt := armtCheckpoint(t, tinyLlama(true), 1)
	if err := Save(filepath.Join(dir, "armt"), armt); err != nil {
		t.Fatal(err)
	}
	rmtJSON := filepath.Join(dir, "armt", "rmt.json")
	raw, err := os.ReadFile(rmtJSON)
	if err != nil || !strings.Contains(string(raw), `"memory": "armt"`) || !strings.Contains(string(raw), `"d_mem": 3`) {
		t.Fatalf("rmt.json = %s, %v; want memory armt and d_mem 3", raw, err)
	}
	// Told it is rmt, the folder's ARMT tensors are refused by name.
	asRMT := strings.Replace(string(raw), `"memory": "armt"`, `"memory": "rmt"`, 1)
	asRMT = strings.Replace(asRMT, `"d_mem": 3,`, ``, 1)
	asRMT = strings.Replace(asRMT, `"armt_features": "dpfp",`, ``, 1)
	if err := os.WriteFile(rmtJSON, []byte(asRMT), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(dir, "armt")); err == nil || !strings.Contains(err.Error(), `"armt.layers.0.W_mb.bias"`) || !strings.Contains(err.Error(), `memory "rmt"`) {
		t.Errorf("Load(armt tensors, rmt.json rmt) = %v, want an error naming an ARMT tensor and the memory kind", err)
	}
	for _, tc := range []struct {
		a, b graph.Memory
		want string
	}{
		{graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}, graph.Memory{Kind: graph.KindRMT, Tokens: 2}, "checkpoint has memory armt, the run rmt"},
		{graph.Memory{Kind: graph.KindRMT, Tokens: 2}, graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}, "checkpoint has memory rmt, the run armt"},
		{graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}, graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 4}, "d_mem 3, the run 4"},
		{graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}, graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 3}, ""},
	} {
		err := SameMemory(tc.a, tc.b)
		if (tc.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("SameMemory(%+v, %+v) = %v, want %q", tc.a, tc.b, err, tc.want)
		}
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		build func(t *testing.T) *Checkpoint
	}{
		{"llama tied with memory", func(t *testing.T) *Checkpoint { return newCheckpoint(t, tinyLlama(true), 2, 1) }},
		{"llama untied without memory", func(t *testing.T) *Checkpoint {
			ck := newCheckpoint(t, tinyLlama(false), 0, 2)
			ck.RMT.BPTTDepth = 3
			return ck
		}},
		{"llama tie unstated", func(t *testing.T) *Checkpoint {
			c := tinyLlama(true)
			c.TieWordEmbeddings = nil
			return newCheckpoint(t, c, 2, 3)
		}},
		{"gpt2 with tokenizer", func(t *testing.T) *Checkpoint {
			ck := newCheckpoint(t, tinyGPT2(), 3, 4)
			ck.RMT.Tokenizer, ck.TokenizerFile = TokenizerJSON, writeTokenizer(t)
			return ck
		}},
		{"fresh optimizer, minimal state", func(t *testing.T) *Checkpoint {
			ck := newCheckpoint(t, tinyLlama(true), 2, 5)
			ck.M, ck.V, ck.OptStep = nil, nil, 0
			ck.State = State{FormatVersion: 1}
			return ck
		}},
		{"gpt2 with the associative memory", func(t *testing.T) *Checkpoint { return armtCheckpoint(t, tinyGPT2(), 7) }},
		{"frozen backbone: memory moments only", func(t *testing.T) *Checkpoint {
			ck := newCheckpoint(t, tinyLlama(true), 2, 6)
			for name := range ck.M {
				if name != graph.MemoryName {
					delete(ck.M, name)
					delete(ck.V, name)
				}
			}
			return ck
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ck := tc.build(t)
			want := newCheckpointCopy(ck)
			dir := filepath.Join(t.TempDir(), "ck")
			if err := Save(dir, ck); err != nil {
				t.Fatalf("Save(%s) = %v, want nil", dir, err)
			}
			if !reflect.DeepEqual(ck, want) {
				t.Errorf("Save changed its argument")
			}
			files := entries(t, dir)
			wantFiles := []string{"config.json", "model.safetensors", "optimizer.safetensors", "rmt.json", "state.json"}
			if ck.TokenizerFile != "" {
				wantFiles = append(wantFiles, "tokenizer.json")
				slices.Sort(wantFiles)
			}
			if !slices.Equal(files, wantFiles) {
				t.Errorf("Save wrote %v, want %v", files, wantFiles)
			}

			got, err := Load(dir)
			if err != nil {
				t.Fatalf("Load(%s) = %v, want nil", dir, err)
			}
			sameWeights(t, "weights", got.Weights, want.Weights)
			sameMoments(t, "M", got.M, want.M)
			sameMoments(t, "V", got.V, want.V)
			if got.OptStep != want.OptStep {
				t.Errorf("OptStep = %d, want %d", got.OptStep, want.OptStep)
			}
			if !reflect.DeepEqual(got.RMT, want.RMT) {
				t.Errorf("RMT = %+v, want %+v", got.RMT, want.RMT)
			}
			if !reflect.DeepEqual(got.State, want.State) {
				t.Errorf("State = %+v, want %+v", got.State, want.State)
			}
			if want.TokenizerFile == "" {
				if got.TokenizerFile != "" {
					t.Errorf("TokenizerFile = %q, want \"\"", got.TokenizerFile)
				}
			} else {
				a, _ := os.ReadFile(want.TokenizerFile)
				b, err := os.ReadFile(got.TokenizerFile)
				if got.TokenizerFile != filepath.Join(dir, "tokenizer.json") || err != nil || string(a) != string(b) {
					t.Errorf("TokenizerFile = %q (%v), want a copy of %s in %s", got.TokenizerFile, err, want.TokenizerFile, dir)
				}
			}
			// The folder is an HF folder too.
			if _, meta, err := ReadSafetensors(filepath.Join(dir, "model.safetensors")); err != nil || meta["format"] != "pt" {
				t.Errorf("model.safetensors metadata = %v, %v; want format pt", meta, err)
			}
			switch _, err := LoadPretrained(dir); {
			case want.RMT.MemTokens > 0 && err == nil:
				t.Errorf("LoadPretrained(%s) = nil error, want one for rmt.memory", dir)
			case want.RMT.MemTokens == 0 && err != nil:
				t.Errorf("LoadPretrained(%s) = %v; want nil for a model without memory", dir, err)
			}
		})
	}
}

// TestLoadNormalizes covers what Load gives back that is not byte for byte
// what Save got: indented raw JSON comes back compacted, and empty moments as
// empty maps.
func TestLoadNormalizes(t *testing.T) {
	ck := newCheckpoint(t, tinyLlama(true), 2, 7)
	ck.State.RNG = json.RawMessage("{ \"a\" :\n [1, 2] }")
	ck.State.FormatVersion = 0 // means "this build's"
	ck.M, ck.V = nil, nil
	ck.RMT.Family, ck.RMT.Tokenizer = "", ""
	dir := filepath.Join(t.TempDir(), "ck")
	if err := Save(dir, ck); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.State.RNG) != `{"a":[1,2]}` || got.State.FormatVersion != 1 {
		t.Errorf("State.RNG, FormatVersion = %s, %d; want {\"a\":[1,2]}, 1", got.State.RNG, got.State.FormatVersion)
	}
	if got.M == nil || got.V == nil || len(got.M)+len(got.V) != 0 {
		t.Errorf("M, V = %v, %v; want empty maps", got.M, got.V)
	}
	if got.RMT.Family != "llama" || got.RMT.Tokenizer != TokenizerByte {
		t.Errorf("RMT = %+v; want family llama and tokenizer byte filled in", got.RMT)
	}
}

// newCheckpointCopy is a deep copy, to see that Save leaves its argument alone.
func newCheckpointCopy(ck *Checkpoint) *Checkpoint {
	c := *ck
	c.Weights = ck.Weights.Clone()
	cp := func(m map[string][]float32) map[string][]float32 {
		if m == nil {
			return nil
		}
		out := map[string][]float32{}
		for k, v := range m {
			out[k] = slices.Clone(v)
		}
		return out
	}
	c.M, c.V = cp(ck.M), cp(ck.V)
	return &c
}

// editJSON rewrites the JSON object in path.
func editJSON(t *testing.T, path string, edit func(map[string]any)) {
	t.Helper()
	var m map[string]any
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	if raw, err = json.Marshal(m); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editTensors rewrites the safetensors file path, keeping its metadata (or
// replacing it when meta is not nil).
func editTensors(t *testing.T, path string, meta map[string]string, edit func([]Tensor) []Tensor) {
	t.Helper()
	ts, old, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta == nil {
		meta = old
	}
	if err := WriteSafetensors(path, edit(ts), meta); err != nil {
		t.Fatal(err)
	}
}

func renameTensor(from, to string) func([]Tensor) []Tensor {
	return func(ts []Tensor) []Tensor {
		for i := range ts {
			if ts[i].Name == from {
				ts[i].Name = to
			}
		}
		return ts
	}
}

func dropTensor(name string) func([]Tensor) []Tensor {
	return func(ts []Tensor) []Tensor {
		return slices.DeleteFunc(ts, func(t Tensor) bool { return t.Name == name })
	}
}

func TestLoadErrors(t *testing.T) {
	const norm = "model.norm.weight" // (8)
	model := func(edit func([]Tensor) []Tensor) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) { editTensors(t, filepath.Join(dir, "model.safetensors"), nil, edit) }
	}
	opt := func(edit func([]Tensor) []Tensor) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) { editTensors(t, filepath.Join(dir, "optimizer.safetensors"), nil, edit) }
	}
	js := func(file string, edit func(map[string]any)) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) { editJSON(t, filepath.Join(dir, file), edit) }
	}
	remove := func(file string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, file)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		corrupt func(t *testing.T, dir string)
		want    []string // substrings; DIR stands for the checkpoint directory
	}{
		{"missing config.json", remove("config.json"), []string{"DIR has no config.json"}},
		{"missing rmt.json", remove("rmt.json"), []string{"DIR/rmt.json is missing"}},
		{"missing model.safetensors", remove("model.safetensors"), []string{"DIR has neither model.safetensors"}},
		{"missing optimizer.safetensors", remove("optimizer.safetensors"), []string{"DIR/optimizer.safetensors is missing"}},
		{"missing state.json", remove("state.json"), []string{"DIR/state.json is missing"}},
		{"bad config", js("config.json", func(m map[string]any) { m["model_type"] = "bert" }), []string{"DIR/config.json", `model_type "bert"`}},
		{"format_version 2", js("state.json", func(m map[string]any) { m["format_version"] = 2; m["new_field"] = 1 }),
			[]string{"DIR/state.json has format_version 2; this build reads 1"}},
		{"no format_version", js("state.json", func(m map[string]any) { delete(m, "format_version") }), []string{"DIR/state.json has no format_version"}},
		{"unknown state field", js("state.json", func(m map[string]any) { m["stpe"] = 3 }), []string{"DIR/state.json", `unknown field "stpe"`}},
		{"state field of the wrong type", js("state.json", func(m map[string]any) { m["step"] = "ten" }), []string{"DIR/state.json", "State.step"}},
		{"unknown rmt field", js("rmt.json", func(m map[string]any) { m["memtokens"] = 3 }), []string{"DIR/rmt.json", `unknown field "memtokens"`}},
		{"family differs", js("rmt.json", func(m map[string]any) { m["family"] = "gpt2" }), []string{"DIR/rmt.json: family \"gpt2\" but config.json has model_type \"llama\""}},
		{"bad bptt_depth", js("rmt.json", func(m map[string]any) { m["bptt_depth"] = 0 }), []string{"DIR/rmt.json: bptt_depth 0"}},
		{"unknown tokenizer", js("rmt.json", func(m map[string]any) { m["tokenizer"] = "sentencepiece" }), []string{"DIR/rmt.json: tokenizer \"sentencepiece\""}},
		{"tokenizer.json missing", js("rmt.json", func(m map[string]any) { m["tokenizer"] = "tokenizer.json" }), []string{"DIR/rmt.json has tokenizer \"tokenizer.json\" but the file is unreadable"}},
		{"misshapen tensor", model(func(ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == norm {
					ts[i].Shape = []int{2, 4}
				}
			}
			return ts
		}), []string{"DIR/model.safetensors", `"model.norm.weight" has shape [2 4], want [8]`}},
		{"missing tensor", model(dropTensor(norm)), []string{"DIR/model.safetensors", `missing tensor "model.norm.weight"`}},
		{"unexpected tensor", model(func(ts []Tensor) []Tensor { return append(ts, tensor("model.extra", []int{1}, 1)) }),
			[]string{"DIR/model.safetensors", `unexpected tensor "model.extra"`}},
		{"memory shape vs rmt.json", js("rmt.json", func(m map[string]any) { m["mem_tokens"] = 3 }),
			[]string{`tensor "rmt.memory" in DIR/model.safetensors has shape [2 8] (16 values); want [3 8] (rmt.json mem_tokens 3)`}},
		{"memory width", model(func(ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == graph.MemoryName {
					ts[i].Shape = []int{4, 4}
				}
			}
			return ts
		}), []string{`tensor "rmt.memory" in DIR/model.safetensors has shape [4 4]`, "want [2 8]"}},
		{"memory but mem_tokens 0", js("rmt.json", func(m map[string]any) { m["mem_tokens"] = 0 }),
			[]string{`tensor "rmt.memory" in DIR/model.safetensors, but rmt.json has mem_tokens 0`}},
		{"no memory but mem_tokens 2", model(dropTensor(graph.MemoryName)), []string{`DIR/model.safetensors has no tensor "rmt.memory"; want shape [2 8]`}},
		{"moment of unknown param", opt(renameTensor("m."+norm, "m.model.nrom.weight")),
			[]string{`tensor "m.model.nrom.weight" in DIR/optimizer.safetensors is a moment of "model.nrom.weight", which the model does not have`}},
		{"misshapen moment", opt(func(ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == "v."+norm {
					ts[i].Shape, ts[i].Data = []int{7}, ts[i].Data[:7]
				}
			}
			return ts
		}), []string{`tensor "v.model.norm.weight" in DIR/optimizer.safetensors has shape [7]; want [8]`}},
		{"m without v", opt(dropTensor("v." + norm)), []string{`DIR/optimizer.safetensors has moment m of "model.norm.weight" but no v`}},
		{"not a moment", opt(renameTensor("m."+norm, "w."+norm)), []string{`tensor "w.model.norm.weight" in DIR/optimizer.safetensors is not a moment; want "m.<parameter>"`}},
		{"no optimizer step", func(t *testing.T, dir string) {
			editTensors(t, filepath.Join(dir, "optimizer.safetensors"), map[string]string{"format": "pt"}, func(ts []Tensor) []Tensor { return ts })
		}, []string{`DIR/optimizer.safetensors has metadata step ""; want a non-negative integer`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "ck")
			if err := Save(dir, newCheckpoint(t, tinyLlama(true), 2, 1)); err != nil {
				t.Fatal(err)
			}
			tc.corrupt(t, dir)
			ck, err := Load(dir)
			if err == nil {
				t.Fatalf("Load(%s) = %v, nil; want an error", tc.name, ck)
			}
			if !strings.HasPrefix(err.Error(), "checkpoints: ") {
				t.Errorf("Load(%s) = %q, want a checkpoints: prefix", tc.name, err)
			}
			for _, w := range tc.want {
				if w = strings.ReplaceAll(w, "DIR", dir); !strings.Contains(err.Error(), w) {
					t.Errorf("Load(%s) = %q\nwant it to contain %q", tc.name, err, w)
				}
			}
		})
	}
}

func TestSaveRefuses(t *testing.T) {
	tests := []struct {
		name string
		edit func(ck *Checkpoint)
		want string
	}{
		{"no weights", func(ck *Checkpoint) { ck.Weights = nil }, "checkpoint has no weights"},
		{"memory missing", func(ck *Checkpoint) {
			ck.Weights = ck.Weights.Clone()
			ck.Weights.Params = ck.Weights.Params[:len(ck.Weights.Params)-1]
		}, `checkpoint weights has no tensor "rmt.memory"; want shape [2 8]`},
		{"memory misshapen", func(ck *Checkpoint) { ck.RMT.MemTokens = 3 }, `tensor "rmt.memory" in checkpoint weights has shape [2 8] (16 values); want [3 8]`},
		{"memory but mem_tokens 0", func(ck *Checkpoint) { ck.RMT.MemTokens = 0 }, `tensor "rmt.memory" in checkpoint weights, but rmt.json has mem_tokens 0`},
		{"missing param", func(ck *Checkpoint) {
			ck.Weights = ck.Weights.Clone()
			ck.Weights.Params = ck.Weights.Params[1:]
		}, `missing tensor "model.embed_tokens.weight"`},
		{"misshapen param", func(ck *Checkpoint) { ck.Weights.Get("model.norm.weight").Shape = []int{4, 2} }, `"model.norm.weight" has shape [4 2], want [8]`},
		{"moment of unknown param", func(ck *Checkpoint) { ck.M["nope"], ck.V["nope"] = []float32{1}, []float32{1} }, `moment m for "nope", which the model does not have`},
		{"v without m", func(ck *Checkpoint) { delete(ck.M, "model.norm.weight") }, `moment v of "model.norm.weight" but no m`},
		{"short moment", func(ck *Checkpoint) { ck.V["model.norm.weight"] = make([]float32, 7) }, `moment v of "model.norm.weight" with 7 values; want 8`},
		{"NaN best metric", func(ck *Checkpoint) { ck.State.BestMetric = math.NaN() }, "best_metric NaN; want a finite number"},
		{"-Inf best metric", func(ck *Checkpoint) { ck.State.BestMetric = math.Inf(-1) }, "best_metric -Inf"},
		{"other format version", func(ck *Checkpoint) { ck.State.FormatVersion = 2 }, "format_version 2; this build writes 1"},
		{"bad raw JSON", func(ck *Checkpoint) { ck.State.Progress = json.RawMessage(`{"a":`) }, "checkpoint state"},
		{"negative optimizer step", func(ck *Checkpoint) { ck.OptStep = -1 }, "optimizer step -1"},
		{"family differs", func(ck *Checkpoint) { ck.RMT.Family = "gpt2" }, `family "gpt2" but config.json has model_type "llama"`},
		{"segment size 0", func(ck *Checkpoint) { ck.RMT.SegmentSize = 0 }, "segment_size 0; want at least 1"},
		{"tokenizer.json without file", func(ck *Checkpoint) { ck.RMT.Tokenizer = TokenizerJSON }, `tokenizer "tokenizer.json" but no TokenizerFile`},
		{"byte tokenizer with file", func(ck *Checkpoint) { ck.TokenizerFile = "tok.json" }, `tokenizer "byte" and TokenizerFile tok.json`},
		{"unreadable tokenizer file", func(ck *Checkpoint) { ck.RMT.Tokenizer, ck.TokenizerFile = "", "/no/such/tokenizer.json" }, "/no/such/tokenizer.json"},
		{"bad config", func(ck *Checkpoint) { ck.Weights.Config.RMSNormEps = 0 }, "rms_norm_eps = 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ck := newCheckpoint(t, tinyLlama(true), 2, 1)
			tc.edit(ck)
			parent := t.TempDir()
			dir := filepath.Join(parent, "ck")
			err := Save(dir, ck)
			if err == nil || !strings.HasPrefix(err.Error(), "checkpoints: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Save(%s) = %v\nwant a checkpoints: error containing %q", tc.name, err, tc.want)
			}
			if got := entries(t, parent); len(got) != 0 {
				t.Errorf("Save(%s) left %v, want nothing", tc.name, got)
			}
		})
	}
}

func TestSaveExistingDir(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "ck")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "state.json"), []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := Save(dir, newCheckpoint(t, tinyLlama(true), 2, 1))
	if err == nil || !strings.Contains(err.Error(), dir+" already exists") {
		t.Fatalf("Save onto an existing dir = %v, want an error naming %s", err, dir)
	}
	if got := entries(t, parent); !slices.Equal(got, []string{"ck"}) {
		t.Errorf("parent holds %v, want only ck", got)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{"state.json"}) {
		t.Errorf("dir holds %v, want only its old state.json", got)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "state.json")); string(b) != "old" {
		t.Errorf("state.json = %q, want \"old\" untouched", b)
	}
}

func TestSameShape(t *testing.T) {
	with := func(c graph.Config, edit func(*graph.Config)) graph.Config { edit(&c); return c }
	llama, gpt2 := tinyLlama(true), tinyGPT2()
	tests := []struct {
		name string
		a    graph.Config
		am   int
		b    graph.Config
		bm   int
		want string // "" for the same shape
	}{
		{"same", llama, 2, tinyLlama(true), 2, ""},
		{"same, tie unstated (llama defaults to untied)", with(llama, func(c *graph.Config) { c.TieWordEmbeddings = nil }), 2, tinyLlama(false), 2, ""},
		{"only rope theta differs", with(llama, func(c *graph.Config) { c.RopeTheta = 500000 }), 2, llama, 2, ""},
		{"llama max positions do not shape params", with(llama, func(c *graph.Config) { c.MaxPositionEmbeddings = 64 }), 2, llama, 2, ""},
		{"hidden", with(llama, func(c *graph.Config) { c.HiddenSize = 64 }), 2, with(llama, func(c *graph.Config) { c.HiddenSize = 128 }), 2,
			"checkpoints: checkpoint has hidden size 64, the run 128"},
		{"family", llama, 2, gpt2, 2, "checkpoint has model_type llama, the run gpt2"},
		{"memory", llama, 2, llama, 4, "checkpoint has memory tokens 2, the run 4"},
		{"vocab", llama, 2, with(llama, func(c *graph.Config) { c.VocabSize = 32 }), 2, "vocab size 16, the run 32"},
		{"layers", llama, 2, with(llama, func(c *graph.Config) { c.NumHiddenLayers = 2 }), 2, "layers 1, the run 2"},
		{"kv heads", llama, 2, with(llama, func(c *graph.Config) { c.NumKeyValueHeads = 2 }), 2, "key/value heads 1, the run 2"},
		{"mlp", llama, 2, with(llama, func(c *graph.Config) { c.IntermediateSize = 16 }), 2, "MLP width 12, the run 16"},
		{"tied", llama, 2, tinyLlama(false), 2, "tied head true, the run false"},
		{"bias", llama, 2, with(llama, func(c *graph.Config) { c.AttentionBias = true }), 2, "q/k/v biases false, the run true"},
		{"gpt2 positions", gpt2, 2, with(gpt2, func(c *graph.Config) { c.NPositions = 64 }), 2, "positions 32, the run 64"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := SameShape(tc.a, tc.am, tc.b, tc.bm)
			if tc.want == "" {
				if err != nil {
					t.Errorf("SameShape(%s) = %v, want nil", tc.name, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("SameShape(%s) = %v, want an error containing %q", tc.name, err, tc.want)
			}
		})
	}
}

// TestLoadWeights: LoadWeights reads a checkpoint's weights into a live model
// of the same shape, into the model's own slices, bit for bit; a model of
// another shape, or with a parameter the file lacks, is refused by name.
func TestLoadWeights(t *testing.T) {
	for _, c := range []graph.Config{tinyLlama(false), tinyGPT2()} {
		ck := newCheckpoint(t, c, 3, 1)
		dir := filepath.Join(t.TempDir(), "ck")
		if err := Save(dir, ck); err != nil {
			t.Fatal(err)
		}
		live := newCheckpoint(t, c, 3, 2).Weights
		slices0 := make([]*float32, len(live.Params))
		for i, p := range live.Params {
			slices0[i] = &p.Data[0]
		}
		if err := LoadWeights(dir, live); err != nil {
			t.Fatalf("%s: LoadWeights: %v", c.ModelType, err)
		}
		for i, p := range live.Params {
			if !slices.Equal(p.Data, ck.Weights.Params[i].Data) {
				t.Errorf("%s: %s differs from the saved weights", c.ModelType, p.Name)
			}
			if &p.Data[0] != slices0[i] {
				t.Errorf("%s: %s was given a new slice; want the model's own", c.ModelType, p.Name)
			}
		}
	}
	ck := newCheckpoint(t, tinyGPT2(), 3, 1)
	dir := filepath.Join(t.TempDir(), "ck")
	if err := Save(dir, ck); err != nil {
		t.Fatal(err)
	}
	wide := tinyGPT2()
	wide.NEmbd = 16
	for _, tc := range []struct {
		name string
		w    *graph.Weights
		want string
	}{
		{"another width", newCheckpoint(t, wide, 3, 1).Weights, "want [3 16] like the model's"},
		{"no memory", newCheckpoint(t, tinyGPT2(), 0, 1).Weights, "no parameter of that name"},
		{"more memory", newCheckpoint(t, tinyGPT2(), 4, 1).Weights, "rmt.memory"},
	} {
		err := LoadWeights(dir, tc.w)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: LoadWeights = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
}
