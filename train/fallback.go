package train

import (
	"fmt"
	"strings"

	"github.com/rmtgo/rmt/checkpoints"
)

// resumePoint loads the checkpoint a --resume continues from: the latest,
// when it verifies (checksums, NaN and Inf, every file's fields). When it
// does not, plain --resume stops, naming it and the newest checkpoint that
// verifies; --resume=auto (Options.ResumeAuto) says so and continues from
// that one. latest and latestErr are what Run.Latest said.
func (t *trainer) resumePoint(latest string, latestErr error) (*checkpoints.Checkpoint, string, error) {
	steps, err := t.run.Steps()
	if err != nil {
		return nil, "", badWrap("resume", "", err)
	}
	if latestErr != nil && len(steps) == 0 {
		return nil, "", badWrap("resume", "", latestErr)
	}
	var bad error
	if latestErr == nil {
		ck, err := checkpoints.Load(latest)
		if err == nil {
			return ck, latest, nil
		}
		bad = err
	} else {
		latest, bad = "the latest pointer", latestErr
	}
	var skipped []string
	for _, p := range steps {
		if p == latest {
			continue
		}
		ck, err := checkpoints.Load(p)
		if err != nil {
			skipped = append(skipped, p)
			continue
		}
		also := ""
		if len(skipped) > 0 {
			also = fmt.Sprintf(" (%s did not verify either)", strings.Join(skipped, ", "))
		}
		if !t.opt.ResumeAuto {
			return nil, "", badWrap("resume", fmt.Sprintf("the latest checkpoint %s is unusable: {err}; the newest checkpoint that verifies is %s%s: pass {resume}=auto to resume from it",
				latest, p, also), bad)
		}
		fmt.Fprintf(t.opt.Log, "note: the latest checkpoint %s is unusable: %v\nnote: skipping it%s and resuming from %s, the newest checkpoint that verifies\n", latest, bad, also, p)
		return ck, p, nil
	}
	return nil, "", badWrap("resume", fmt.Sprintf("the latest checkpoint %s is unusable: {err}; no earlier checkpoint verifies either", latest), bad)
}
