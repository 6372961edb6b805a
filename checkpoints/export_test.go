package checkpoints

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/internal/testutil"
)

// storedName is the tensor name Export gives a parameter in format.
func storedName(format, param string) string {
	switch {
	case format == FormatHF:
		return param
	case param == graph.MemoryName:
		return "memory_cell.memory"
	default:
		return "memory_cell.model." + param
	}
}

// checkExport exports ck in format and checks the folder: its files, the
// stored tensor names, shapes and metadata, the config, and that ReadExport
// gives back the source weights and RMT settings bit for bit.
func checkExport(t *testing.T, ck *Checkpoint, format string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "export")
	if err := Export(ck, out, ExportOptions{Format: format}); err != nil {
		t.Fatalf("Export(%s) = %v, want nil", format, err)
	}
	wantFiles := []string{"README.md", "config.json", "model.safetensors", "rmt.json"}
	if ck.TokenizerFile != "" {
		wantFiles = append(wantFiles, "tokenizer.json")
	}
	if got := entries(t, out); !slices.Equal(got, wantFiles) {
		t.Errorf("Export(%s) wrote %v, want %v", format, got, wantFiles)
	}

	ts, meta, err := ReadSafetensors(filepath.Join(out, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	if meta["format"] != "pt" {
		t.Errorf("Export(%s) metadata = %v, want format pt (transformers requires it)", format, meta)
	}
	stored := map[string][]int{}
	for _, s := range ts {
		stored[s.Name] = s.Shape
	}
	if len(stored) != len(ck.Weights.Params) {
		t.Errorf("Export(%s) stored %d tensors, want %d", format, len(stored), len(ck.Weights.Params))
	}
	for _, p := range ck.Weights.Params {
		if shape, ok := stored[storedName(format, p.Name)]; !ok || !slices.Equal(shape, p.Shape) {
			t.Errorf("Export(%s): tensor %q has shape %v (present %v), want %v", format, storedName(format, p.Name), shape, ok, p.Shape)
		}
	}

	cfg, err := ReadConfig(out)
	if err != nil || !reflect.DeepEqual(cfg, hfConfig(ck.Weights.Config)) {
		t.Errorf("Export(%s) config = %+v, %v; want %+v", format, cfg, err, hfConfig(ck.Weights.Config))
	}
	if cfg.TieWordEmbeddings == nil || *cfg.TieWordEmbeddings != ck.Weights.Config.Tied() {
		t.Errorf("Export(%s) config tie_word_embeddings = %v, want it stated as %v", format, cfg.TieWordEmbeddings, ck.Weights.Config.Tied())
	}

	w, info, err := ReadExport(out)
	if err != nil {
		t.Fatalf("ReadExport(%s) = %v, want nil", format, err)
	}
	sameWeights(t, "ReadExport("+format+")", w, ck.Weights)
	want := ck.RMT
	want.Memory = want.Kind().Kind // written explicitly, rmt when unset
	want.Format = format
	if !reflect.DeepEqual(info, want) {
		t.Errorf("ReadExport(%s) info = %+v, want %+v", format, info, want)
	}
	if ck.TokenizerFile != "" {
		a, _ := os.ReadFile(ck.TokenizerFile)
		if b, err := os.ReadFile(filepath.Join(out, "tokenizer.json")); err != nil || string(a) != string(b) {
			t.Errorf("Export(%s) tokenizer.json = %d bytes, %v; want a copy of %s", format, len(b), err, ck.TokenizerFile)
		}
	}
}

func TestExportRoundTrip(t *testing.T) {
	tests := []struct {
		name  string
		build func(t *testing.T) *Checkpoint
	}{
		{"llama tied with memory and tokenizer", func(t *testing.T) *Checkpoint {
			ck := newCheckpoint(t, tinyLlama(true), 2, 1)
			ck.RMT.Tokenizer, ck.TokenizerFile = TokenizerJSON, writeTokenizer(t)
			return ck
		}},
		{"llama untied", func(t *testing.T) *Checkpoint { return newCheckpoint(t, tinyLlama(false), 4, 2) }},
		{"llama without memory", func(t *testing.T) *Checkpoint { return newCheckpoint(t, tinyLlama(true), 0, 3) }},
		{"gpt2", func(t *testing.T) *Checkpoint { return newCheckpoint(t, tinyGPT2(), 3, 4) }},
	}
	for _, tc := range tests {
		for _, format := range []string{FormatHF, FormatRMTPyTorch} {
			t.Run(tc.name+"/"+format, func(t *testing.T) { checkExport(t, tc.build(t), format) })
		}
	}
}

func TestExportRefuses(t *testing.T) {
	tests := []struct {
		name, format string
		exists       bool
		want         string
	}{
		{"existing out", FormatHF, true, "OUT already exists"},
		{"existing out, pytorch", FormatRMTPyTorch, true, "OUT already exists"},
		{"unknown format", "gguf", false, `export format "gguf"; want "hf" or "rmt-pytorch"`},
		{"empty format", "", false, `export format ""`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "export")
			if tc.exists {
				if err := os.Mkdir(out, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(out, "model.safetensors"), []byte("keep me"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := Export(newCheckpoint(t, tinyLlama(true), 2, 1), out, ExportOptions{Format: tc.format})
			want := strings.ReplaceAll(tc.want, "OUT", out)
			if err == nil || !strings.HasPrefix(err.Error(), "checkpoints: ") || !strings.Contains(err.Error(), want) {
				t.Fatalf("Export(%s) = %v, want an error containing %q", tc.name, err, want)
			}
			wantParent := []string(nil)
			if tc.exists {
				wantParent = []string{"export"}
				if b, _ := os.ReadFile(filepath.Join(out, "model.safetensors")); string(b) != "keep me" || len(entries(t, out)) != 1 {
					t.Errorf("Export(%s) touched the existing folder", tc.name)
				}
			}
			if got := entries(t, parent); !slices.Equal(got, wantParent) {
				t.Errorf("Export(%s) left %v beside it, want %v", tc.name, got, wantParent)
			}
		})
	}
}

func TestReadExportErrors(t *testing.T) {
	tests := []struct {
		name   string
		format string
		edit   func([]Tensor) []Tensor
		want   string
	}{
		{"mixed layouts", FormatRMTPyTorch, renameTensor("memory_cell.model.model.norm.weight", "model.norm.weight"),
			`tensor "model.norm.weight" in OUT/model.safetensors does not follow the layout of the other tensors`},
		{"memory under the model prefix", FormatRMTPyTorch, renameTensor("memory_cell.memory", "memory_cell.model.rmt.memory"),
			`tensor "memory_cell.model.rmt.memory" in OUT/model.safetensors does not follow the layout`},
		{"pytorch memory missing", FormatRMTPyTorch, dropTensor("memory_cell.memory"), `OUT/model.safetensors has no tensor "rmt.memory"`},
		{"hf head missing", FormatHF, dropTensor("lm_head.weight"), `missing tensor "lm_head.weight" (config has tie_word_embeddings false)`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "export")
			if err := Export(newCheckpoint(t, tinyLlama(false), 2, 1), out, ExportOptions{Format: tc.format}); err != nil {
				t.Fatal(err)
			}
			editTensors(t, filepath.Join(out, "model.safetensors"), nil, tc.edit)
			want := strings.ReplaceAll(tc.want, "OUT", out)
			if _, _, err := ReadExport(out); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("ReadExport(%s) = %v, want an error containing %q", tc.name, err, want)
			}
		})
	}
}

// TestExportStories260K exports a real pretrained model with fresh memory.
func TestExportStories260K(t *testing.T) {
	src := testutil.Shared(t, "models/stories260K")
	w, err := LoadPretrained(src)
	if err != nil {
		t.Fatalf("LoadPretrained(%s) = %v", src, err)
	}
	if err := graph.InitMemory(w, 4, 7); err != nil {
		t.Fatal(err)
	}
	ck := &Checkpoint{
		Weights:       w,
		RMT:           RMTInfo{MemTokens: 4, SegmentSize: 64, BPTTDepth: -1, Family: "llama", Tokenizer: TokenizerJSON},
		TokenizerFile: filepath.Join(src, "tokenizer.json"),
	}
	srcTensors, err := ReadModelTensors(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{FormatHF, FormatRMTPyTorch} {
		t.Run(format, func(t *testing.T) {
			checkExport(t, ck, format)
			// Every source tensor is exported under its own name (or the
			// wrapper's), the tied model has no lm_head, and memory is extra.
			if len(srcTensors)+1 != len(w.Params) || w.Get("lm_head.weight") != nil {
				t.Errorf("stories260K: %d source tensors and %d params, want one more (rmt.memory) and no lm_head", len(srcTensors), len(w.Params))
			}
			for _, s := range srcTensors {
				if p := w.Get(s.Name); p == nil || !sameFloats(p.Data, s.Data) {
					t.Errorf("stories260K tensor %q not exported as is", s.Name)
				}
			}
		})
	}
}

// TestExportTokenizerAt: a folder exported with TokenizerAt holds no
// tokenizer.json but names the model's by a path relative to itself, which
// opening it follows (so the pair may move together); a re-export without
// it copies the file again; a tokenizer of other bytes, a checkpoint with
// the byte tokenizer, and a named file gone are errors that say so.
func TestExportTokenizerAt(t *testing.T) {
	ck := newCheckpoint(t, tinyLlama(true), 2, 1)
	ck.RMT.Tokenizer, ck.TokenizerFile = TokenizerJSON, writeTokenizer(t)
	tok, err := os.ReadFile(ck.TokenizerFile)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	base := filepath.Join(root, "models", "base", "tokenizer.json")
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(base, tok, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "results", "run")
	if err := os.Mkdir(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Export(ck, out, ExportOptions{Format: FormatHF, TokenizerAt: base}); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, out); !slices.Equal(got, []string{"README.md", "config.json", "model.safetensors", "rmt.json"}) {
		t.Errorf("export with TokenizerAt wrote %v, want no tokenizer.json", got)
	}
	info, err := ReadRMTInfo(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.TokenizerPath != "../../models/base/tokenizer.json" {
		t.Errorf("rmt.json tokenizer_path = %q, want the path from the folder, ../../models/base/tokenizer.json", info.TokenizerPath)
	}
	moved := filepath.Join(t.TempDir(), "elsewhere")
	if err := os.Rename(root, moved); err != nil {
		t.Fatal(err)
	}
	out, base = filepath.Join(moved, "results", "run"), filepath.Join(moved, "models", "base", "tokenizer.json")
	opened, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(opened.TokenizerFile); err != nil || string(b) != string(tok) {
		t.Errorf("Open gives tokenizer file %s (%v), want the model's", opened.TokenizerFile, err)
	}
	again := filepath.Join(t.TempDir(), "copy")
	if err := Export(opened, again, ExportOptions{Format: FormatHF}); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(again, "tokenizer.json")); err != nil || string(b) != string(tok) {
		t.Errorf("re-export without TokenizerAt: tokenizer.json %v, want a copy", err)
	}
	if info, err := ReadRMTInfo(again); err != nil || info.TokenizerPath != "" {
		t.Errorf("re-export without TokenizerAt: tokenizer_path %q (%v), want none", info.TokenizerPath, err)
	}

	other := filepath.Join(t.TempDir(), "tokenizer.json")
	if err := os.WriteFile(other, append([]byte(" "), tok...), 0o644); err != nil {
		t.Fatal(err)
	}
	refused := filepath.Join(t.TempDir(), "refused")
	if err := Export(ck, refused, ExportOptions{Format: FormatHF, TokenizerAt: other}); err == nil || !strings.Contains(err.Error(), "is not the checkpoint's tokenizer") {
		t.Errorf("TokenizerAt a different tokenizer: %v, want an error saying so", err)
	}
	if err := Export(newCheckpoint(t, tinyLlama(true), 2, 1), refused, ExportOptions{Format: FormatHF, TokenizerAt: base}); err == nil || !strings.Contains(err.Error(), "byte tokenizer") {
		t.Errorf("TokenizerAt for a byte-tokenizer checkpoint: %v, want an error saying so", err)
	}
	if _, err := os.Stat(refused); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused export left %s behind (%v)", refused, err)
	}
	if err := os.Remove(base); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(out); err == nil || !strings.Contains(err.Error(), "tokenizer_path") {
		t.Errorf("Open with the named tokenizer gone: %v, want an error naming tokenizer_path", err)
	}
}
