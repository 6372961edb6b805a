package checkpoints

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rmtgo/rmt/graph"
)

// ReadConfig reads and validates DIR/config.json.
func ReadConfig(dir string) (graph.Config, error) {
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if err != nil {
		if _, serr := os.Stat(dir); errors.Is(serr, fs.ErrNotExist) {
			return graph.Config{}, fmt.Errorf("checkpoints: model folder %s is missing (no such folder)", dir)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return graph.Config{}, fmt.Errorf("checkpoints: %s has no config.json; want a HuggingFace model folder", dir)
		}
		return graph.Config{}, fmt.Errorf("checkpoints: %w", err)
	}
	c, err := graph.ParseConfig(data)
	if err != nil {
		return graph.Config{}, fmt.Errorf("checkpoints: %s: %w", path, err)
	}
	return c, nil
}

// LoadPretrained reads a HuggingFace model folder (config.json plus
// model.safetensors or its sharded index) into Weights, checking every
// tensor's name and shape against the config. A tied checkpoint without
// lm_head.weight uses the embedding as its head.
func LoadPretrained(dir string) (*graph.Weights, error) {
	c, err := ReadConfig(dir)
	if err != nil {
		return nil, err
	}
	ts, err := ReadModelTensors(dir)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]graph.Tensor, len(ts))
	for _, t := range ts {
		byName[t.Name] = graph.Tensor{Shape: t.Shape, Data: t.Data}
	}
	w, err := graph.FromTensors(c, byName, dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return w, nil
}
