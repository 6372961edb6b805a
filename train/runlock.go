package train

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
)

// lockRun takes the run directory's lock for the life of the run, before
// anything is written there: a second trainer, or a --resume of a run
// still going, is refused naming the process that holds it.
func (t *trainer) lockRun() error {
	_, statErr := os.Stat(t.cfg.Out)
	if err := os.MkdirAll(t.cfg.Out, 0o755); err != nil {
		return badWrap("out", t.cfg.Out, err)
	}
	t.madeOut = errors.Is(statErr, fs.ErrNotExist)
	l, err := checkpoints.LockRun(t.cfg.Out, "train")
	if errors.Is(err, checkpoints.ErrLocked) {
		return badWrap("out", t.cfg.Out, err)
	}
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if l.Stale != nil {
		fmt.Fprintf(t.opt.Log, "note: %s was left locked by %s, which no longer runs; taking it over\n", t.cfg.Out, *l.Stale)
	}
	t.lock = l
	return nil
}

// abandonFresh undoes what a fresh run refused before writing anything did
// to --out: the lock, and the folder when the run made it.
func (t *trainer) abandonFresh() {
	if t.lock == nil {
		return
	}
	t.lock.Unlock()
	t.lock = nil
	os.Remove(filepath.Join(t.cfg.Out, checkpoints.LockFile))
	if t.madeOut {
		os.Remove(t.cfg.Out) // only when empty
	}
}

// checkData reads the run's own data files before a fresh run writes
// anything: a malformed bAbI file or a binary file in a text folder is
// refused while the run directory is still empty. (Whether samples fit the
// stages is the stages' own check, as they start.)
func (t *trainer) checkData() error {
	c := t.cfg
	for _, d := range []struct{ dir, flag string }{{c.NoiseDir, "noise_dir"}, {c.TextDir, "text_dir"}} {
		if d.dir == "" {
			continue
		}
		if _, _, err := data.SplitFiles(d.dir, data.SplitTrain, -1, d.flag); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	}
	if c.Task == "babi" && c.BabiDir != "" {
		for _, task := range c.BabiTasks() {
			if _, _, err := data.ReadBabiShare(c.BabiDir, task, data.BabiTrain); err != nil {
				return fmt.Errorf("train: %w", err)
			}
		}
	}
	return nil
}
