package graph

import (
	"strings"
	"testing"
)

func TestParseConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, json, want string
	}{
		{"unknown family", `{"model_type":"bert","vocab_size":10}`, "unknown model_type"},
		{"missing model_type", `{"vocab_size":10}`, "unknown model_type"},
		{"zero layers", `{"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":0,"num_attention_heads":2,"rms_norm_eps":1e-5}`, "num_hidden_layers"},
		{"rope scaling", `{"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"rms_norm_eps":1e-5,"rope_scaling":{"type":"linear","factor":2}}`, "rope_scaling"},
		{"gqa mismatch", `{"model_type":"llama","vocab_size":10,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":3,"rms_norm_eps":1e-5}`, "multiple"},
		{"gpt2 activation", `{"model_type":"gpt2","vocab_size":10,"n_embd":8,"n_layer":1,"n_head":2,"n_positions":8,"layer_norm_epsilon":1e-5,"activation_function":"relu"}`, "activation_function"},
		{"not json", `{"model_type":`, "config"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tc.json))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ParseConfig(%s) error = %v, want one mentioning %q", tc.json, err, tc.want)
			}
		})
	}
}

func TestFamilyDefaults(t *testing.T) {
	c, err := ParseConfig([]byte(`{"model_type":"qwen2","vocab_size":10,"hidden_size":8,"intermediate_size":8,"num_hidden_layers":1,"num_attention_heads":2,"num_key_value_heads":1,"rms_norm_eps":1e-5,"tie_word_embeddings":false}`))
	if err != nil {
		t.Fatal(err)
	}
	if !c.QKVBias() || c.OutBias() || c.Tied() || c.KVHeads() != 1 || c.HeadDim() != 4 {
		t.Errorf("qwen2 config: qkv bias %v, out bias %v, tied %v, kv heads %d, head dim %d; want true, false, false, 1, 4",
			c.QKVBias(), c.OutBias(), c.Tied(), c.KVHeads(), c.HeadDim())
	}
	names := map[string]bool{}
	for _, s := range c.Specs() {
		names[s.Name] = true
	}
	for _, n := range []string{"model.layers.0.self_attn.q_proj.bias", "lm_head.weight"} {
		if !names[n] {
			t.Errorf("qwen2 specs lack %s", n)
		}
	}
}
