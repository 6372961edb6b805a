package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/bench"
)

func TestFlopsCommand(t *testing.T) {
	opt125 := []string{"--layers", "12", "--hidden", "768", "--ffn", "3072", "--vocab", "50272", "--segment-size", "512"}
	opt175 := []string{"--layers", "96", "--hidden", "12288", "--ffn", "49152", "--vocab", "50272", "--segment-size", "512"}
	for _, tc := range []struct {
		name  string
		args  []string
		ratio float64 // of the last row
		tol   float64
	}{
		{"OPT-125M as in the paper", append(opt125, "--tokens", "4096,2048000"), 295, 0.05},
		{"OPT-175B as in the paper", append(opt175, "--tokens", "2048000"), 29, 0.05},
		{"OPT-125M causal triangle, M=10", append(opt125, "--tokens", "2048000", "--attention", "causal", "--mem-tokens", "10"), 143.96, 0.001},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			if err := flops(&out, append(tc.args, "--json")); err != nil {
				t.Fatal(err)
			}
			var rep bench.FLOPsReport
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("%v in %s", err, out.String())
			}
			last := rep.Results[len(rep.Results)-1]
			if math.Abs(last.Ratio-tc.ratio)/tc.ratio > tc.tol || last.Tokens != 2048000 || last.Segments != 4000 {
				t.Errorf("last row %+v, want 2048000 tokens in 4000 segments, ratio %v within %.1f%%", last, tc.ratio, 100*tc.tol)
			}
			out.Reset()
			if err := flops(&out, tc.args); err != nil || !strings.Contains(out.String(), "full / RMT") {
				t.Errorf("table output: %v\n%s", err, out.String())
			}
		})
	}
	// --model reads config.json.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type":"gpt2","vocab_size":50257,"n_embd":768,"n_layer":12,"n_head":12,"n_positions":1024,"layer_norm_epsilon":1e-5}`), 0o644)
	var out bytes.Buffer
	if err := flops(&out, []string{"--model", dir, "--tokens", "1024", "--json"}); err != nil {
		t.Fatal(err)
	}
	var rep bench.FLOPsReport
	json.Unmarshal(out.Bytes(), &rep)
	if rep.Layers != 12 || rep.FFN != 3072 || rep.Vocab != 50257 || len(rep.Results) != 1 {
		t.Errorf("--model report %+v, want GPT-2 small's shape", rep)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"model and dimensions", []string{"--model", dir, "--layers", "2"}, "not both"},
		{"unknown attention", append(opt125, "--attention", "sparse"), "--attention"},
		{"no shape", []string{"--tokens", "10"}, "--layers"},
		{"bad tokens", append(opt125, "--tokens", "1,x"), "--tokens"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := flops(&bytes.Buffer{}, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("flops %v = %v, want an error mentioning %q", tc.args, err, tc.want)
			}
		})
	}
}
