package train

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/provenance"
)

// dataPaths are the files a run reads for its data: the bAbI training
// files of its tasks, the train and validation books of its noise and text
// folders (never the eval books, which it does not read), and the tokenizer.
func dataPaths(c Config, tokFile string) ([]string, error) {
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
	for _, d := range []struct{ flag, dir string }{{"noise_dir", c.NoiseDir}, {"text_dir", c.TextDir}} {
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
	paths = append(paths, c.DataFiles()...)
	if c.ValData != "" {
		paths = append(paths, c.ValData)
	}
	if tokFile != "" {
		paths = append(paths, tokFile)
	}
	for i, p := range paths {
		paths[i] = filepath.Clean(p)
	}
	return paths, nil
}

// provenance is what every checkpoint's rmt.json records of how its weights
// were trained (its "training" object, which the model card reads): base
// model, seed, curriculum, the commit of the code, and the data files the
// run reads, hashed now, at its start.
func (c Config) provenance(tokFile string) (*checkpoints.Training, error) {
	tr := &checkpoints.Training{BaseModel: c.Model, Seed: c.Seed}
	for _, s := range c.Stages {
		tr.Curriculum = append(tr.Curriculum, checkpoints.Stage{Segments: s.Segments, BPTTDepth: s.BPTTDepth, Steps: s.Steps, LR: s.LR})
	}
	code := provenance.Current()
	tr.Commit, tr.Dirty = code.Commit, code.Dirty
	files, err := dataPaths(c, tokFile)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	if tr.Data, err = checkpoints.HashFiles(files); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return tr, nil
}

// record is the provenance of a checkpoint at the run's current step (the
// top-level seed, step, commit, data_files and config of rmt.json), its
// files taken from the training record hashed at the start.
func (t *trainer) record() (provenance.Record, error) {
	if t.files == nil {
		paths, err := dataPaths(t.cfg, t.tokFile)
		if err != nil {
			return provenance.Record{}, err
		}
		files, err := provenance.HashFiles(paths...)
		if err != nil {
			return provenance.Record{}, err
		}
		t.files = append([]provenance.File{}, files...)
	}
	code := provenance.Current()
	return provenance.Record{Seed: t.cfg.Seed, Step: t.state.Step, Commit: code.Commit, Dirty: code.Dirty, DataFiles: t.files,
		Config: json.RawMessage(t.state.Config)}, nil
}
