package train

import (
	"encoding/json"
	"fmt"

	"github.com/rmtgo/rmt/dist"
)

// checkJob refuses, before any work, a job whose ranks were given different
// configs or whose process count does not split the batch.
func (t *trainer) checkJob() error {
	if t.comm.Size() == 1 {
		return nil
	}
	cfg, _ := json.Marshal(t.cfg)
	what := "the run config (flags and config file)"
	if t.opt.Resume {
		what = "the run config (flags, config file and resume)"
		cfg = append(cfg, " resume"...)
	}
	if err := t.comm.Same(what, hashBytes(cfg)); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if err := t.comm.Divides("batch", t.cfg.Batch); err != nil {
		return fmt.Errorf("train: %w", &dist.SharedError{Err: err})
	}
	fmt.Fprintf(t.opt.Log, "data parallel: %d processes, %d samples of every batch of %d each\n", t.comm.Size(), t.cfg.Batch/t.comm.Size(), t.cfg.Batch)
	return nil
}

// checkParams stops the run when the ranks' parameters have drifted apart
// (at is where, e.g. "at step 40"), before anything is written from them.
func (t *trainer) checkParams(at string) error {
	if t.comm.Size() == 1 {
		return nil
	}
	h := dist.NewHash()
	for _, p := range t.w.Params {
		h.AddBytes([]byte(p.Name))
		h.Add(p.Data)
	}
	if err := t.comm.Same("the parameter hash "+at, h.Sum()); err != nil {
		return fmt.Errorf("train: %w; the ranks have drifted apart, stopping without saving: the last good checkpoint is %s", err, orNone(t.lastGood))
	}
	return nil
}

// sumAcrossRanks turns this rank's gradients and step figures (its slices'
// shares of the whole batch's) into the whole batch's on every rank: one
// allreduce of every gradient in one float32 buffer, one of the figures.
func (t *trainer) sumAcrossRanks(grads [][]float32, st *stepStats) error {
	if t.comm.Size() == 1 {
		return nil
	}
	n := 0
	for _, g := range grads {
		n += len(g)
	}
	if len(t.flat) != n {
		t.flat = make([]float32, n)
	}
	off := 0
	for _, g := range grads {
		off += copy(t.flat[off:], g)
	}
	if err := t.comm.SumFloat32(t.flat); err != nil {
		return err
	}
	off = 0
	for _, g := range grads {
		off += copy(g, t.flat[off:])
	}
	figures := []float64{st.loss, st.penalty, float64(st.tokens)}
	if err := t.comm.SumFloat64(figures); err != nil {
		return err
	}
	st.loss, st.penalty, st.tokens = figures[0], figures[1], int(figures[2])
	return nil
}

func hashBytes(b []byte) uint64 {
	h := dist.NewHash()
	h.AddBytes(b)
	return h.Sum()
}
