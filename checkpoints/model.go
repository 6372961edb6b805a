package checkpoints

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
)

const (
	modelFile = "model.safetensors"
	indexFile = "model.safetensors.index.json"
)

// ReadModelTensors reads the weights of a HuggingFace folder, sorted by name:
// model.safetensors when present, otherwise the shards named by
// model.safetensors.index.json ({"weight_map": {tensor name: shard file}}).
// A partial or inconsistent load is an error: the index naming a tensor that its
// shard lacks, a shard holding a tensor the index does not list, or two shards
// holding the same name.
func ReadModelTensors(dir string) ([]Tensor, error) {
	single := filepath.Join(dir, modelFile)
	if _, err := os.Stat(single); err == nil {
		ts, _, err := ReadSafetensors(single)
		return ts, err
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}

	indexPath := filepath.Join(dir, indexFile)
	raw, err := os.ReadFile(indexPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checkpoints: %s has neither %s nor %s; want a HuggingFace model folder", dir, modelFile, indexFile)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("checkpoints: %s: %w", indexPath, err)
	}
	if len(index.WeightMap) == 0 {
		return nil, fmt.Errorf("checkpoints: %s has no weight_map entries; want {\"weight_map\": {tensor name: shard file}}", indexPath)
	}

	names := slices.Sorted(maps.Keys(index.WeightMap)) // deterministic error messages
	var shards []string
	for _, name := range names {
		shard := index.WeightMap[name]
		// The index is input too: a shard must be a plain file name in dir.
		if shard == "" || filepath.Base(shard) != shard || !filepath.IsLocal(shard) {
			return nil, fmt.Errorf("checkpoints: %s maps tensor %s to shard %s; want a file name inside %s",
				indexPath, quoteName(name), quoteName(shard), dir)
		}
		if !slices.Contains(shards, shard) {
			shards = append(shards, shard)
		}
	}
	slices.Sort(shards)

	var all []Tensor
	foundIn := make(map[string]string, len(index.WeightMap)) // tensor name -> shard read from
	for _, shard := range shards {
		path := filepath.Join(dir, shard)
		ts, _, err := ReadSafetensors(path)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			if prev, dup := foundIn[t.Name]; dup {
				return nil, fmt.Errorf("checkpoints: tensor %s is in both shards %s and %s of %s; want each tensor in one shard",
					quoteName(t.Name), prev, shard, dir)
			}
			foundIn[t.Name] = shard
			want, listed := index.WeightMap[t.Name]
			if !listed {
				return nil, fmt.Errorf("checkpoints: tensor %s in %s is not listed in %s; want every shard tensor in the weight_map",
					quoteName(t.Name), path, indexPath)
			}
			if want != shard {
				return nil, fmt.Errorf("checkpoints: tensor %s is in %s but %s maps it to %s",
					quoteName(t.Name), path, indexPath, want)
			}
		}
		all = append(all, ts...)
	}
	for _, name := range names {
		if _, ok := foundIn[name]; !ok {
			return nil, fmt.Errorf("checkpoints: %s maps tensor %s to %s, which does not hold it",
				indexPath, quoteName(name), index.WeightMap[name])
		}
	}
	slices.SortFunc(all, func(x, y Tensor) int { return cmp.Compare(x.Name, y.Name) })
	return all, nil
}
