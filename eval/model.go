package eval

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// BuiltinSeed initialises the built-in model, so that runs without --model
// are reproducible.
const BuiltinSeed = 1

// LoadModel reads a HuggingFace folder, or builds the small random built-in
// model with the byte tokenizer when dir is empty. The tokenizer is nil for
// a folder without tokenizer.json (ids still work); tokFile is the path of
// that tokenizer.json, "" for the byte tokenizer.
func LoadModel(dir string) (w *graph.Weights, tok data.Tokenizer, tokFile string, err error) {
	if dir == "" {
		tok := data.NewByteTokenizer()
		w, err := graph.RandomWeights(graph.BuiltinConfig(tok.VocabSize()), BuiltinSeed)
		return w, tok, "", err
	}
	if w, err = checkpoints.LoadPretrained(dir); err != nil {
		return nil, nil, "", err
	}
	tok, tokFile, err = tokenizerIn(dir, w.Config)
	return w, tok, tokFile, err
}

func tokenizerIn(dir string, c graph.Config) (data.Tokenizer, string, error) {
	path := filepath.Join(dir, "tokenizer.json")
	if _, err := os.Stat(path); err != nil {
		return nil, "", nil
	}
	tok, err := data.LoadTokenizer(dir)
	if err != nil {
		return nil, "", err
	}
	if tok.VocabSize() > c.VocabSize {
		return nil, "", fmt.Errorf("eval: %s: the tokenizer has %d ids, the model only %d", dir, tok.VocabSize(), c.VocabSize)
	}
	return tok, path, nil
}

// Checkpoint is a checkpoint opened for evaluation: where it was found,
// its weights and memory shape, and the tokenizer it was trained with.
type Checkpoint struct {
	*checkpoints.Checkpoint
	Dir       string // the checkpoint directory, after resolving a run directory
	Tokenizer data.Tokenizer
}

// LoadCheckpoint resolves what a user passes as --checkpoint (a checkpoint
// directory, or a run directory: its best checkpoint) and reads it with the
// tokenizer it was trained with.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	dir, err := checkpoints.Resolve(path)
	if err != nil {
		return nil, err
	}
	ck, err := checkpoints.Load(dir)
	if err != nil {
		return nil, err
	}
	out := &Checkpoint{Checkpoint: ck, Dir: dir}
	if ck.RMT.Tokenizer == checkpoints.TokenizerByte {
		out.Tokenizer = data.NewByteTokenizer()
		return out, nil
	}
	if out.Tokenizer, _, err = tokenizerIn(dir, ck.Weights.Config); err != nil {
		return nil, err
	}
	if out.Tokenizer == nil {
		return nil, fmt.Errorf("eval: checkpoint %s has no tokenizer.json", dir)
	}
	return out, nil
}

// PromptIDs tokenizes a prompt as the model's family expects: Llama-style
// models start with BOS, GPT-2 does not.
func PromptIDs(c graph.Config, tok data.Tokenizer, text string) ([]int, error) {
	ids, err := tok.Encode(text)
	if err != nil {
		return nil, err
	}
	if !c.IsGPT2() && tok.BOS() >= 0 {
		ids = append([]int{tok.BOS()}, ids...)
	}
	return ids, nil
}

// LoadCheckpointOrExport is LoadCheckpoint that also takes a folder
// written by cmd/export (model, rmt.json, tokenizer), as published results
// are; Dir is then that folder, and results are kept beside it.
func LoadCheckpointOrExport(path string) (*Checkpoint, error) {
	if _, err := checkpoints.Resolve(path); err == nil {
		return LoadCheckpoint(path)
	} else if _, serr := os.Stat(filepath.Join(path, "rmt.json")); serr != nil {
		return nil, fmt.Errorf("eval: --checkpoint %s is not a checkpoint, a run directory or an exported folder (no rmt.json): %w", path, err)
	}
	w, info, err := checkpoints.ReadExport(path)
	if err != nil {
		return nil, err
	}
	out := &Checkpoint{Checkpoint: &checkpoints.Checkpoint{Weights: w, RMT: info}, Dir: path}
	if info.Tokenizer == checkpoints.TokenizerByte {
		out.Tokenizer = data.NewByteTokenizer()
		return out, nil
	}
	if out.Tokenizer, _, err = tokenizerIn(path, w.Config); err == nil && out.Tokenizer == nil {
		err = fmt.Errorf("eval: exported folder %s has no tokenizer.json", path)
	}
	return out, err
}
