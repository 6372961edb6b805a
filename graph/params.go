package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
)

// Param is one named parameter tensor, float32, row-major, under its
// HuggingFace safetensors name (or "rmt.memory").
type Param struct {
	Name  string
	Shape []int
	Data  []float32
}

// Size is the number of elements.
func (p *Param) Size() int { return len(p.Data) }

// Tensor is a shaped float32 array handed to FromTensors.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Weights is a model's configuration and its parameters in one fixed order.
// That order drives loading, saving, the optimizer and export.
type Weights struct {
	Config Config
	Params []*Param
	byName map[string]*Param
	// ARMTFeatures is the feature map the associative memory's parameters
	// were trained with (rmt.json's armt_features; "" is FeaturesDPFP): the
	// shapes cannot tell it, and MemoryOf reports it.
	ARMTFeatures string
}

// Get returns the parameter called name, or nil.
func (w *Weights) Get(name string) *Param { return w.byName[name] }

// Add appends a parameter (used for rmt.memory); the name must be new.
func (w *Weights) Add(p *Param) error {
	if w.byName[p.Name] != nil {
		return fmt.Errorf("graph: parameter %q already exists", p.Name)
	}
	w.Params = append(w.Params, p)
	w.byName[p.Name] = p
	return nil
}

// Remove takes the parameter name out of w and returns it (nil when w has
// none): a decoder loaded from a folder that also holds rmt.memory sets the
// memory aside this way.
func (w *Weights) Remove(name string) *Param {
	p := w.byName[name]
	if p == nil {
		return nil
	}
	delete(w.byName, name)
	w.Params = slices.DeleteFunc(w.Params, func(q *Param) bool { return q == p })
	return p
}

// Clone returns a deep copy.
func (w *Weights) Clone() *Weights {
	c := &Weights{Config: w.Config, byName: map[string]*Param{}, ARMTFeatures: w.ARMTFeatures}
	for _, p := range w.Params {
		q := &Param{Name: p.Name, Shape: slices.Clone(p.Shape), Data: slices.Clone(p.Data)}
		c.Params = append(c.Params, q)
		c.byName[q.Name] = q
	}
	return c
}

// Count is the total number of parameters.
func (w *Weights) Count() int {
	n := 0
	for _, p := range w.Params {
		n += p.Size()
	}
	return n
}

// Spec names a parameter and its shape.
type Spec struct {
	Name  string
	Shape []int
}

// EmbeddingName is the name of the token embedding matrix (V, C).
func (c Config) EmbeddingName() string {
	if c.IsGPT2() {
		return "transformer.wte.weight"
	}
	return "model.embed_tokens.weight"
}

// HeadName is the name of the output projection (V, C): the embedding when
// tied, else lm_head.weight.
func (c Config) HeadName() string {
	if c.Tied() {
		return c.EmbeddingName()
	}
	return "lm_head.weight"
}

// Specs lists every parameter of the model in its canonical order. GPT-2
// Conv1D weights are stored [in, out] (y = x W); Llama Linear weights are
// [out, in] (y = x Wᵀ), as in the checkpoints.
func (c Config) Specs() []Spec {
	C, V, F, L := c.Hidden(), c.VocabSize, c.FFN(), c.Layers()
	var s []Spec
	add := func(name string, shape ...int) { s = append(s, Spec{name, shape}) }
	if c.IsGPT2() {
		add("transformer.wte.weight", V, C)
		add("transformer.wpe.weight", c.NPositions, C)
		for i := 0; i < L; i++ {
			p := fmt.Sprintf("transformer.h.%d.", i)
			add(p+"ln_1.weight", C)
			add(p+"ln_1.bias", C)
			add(p+"attn.c_attn.weight", C, 3*C)
			add(p+"attn.c_attn.bias", 3*C)
			add(p+"attn.c_proj.weight", C, C)
			add(p+"attn.c_proj.bias", C)
			add(p+"ln_2.weight", C)
			add(p+"ln_2.bias", C)
			add(p+"mlp.c_fc.weight", C, F)
			add(p+"mlp.c_fc.bias", F)
			add(p+"mlp.c_proj.weight", F, C)
			add(p+"mlp.c_proj.bias", C)
		}
		add("transformer.ln_f.weight", C)
		add("transformer.ln_f.bias", C)
	} else {
		Q, KV := c.Heads()*c.HeadDim(), c.KVHeads()*c.HeadDim()
		add("model.embed_tokens.weight", V, C)
		for i := 0; i < L; i++ {
			p := fmt.Sprintf("model.layers.%d.", i)
			add(p+"input_layernorm.weight", C)
			for _, proj := range []struct {
				name string
				out  int
			}{{"q_proj", Q}, {"k_proj", KV}, {"v_proj", KV}} {
				add(p+"self_attn."+proj.name+".weight", proj.out, C)
				if c.QKVBias() {
					add(p+"self_attn."+proj.name+".bias", proj.out)
				}
			}
			add(p+"self_attn.o_proj.weight", C, Q)
			if c.OutBias() {
				add(p+"self_attn.o_proj.bias", C)
			}
			add(p+"post_attention_layernorm.weight", C)
			add(p+"mlp.gate_proj.weight", F, C)
			if c.MLPBias {
				add(p+"mlp.gate_proj.bias", F)
			}
			add(p+"mlp.up_proj.weight", F, C)
			if c.MLPBias {
				add(p+"mlp.up_proj.bias", F)
			}
			add(p+"mlp.down_proj.weight", C, F)
			if c.MLPBias {
				add(p+"mlp.down_proj.bias", C)
			}
		}
		add("model.norm.weight", C)
	}
	if !c.Tied() {
		add("lm_head.weight", V, C)
	}
	return s
}

// canonicalName maps the tensor names of older hub checkpoints onto ours:
// the original gpt2 weights were saved from the base model, without the
// "transformer." prefix.
func (c Config) canonicalName(name string) string {
	if c.IsGPT2() && !strings.HasPrefix(name, "transformer.") && name != "lm_head.weight" {
		return "transformer." + name
	}
	return name
}

// ignoredTensor reports tensors that checkpoints may carry but that are not
// parameters: GPT-2's causal-mask buffers, Llama's rotary inv_freq buffers,
// and a head saved alongside a tied embedding (HF ignores it when tied).
func (c Config) ignoredTensor(name string) bool {
	return strings.HasSuffix(name, ".attn.bias") || strings.HasSuffix(name, ".attn.masked_bias") ||
		strings.HasSuffix(name, "rotary_emb.inv_freq") || (c.Tied() && name == "lm_head.weight")
}

// FromTensors builds Weights from named tensors read from source (a path,
// used in errors). Every expected tensor must be present with its shape, and
// no unexpected tensor may remain: a partial load is an error, never a
// warning.
func FromTensors(c Config, tensors map[string]Tensor, source string) (*Weights, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	byName := map[string]Tensor{}
	for name, t := range tensors {
		if c.ignoredTensor(name) {
			continue
		}
		byName[c.canonicalName(name)] = t
	}
	w := &Weights{Config: c, byName: map[string]*Param{}}
	for _, s := range c.Specs() {
		t, ok := byName[s.Name]
		if !ok {
			hint := ""
			if s.Name == "lm_head.weight" {
				hint = " (config has tie_word_embeddings false)"
			}
			return nil, fmt.Errorf("graph: %s: missing tensor %q%s", source, s.Name, hint)
		}
		if !slices.Equal(t.Shape, s.Shape) {
			return nil, fmt.Errorf("graph: %s: tensor %q has shape %v, want %v", source, s.Name, t.Shape, s.Shape)
		}
		if len(t.Data) != numel(s.Shape) {
			return nil, fmt.Errorf("graph: %s: tensor %q has %d values, want %d", source, s.Name, len(t.Data), numel(s.Shape))
		}
		delete(byName, s.Name)
		if err := w.Add(&Param{Name: s.Name, Shape: s.Shape, Data: t.Data}); err != nil {
			return nil, err
		}
	}
	if len(byName) > 0 {
		extra := make([]string, 0, len(byName))
		for n := range byName {
			extra = append(extra, n)
		}
		sort.Strings(extra)
		return nil, fmt.Errorf("graph: %s: unexpected tensor %q for a %s model (%d unexpected in all)", source, extra[0], c.ModelType, len(extra))
	}
	return w, nil
}

// Size is the number of elements of a tensor of the spec's shape.
func (s Spec) Size() int { return numel(s.Shape) }

func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// RandomWeights initialises a model as HF does for training from scratch:
// matrices from N(0, 0.02), norm weights 1, biases 0; GPT-2's residual
// projections scaled by 1/sqrt(2 layers).
func RandomWeights(c Config, seed uint64) (*Weights, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, 0x524d54))
	w := &Weights{Config: c, byName: map[string]*Param{}}
	for _, s := range c.Specs() {
		p := &Param{Name: s.Name, Shape: s.Shape, Data: make([]float32, numel(s.Shape))}
		switch {
		case strings.HasSuffix(s.Name, "norm.weight") || strings.Contains(s.Name, ".ln_") || strings.HasPrefix(s.Name, "transformer.ln_f"):
			if strings.HasSuffix(s.Name, ".weight") {
				fill(p.Data, 1)
			}
		case strings.HasSuffix(s.Name, ".bias"):
		default:
			std := 0.02
			if c.IsGPT2() && strings.HasSuffix(s.Name, "c_proj.weight") {
				std /= math.Sqrt(2 * float64(c.Layers()))
			}
			for i := range p.Data {
				p.Data[i] = float32(rng.NormFloat64() * std)
			}
		}
		if err := w.Add(p); err != nil {
			return nil, err
		}
	}
	return w, nil
}

func fill(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

// MemoryName is the parameter name of the initial memory (M, C).
const MemoryName = "rmt.memory"
