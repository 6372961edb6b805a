package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
)

func tinyCheckpoint(t *testing.T) string {
	t.Helper()
	c := graph.Config{ModelType: "llama", VocabSize: 16, HiddenSize: 8, IntermediateSize: 12, NumHiddenLayers: 1,
		NumAttentionHeads: 2, NumKeyValueHeads: 1, MaxPositionEmbeddings: 32, RMSNormEps: 1e-5}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := graph.InitMemory(w, 2, 1); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "ck")
	ck := &checkpoints.Checkpoint{Weights: w, RMT: checkpoints.RMTInfo{MemTokens: 2, SegmentSize: 8, BPTTDepth: -1, Tokenizer: checkpoints.TokenizerByte},
		State: checkpoints.State{FormatVersion: checkpoints.FormatVersion}}
	if err := checkpoints.Save(dir, ck); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestExportCommand: both formats read back to the checkpoint's tensors,
// and an existing --out is refused.
func TestExportCommand(t *testing.T) {
	src := tinyCheckpoint(t)
	ck, err := checkpoints.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"hf", "rmt-pytorch"} {
		out := filepath.Join(t.TempDir(), format)
		if err := run([]string{"--checkpoint", src, "--out", out, "--format", format}); err != nil {
			t.Fatalf("export --format %s: %v", format, err)
		}
		w, info, err := checkpoints.ReadExport(out)
		if err != nil {
			t.Fatal(err)
		}
		if info.MemTokens != 2 || len(w.Params) != len(ck.Weights.Params) {
			t.Fatalf("%s: read back %d tensors and %d memory tokens, want %d and 2", format, len(w.Params), info.MemTokens, len(ck.Weights.Params))
		}
		for _, p := range ck.Weights.Params {
			q := w.Get(p.Name)
			if q == nil || !slices.Equal(q.Data, p.Data) || !slices.Equal(q.Shape, p.Shape) {
				t.Errorf("%s: tensor %s differs after the round trip", format, p.Name)
			}
		}
		if err := run([]string{"--checkpoint", src, "--out", out}); err == nil || !strings.Contains(err.Error(), out) {
			t.Errorf("export onto an existing folder: err %v, want one naming %s", err, out)
		}
	}
	if err := run([]string{"--checkpoint", src}); err == nil {
		t.Error("export without --out succeeded")
	}
}

// --base names the folder whose generation and tokenizer settings travel
// with the export; a --base that is no folder is refused naming the flag.
func TestExportBase(t *testing.T) {
	src := tinyCheckpoint(t)
	base := t.TempDir()
	if err := os.WriteFile(filepath.Join(base, "special_tokens_map.json"), []byte(`{"eos_token": "</s>"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	if err := run([]string{"--checkpoint", src, "--out", out, "--base", base}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "special_tokens_map.json")); err != nil || string(b) != `{"eos_token": "</s>"}` {
		t.Errorf("special_tokens_map.json in the export: %q, %v; want the base's", b, err)
	}
	card, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil || !strings.Contains(string(card), "| carried from the base model | special_tokens_map.json |") {
		t.Errorf("model card %v:\n%s\nwant it to list the carried file", err, card)
	}
	missing := filepath.Join(t.TempDir(), "nothing")
	err = run([]string{"--checkpoint", src, "--out", filepath.Join(t.TempDir(), "out"), "--base", missing})
	if err == nil || !strings.Contains(err.Error(), "--base "+missing) {
		t.Errorf("export --base %s: err %v, want one naming --base", missing, err)
	}
}
