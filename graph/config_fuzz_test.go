package graph

import (
	"strings"
	"testing"
)

// FuzzParseConfig checks that config.json parsing never panics, that
// errors are the package's, and that an accepted config gives positive
// dimensions whose key/value heads divide the heads (what the blocks rely
// on). testdata/fuzz holds a rotary config without max_position_embeddings,
// which it once took for a failure.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"model_type":"llama","hidden_size":64,"intermediate_size":172,"num_hidden_layers":5,"num_attention_heads":8,"num_key_value_heads":4,"head_dim":8,"vocab_size":512,"max_position_embeddings":512,"hidden_act":"silu","rms_norm_eps":1e-05,"rope_theta":10000.0,"rope_scaling":null,"tie_word_embeddings":true}`))
	f.Add([]byte(`{"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12,"n_positions":1024,"activation_function":"gelu_new","layer_norm_epsilon":1e-05}`))
	f.Add([]byte(`{"model_type":"qwen2","hidden_size":32,"intermediate_size":64,"num_hidden_layers":1,"num_attention_heads":4,"num_key_value_heads":2,"vocab_size":10,"max_position_embeddings":16,"rms_norm_eps":1e-6,"rope_theta":1e6,"tie_word_embeddings":false}`))
	f.Add([]byte(`{"model_type":"llama","hidden_size":64,"num_attention_heads":7}`))
	f.Add([]byte(`{"model_type":"bert"}`))
	f.Add([]byte(`{"model_type":"gpt2","n_embd":-1}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := ParseConfig(raw)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "graph: ") {
				t.Errorf("ParseConfig error %q, want prefix graph:", err)
			}
			return
		}
		if c.Hidden() < 1 || c.Layers() < 1 || c.Heads() < 1 || c.KVHeads() < 1 || c.HeadDim() < 1 || c.FFN() < 1 || c.VocabSize < 1 {
			t.Fatalf("accepted a config with a dimension below 1: %+v", c)
		}
		// Rotary models may leave max_position_embeddings out (0): it only
		// says what length they were trained to. Learned positions are rows.
		if c.HardPositionLimit() && c.MaxPositions() < 1 {
			t.Fatalf("accepted learned positions with %d rows: %+v", c.MaxPositions(), c)
		}
		if c.Heads()%c.KVHeads() != 0 {
			t.Fatalf("accepted %d heads over %d key/value heads", c.Heads(), c.KVHeads())
		}
		_, _, _, _ = c.NormEps(), c.Theta(), c.AttnScale(), c.Tied()
	})
}
