package checkpoints

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// BuiltinSeed initialises the built-in model, so that runs without --model
// are reproducible.
const BuiltinSeed = 1

// RandomPrefix names a random model of a bench shape in place of a folder:
// "random:gpt2-small" (see Shape), with the byte tokenizer.
const RandomPrefix = "random:"

// Model is a model folder opened for use without its memory: the decoder,
// its tokenizer, and what an exported RMT folder held besides.
type Model struct {
	Weights       *graph.Weights // the decoder, without rmt.memory
	Tokenizer     data.Tokenizer // nil for a folder without tokenizer.json (ids still work)
	TokenizerFile string         // that tokenizer.json, "" for the byte tokenizer
	// Memory is the rmt.memory (M, C) of a folder written by export, set
	// aside from the decoder, and RMT its rmt.json; nil for a plain
	// HuggingFace folder, the built-in model or an export without memory.
	Memory *graph.Param
	RMT    *RMTInfo
	// ARMT holds the associative memory's parameters of an exported ARMT
	// folder, set aside likewise (nil otherwise).
	ARMT []*graph.Param
}

// LoadModel reads a HuggingFace folder, or builds the small random built-in
// model with the byte tokenizer when dir is empty, or random weights of a
// bench shape with the byte tokenizer for "random:SHAPE" (memory and speed
// measurements of the real training loop at a real model's size). A folder
// written by export, or a checkpoint directory (rmt.json beside the
// weights), loads too: its memory is set aside in Model.Memory, and its
// tokenizer is the one rmt.json names.
func LoadModel(dir string) (*Model, error) {
	if dir == "" {
		tok := data.NewByteTokenizer()
		w, err := graph.RandomWeights(graph.BuiltinConfig(tok.VocabSize()), BuiltinSeed)
		if err != nil {
			return nil, err
		}
		return &Model{Weights: w, Tokenizer: tok}, nil
	}
	if shape, ok := strings.CutPrefix(dir, RandomPrefix); ok {
		c, ok := Shape(shape)
		if !ok {
			return nil, fmt.Errorf("checkpoints: %s: no shape %q; want one of %s", dir, shape, strings.Join(ShapeNames(), ", "))
		}
		w, err := graph.RandomWeights(c, BuiltinSeed)
		if err != nil {
			return nil, err
		}
		return &Model{Weights: w, Tokenizer: data.NewByteTokenizer()}, nil
	}
	if _, err := ReadRMTInfo(dir); err == nil {
		// An exported folder or a checkpoint directory: an HF folder
		// with rmt.memory and rmt.json.
		w, info, err := ReadExport(dir)
		if err != nil {
			return nil, err
		}
		m := &Model{Weights: w, RMT: &info, Memory: w.Remove(graph.MemoryName)}
		if k := info.Kind(); k.Kind == graph.KindARMT {
			for _, name := range k.Names(w.Config) {
				m.ARMT = append(m.ARMT, w.Remove(name))
			}
		}
		if info.Tokenizer == TokenizerByte {
			m.Tokenizer = data.NewByteTokenizer()
			return m, nil
		}
		if m.Tokenizer, m.TokenizerFile, err = tokenizerAt(info.TokenizerFileIn(dir), w.Config); err != nil {
			return nil, err
		}
		return m, nil
	}
	w, err := LoadPretrained(dir)
	if err != nil {
		return nil, err
	}
	m := &Model{Weights: w}
	if m.Tokenizer, m.TokenizerFile, err = tokenizerAt(filepath.Join(dir, "tokenizer.json"), w.Config); err != nil {
		return nil, err
	}
	return m, nil
}

// MemoryNote is the one line to print when a model was loaded without the
// memory its folder holds ("" when it holds none); a command adds how to
// load it with its memory.
func (m *Model) MemoryNote(dir string) string {
	if m.ARMT != nil {
		return fmt.Sprintf("note: %s holds the associative memory (armt, %d memory tokens, d_mem %d, segments of %d); set aside: this command runs the decoder alone",
			dir, m.RMT.MemTokens, m.RMT.DMem, m.RMT.SegmentSize)
	}
	if m.Memory == nil {
		return ""
	}
	return fmt.Sprintf("note: %s holds rmt.memory (%d memory tokens, segments of %d); set aside: this command runs the decoder alone",
		dir, m.RMT.MemTokens, m.RMT.SegmentSize)
}

// LoadTokenizer reads the tokenizer of a folder, without its weights (a
// HuggingFace tokenizer folder often has no others): its tokenizer.json;
// else the one an export's rmt.json names by tokenizer_path, or the byte
// tokenizer, when the folder is a checkpoint or an export whose rmt.json
// names it, or when dir is "" (the built-in model's).
func LoadTokenizer(dir string) (data.Tokenizer, error) {
	if dir == "" {
		return data.NewByteTokenizer(), nil
	}
	if _, err := os.Stat(filepath.Join(dir, "tokenizer.json")); err == nil {
		return data.LoadTokenizer(dir)
	}
	if info, err := ReadRMTInfo(dir); err == nil && info.Tokenizer == TokenizerByte {
		return data.NewByteTokenizer(), nil
	} else if err == nil && info.TokenizerPath != "" {
		return data.LoadTokenizerFile(info.TokenizerFileIn(dir))
	}
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return nil, fmt.Errorf("checkpoints: %s has no tokenizer.json", dir)
}

// tokenizerAt reads the tokenizer.json at path for a model of config c
// (nil when there is no file).
func tokenizerAt(path string, c graph.Config) (data.Tokenizer, string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, "", nil
	}
	tok, err := data.LoadTokenizerFile(path)
	if err != nil {
		return nil, "", err
	}
	if tok.VocabSize() > c.VocabSize {
		return nil, "", fmt.Errorf("checkpoints: %s: the tokenizer has %d ids, the model only %d", path, tok.VocabSize(), c.VocabSize)
	}
	return tok, path, nil
}

// Opened is a checkpoint opened for use: where it was found, its weights
// and memory shape, and the tokenizer it was trained with.
type Opened struct {
	*Checkpoint
	Dir       string // the checkpoint directory, after resolving a run directory
	Tokenizer data.Tokenizer
}

// OpenResolved resolves what a user passes as a checkpoint (a checkpoint
// directory, a folder written by export, or a run directory: its best
// checkpoint) and reads it with the tokenizer it was trained with.
func OpenResolved(path string) (*Opened, error) {
	dir, err := Resolve(path)
	if err != nil {
		return nil, err
	}
	ck, err := Open(dir)
	if err != nil {
		return nil, err
	}
	out := &Opened{Checkpoint: ck, Dir: dir}
	if ck.RMT.Tokenizer == TokenizerByte {
		out.Tokenizer = data.NewByteTokenizer()
		return out, nil
	}
	if out.Tokenizer, _, err = tokenizerAt(ck.TokenizerFile, ck.Weights.Config); err != nil {
		return nil, err
	}
	if out.Tokenizer == nil {
		return nil, fmt.Errorf("checkpoints: checkpoint %s has no tokenizer.json", dir)
	}
	return out, nil
}
