package graph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// Config mirrors a HuggingFace config.json for the decoder families we run.
// GPT-2 and Llama name the same dimensions differently; the accessor methods
// (Layers, Hidden, ...) give one view of both. Fields that change the
// computation and that we do not implement are rejected by Validate rather
// than silently ignored.
type Config struct {
	ModelType     string   `json:"model_type"`
	Architectures []string `json:"architectures,omitempty"`
	VocabSize     int      `json:"vocab_size"`

	// Llama, Mistral, Qwen2.
	HiddenSize            int             `json:"hidden_size,omitempty"`
	IntermediateSize      int             `json:"intermediate_size,omitempty"`
	NumHiddenLayers       int             `json:"num_hidden_layers,omitempty"`
	NumAttentionHeads     int             `json:"num_attention_heads,omitempty"`
	NumKeyValueHeads      int             `json:"num_key_value_heads,omitempty"`
	HeadDimension         int             `json:"head_dim,omitempty"`
	MaxPositionEmbeddings int             `json:"max_position_embeddings,omitempty"`
	HiddenAct             string          `json:"hidden_act,omitempty"`
	RMSNormEps            float64         `json:"rms_norm_eps,omitempty"`
	RopeTheta             float64         `json:"rope_theta,omitempty"`
	RopeScaling           json.RawMessage `json:"rope_scaling,omitempty"`
	AttentionBias         bool            `json:"attention_bias,omitempty"`
	MLPBias               bool            `json:"mlp_bias,omitempty"`
	SlidingWindow         *int            `json:"sliding_window,omitempty"`
	UseSlidingWindow      bool            `json:"use_sliding_window,omitempty"`

	// GPT-2.
	NEmbd                      int     `json:"n_embd,omitempty"`
	NLayer                     int     `json:"n_layer,omitempty"`
	NHead                      int     `json:"n_head,omitempty"`
	NInner                     *int    `json:"n_inner,omitempty"`
	NPositions                 int     `json:"n_positions,omitempty"`
	ActivationFunction         string  `json:"activation_function,omitempty"`
	LayerNormEpsilon           float64 `json:"layer_norm_epsilon,omitempty"`
	ScaleAttnWeights           *bool   `json:"scale_attn_weights,omitempty"`
	ScaleAttnByInverseLayerIdx bool    `json:"scale_attn_by_inverse_layer_idx,omitempty"`
	ReorderAndUpcastAttn       bool    `json:"reorder_and_upcast_attn,omitempty"`

	TieWordEmbeddings *bool           `json:"tie_word_embeddings,omitempty"`
	BOSTokenID        json.RawMessage `json:"bos_token_id,omitempty"`
	EOSTokenID        json.RawMessage `json:"eos_token_id,omitempty"`
}

// families lists the supported model_type values.
var families = []string{"gpt2", "llama", "mistral", "qwen2"}

// Families lists the supported model_type values (a copy).
func Families() []string { return slices.Clone(families) }

// ParseConfig decodes and validates a config.json.
func ParseConfig(data []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("graph: config: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// IsGPT2 reports whether the config is of the GPT-2 family (learned
// positions, LayerNorm, GELU, Conv1D weights); otherwise it is Llama-shaped.
func (c Config) IsGPT2() bool { return c.ModelType == "gpt2" }

// Layers is the number of transformer blocks.
func (c Config) Layers() int {
	if c.IsGPT2() {
		return c.NLayer
	}
	return c.NumHiddenLayers
}

// Hidden is the model width C.
func (c Config) Hidden() int {
	if c.IsGPT2() {
		return c.NEmbd
	}
	return c.HiddenSize
}

// Heads is the number of query heads.
func (c Config) Heads() int {
	if c.IsGPT2() {
		return c.NHead
	}
	return c.NumAttentionHeads
}

// KVHeads is the number of key/value heads (grouped-query attention).
func (c Config) KVHeads() int {
	if c.IsGPT2() || c.NumKeyValueHeads == 0 {
		return c.Heads()
	}
	return c.NumKeyValueHeads
}

// HeadDim is the width of one attention head.
func (c Config) HeadDim() int {
	if !c.IsGPT2() && c.HeadDimension > 0 {
		return c.HeadDimension
	}
	if c.Heads() == 0 {
		return 0
	}
	return c.Hidden() / c.Heads()
}

// FFN is the inner width of the MLP.
func (c Config) FFN() int {
	if c.IsGPT2() {
		if c.NInner != nil && *c.NInner > 0 {
			return *c.NInner
		}
		return 4 * c.NEmbd
	}
	return c.IntermediateSize
}

// MaxPositions is the model's position limit: a hard limit for GPT-2 (the
// rows of wpe); for rotary models the length it was trained to.
func (c Config) MaxPositions() int {
	if c.IsGPT2() {
		return c.NPositions
	}
	return c.MaxPositionEmbeddings
}

// HardPositionLimit reports whether sequences longer than MaxPositions
// cannot be run at all (learned position embeddings), rather than only
// being out of the training distribution (rotary embeddings extrapolate).
func (c Config) HardPositionLimit() bool { return c.IsGPT2() }

// NormEps is the epsilon of LayerNorm or RMSNorm.
func (c Config) NormEps() float64 {
	if c.IsGPT2() {
		return c.LayerNormEpsilon
	}
	return c.RMSNormEps
}

// Tied reports whether the output head shares the token embedding. When
// config.json omits tie_word_embeddings, transformers ties GPT-2 and unties
// Llama, Mistral and Qwen2 (their config classes default it to false).
func (c Config) Tied() bool {
	if c.TieWordEmbeddings == nil {
		return c.IsGPT2()
	}
	return *c.TieWordEmbeddings
}

// QKVBias reports whether q, k and v projections carry biases.
func (c Config) QKVBias() bool {
	return c.IsGPT2() || c.ModelType == "qwen2" || c.AttentionBias
}

// OutBias reports whether the attention output projection carries a bias.
func (c Config) OutBias() bool { return c.IsGPT2() || c.AttentionBias }

// Theta is the rotary base (HF default 10000).
func (c Config) Theta() float64 {
	if c.RopeTheta == 0 {
		return 10000
	}
	return c.RopeTheta
}

// AttnScale is the factor applied to q·k.
func (c Config) AttnScale() float64 {
	if c.IsGPT2() && c.ScaleAttnWeights != nil && !*c.ScaleAttnWeights {
		return 1
	}
	return 1 / math.Sqrt(float64(c.HeadDim()))
}

// Validate checks that the config names a supported family with consistent
// dimensions, and rejects options that would change the computation in ways
// we do not implement.
func (c Config) Validate() error {
	known := false
	for _, f := range families {
		known = known || c.ModelType == f
	}
	if !known {
		return fmt.Errorf("graph: config: unknown model_type %q; supported: %v", c.ModelType, families)
	}
	type dim struct {
		name string
		v    int
	}
	var dims []dim
	if c.IsGPT2() {
		dims = []dim{{"n_embd", c.NEmbd}, {"n_layer", c.NLayer}, {"n_head", c.NHead}, {"n_positions", c.NPositions}, {"vocab_size", c.VocabSize}}
	} else {
		dims = []dim{{"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize}, {"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads}, {"vocab_size", c.VocabSize}}
	}
	for _, d := range dims {
		if d.v <= 0 {
			return fmt.Errorf("graph: config: %s = %d, want a positive number", d.name, d.v)
		}
	}
	if c.NumKeyValueHeads < 0 || c.Heads()%c.KVHeads() != 0 {
		return fmt.Errorf("graph: config: %d attention heads is not a multiple of %d key/value heads", c.Heads(), c.KVHeads())
	}
	if c.IsGPT2() {
		if c.NEmbd%c.NHead != 0 {
			return fmt.Errorf("graph: config: n_embd %d is not a multiple of n_head %d", c.NEmbd, c.NHead)
		}
		if a := c.ActivationFunction; a != "" && a != "gelu_new" && a != "gelu_pytorch_tanh" {
			return fmt.Errorf("graph: config: activation_function %q is not supported; want gelu_new", a)
		}
		if c.ScaleAttnByInverseLayerIdx || c.ReorderAndUpcastAttn {
			return fmt.Errorf("graph: config: scale_attn_by_inverse_layer_idx and reorder_and_upcast_attn are not supported")
		}
	} else {
		if c.HeadDimension == 0 && c.HiddenSize%c.NumAttentionHeads != 0 {
			return fmt.Errorf("graph: config: hidden_size %d is not a multiple of num_attention_heads %d (and head_dim is not set)", c.HiddenSize, c.NumAttentionHeads)
		}
		if c.HeadDim()%2 != 0 {
			return fmt.Errorf("graph: config: head dim %d must be even for rotary embeddings", c.HeadDim())
		}
		if a := c.HiddenAct; a != "" && a != "silu" {
			return fmt.Errorf("graph: config: hidden_act %q is not supported; want silu", a)
		}
		if len(c.RopeScaling) > 0 && string(c.RopeScaling) != "null" {
			return fmt.Errorf("graph: config: rope_scaling %s is not supported", c.RopeScaling)
		}
		if c.RMSNormEps <= 0 {
			return fmt.Errorf("graph: config: rms_norm_eps = %g, want a positive number", c.RMSNormEps)
		}
	}
	if c.IsGPT2() && c.LayerNormEpsilon <= 0 {
		return fmt.Errorf("graph: config: layer_norm_epsilon = %g, want a positive number", c.LayerNormEpsilon)
	}
	return nil
}

// BuiltinConfig is the small randomly initialised Llama-shaped model used
// when no --model is given: 4 layers, width 128, 4 heads over 2 key/value
// heads, a byte-level vocabulary of vocab entries.
func BuiltinConfig(vocab int) Config {
	tied := true
	return Config{
		ModelType: "llama", Architectures: []string{"LlamaForCausalLM"},
		VocabSize: vocab, HiddenSize: 128, IntermediateSize: 344, NumHiddenLayers: 4,
		NumAttentionHeads: 4, NumKeyValueHeads: 2, HeadDimension: 32,
		MaxPositionEmbeddings: 1024, HiddenAct: "silu", RMSNormEps: 1e-5, RopeTheta: 10000,
		TieWordEmbeddings: &tied,
	}
}
