package train

import (
	"encoding/json"
	"path/filepath"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/provenance"
)

// dataFiles are the files a run reads for its data, by hash: the bAbI
// training files of its tasks, the train and validation books of its
// noise and text folders (never the eval books, which it does not read),
// and the tokenizer. Hashing is done once, at the first checkpoint.
func dataFiles(c Config, tokFile string) ([]provenance.File, error) {
	var paths []string
	if c.Task == "babi" && c.BabiDir != "" {
		for _, n := range c.BabiTasks() {
			f, err := data.BabiFile(c.BabiDir, n, false)
			if err != nil {
				return nil, err
			}
			paths = append(paths, f)
		}
	}
	for _, d := range []struct{ flag, dir string }{{"--noise-dir", c.NoiseDir}, {"--text-dir", c.TextDir}} {
		if d.dir == "" {
			continue
		}
		for _, split := range []string{data.SplitTrain, data.SplitValid} {
			ps, _, err := data.SplitFiles(d.dir, split, 0, d.flag)
			if err != nil {
				continue // a folder without that split: the task says so itself
			}
			paths = append(paths, ps...)
		}
	}
	if tokFile != "" {
		paths = append(paths, tokFile)
	}
	for i, p := range paths {
		paths[i] = filepath.Clean(p)
	}
	return provenance.HashFiles(paths...)
}

// record is the provenance of a checkpoint at the run's current step.
func (t *trainer) record() (provenance.Record, error) {
	if t.files == nil {
		files, err := dataFiles(t.cfg, t.tokFile)
		if err != nil {
			return provenance.Record{}, err
		}
		t.files = append([]provenance.File{}, files...)
	}
	code := provenance.Current()
	return provenance.Record{Seed: t.cfg.Seed, Step: t.state.Step, Commit: code.Commit, Dirty: code.Dirty, DataFiles: t.files,
		Config: json.RawMessage(t.state.Config)}, nil
}
