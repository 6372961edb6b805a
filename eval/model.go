package eval

import (
	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// Model loading lives in checkpoints (load.go); these names keep the
// commands that evaluate a model reading as before.

// BuiltinSeed initialises the built-in model (checkpoints.BuiltinSeed).
const BuiltinSeed = checkpoints.BuiltinSeed

// RandomPrefix names a random model of a named shape (checkpoints.RandomPrefix).
const RandomPrefix = checkpoints.RandomPrefix

// Model is a model folder opened without its memory (checkpoints.Model).
type Model = checkpoints.Model

// Checkpoint is a checkpoint opened with its tokenizer (checkpoints.Opened).
type Checkpoint = checkpoints.Opened

// LoadModel is checkpoints.LoadModel.
func LoadModel(dir string) (*Model, error) { return checkpoints.LoadModel(dir) }

// LoadCheckpoint is checkpoints.OpenResolved.
func LoadCheckpoint(path string) (*Checkpoint, error) { return checkpoints.OpenResolved(path) }

// LoadTokenizer is checkpoints.LoadTokenizer.
func LoadTokenizer(dir string) (data.Tokenizer, error) { return checkpoints.LoadTokenizer(dir) }

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
