package train

import (
	"fmt"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/internal/vcs"
)

// provenance is what every checkpoint's rmt.json records of how its weights
// were trained: base model, seed, curriculum, the commit of the code, and
// the data files the run reads, hashed now, at its start.
func (c Config) provenance() (*checkpoints.Training, error) {
	tr := &checkpoints.Training{BaseModel: c.Model, Seed: c.Seed}
	for _, s := range c.Stages {
		tr.Curriculum = append(tr.Curriculum, checkpoints.Stage{Segments: s.Segments, BPTTDepth: s.BPTTDepth, Steps: s.Steps, LR: s.LR})
	}
	tr.Commit, tr.Dirty = vcs.Commit()
	var files []string
	for _, task := range c.BabiTasks() {
		f, err := data.BabiFile(c.BabiDir, task, false)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		files = append(files, f)
	}
	for _, d := range []struct{ dir, flag string }{{c.NoiseDir, "--noise-dir"}, {c.TextDir, "--text-dir"}} {
		if d.dir == "" {
			continue
		}
		paths, _, err := data.SplitFiles(d.dir, "", -1, d.flag)
		if err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
		files = append(files, paths...)
	}
	var err error
	if tr.Data, err = checkpoints.HashFiles(files); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return tr, nil
}
