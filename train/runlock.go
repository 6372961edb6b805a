package train

import (
	"errors"
	"fmt"

	"github.com/rmtgo/rmt/checkpoints"
)

// lockRun takes the run directory's lock for the life of the run, before
// anything is written there: a second trainer, or a --resume of a run
// still going, is refused naming the process that holds it.
func (t *trainer) lockRun() error {
	l, err := checkpoints.LockRun(t.cfg.Out, "train")
	if errors.Is(err, checkpoints.ErrLocked) {
		return fmt.Errorf("train: --out %s: %w", t.cfg.Out, err)
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
