package train

import (
	"fmt"
	"path/filepath"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
)

// createRun gives a fresh run its id and writes run.json (rank 0).
func (t *trainer) createRun() error {
	abs, err := filepath.Abs(t.cfg.Out)
	if err != nil {
		return badWrap("out", t.cfg.Out, err)
	}
	info := checkpoints.RunInfo{RunID: checkpoints.NewRunID(), Dir: abs, Created: time.Now().UTC()}
	t.state.RunID = info.RunID
	return checkpoints.WriteRunInfo(t.cfg.Out, info)
}

// checkRunID checks that the checkpoint to resume belongs to the run in
// --out, by the id in run.json, whatever path names the folder now. A
// folder moved since it was last used resumes with a note, and run.json
// records where it is now. A run of an older build (no run.json) gets one.
func (t *trainer) checkRunID(ck *checkpoints.Checkpoint, latest string) error {
	out := t.cfg.Out
	abs, err := filepath.Abs(out)
	if err != nil {
		return badWrap("out", out, err)
	}
	info, found, err := checkpoints.ReadRunInfo(out)
	if err != nil {
		return badWrap("resume", "", err)
	}
	if !found {
		id := ck.State.RunID
		if id == "" {
			id = checkpoints.NewRunID()
		}
		fmt.Fprintf(t.opt.Log, "note: %s has no %s (a run of an older build); recording run id %s\n", out, checkpoints.RunInfoFile, id)
		info = checkpoints.RunInfo{RunID: id, Dir: abs, Created: time.Now().UTC()}
		t.state.RunID = id
		return checkpoints.WriteRunInfo(out, info)
	}
	if ck.State.RunID != "" && ck.State.RunID != info.RunID {
		return bad("resume", "checkpoint %s belongs to run %s, but %s holds run %s; a checkpoint copied from another run cannot continue this one",
			latest, ck.State.RunID, filepath.Join(out, checkpoints.RunInfoFile), info.RunID)
	}
	t.state.RunID = info.RunID
	if info.Dir != abs {
		fmt.Fprintf(t.opt.Log, "note: run %s was in %s and is now in %s; continuing it here\n", info.RunID, info.Dir, abs)
		info.Dir = abs
		return checkpoints.WriteRunInfo(out, info)
	}
	return nil
}
