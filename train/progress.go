package train

import (
	"fmt"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/rmtgo/rmt/curriculum"
	"github.com/rmtgo/rmt/internal/table"
)

// progress shows a stage's steps: a bar on a terminal that fits 80
// columns, plain log lines every few steps elsewhere (CI logs, files),
// each with the run's step out of its total and the time left.
type progress struct {
	opt Options
	bar *progressbar.ProgressBar
	// total is the run's steps if every stage runs to its budget; from
	// is the run's step when this process started the stage, at start.
	total, from int
	start       time.Time
}

// barWidth keeps the bar, its description and counts within 80 columns.
const barWidth = 10

func newProgress(opt Options, stageSteps int, title string, total, from int) *progress {
	p := &progress{opt: opt, total: total, from: from, start: time.Now()}
	if opt.Terminal {
		p.bar = progressbar.NewOptions(stageSteps, progressbar.OptionSetWriter(opt.Log), progressbar.OptionSetDescription(title),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionSetWidth(barWidth),
			progressbar.OptionClearOnFinish())
	}
	return p
}

func (p *progress) Set(n int) {
	if p.bar != nil {
		p.bar.Set(n)
	}
}

// Step advances the stage to n, the run to step. On a terminal short
// (a few words) describes the bar; elsewhere line is printed when logLine
// is set, after "step N/TOTAL" and before an estimate of the time left
// (steps to the total at this process's mean step time so far; an upper
// bound where a stage ends early).
func (p *progress) Step(n, step int, short, line string, logLine bool) {
	if p.bar != nil {
		p.bar.Describe(short)
		p.bar.Set(n)
		return
	}
	if logLine {
		fmt.Fprintf(p.opt.Log, "step %d/%d | %s | eta %s\n", step, p.total, line, p.eta(step))
	}
}

// eta is the time left at step, rounded to the second.
func (p *progress) eta(step int) time.Duration {
	done := step - p.from
	if done < 1 || step >= p.total {
		return 0
	}
	per := time.Since(p.start) / time.Duration(done)
	return (per * time.Duration(p.total-step)).Round(time.Second)
}

func (p *progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.opt.Log)
	}
}

// stageTable prints the stage's evaluations.
func (t *trainer) stageTable(st curriculum.Stage) {
	fmt.Fprintf(t.opt.Log, "stage %d (%d segments of %d tokens) validation:\n", t.state.Stage+1, st.Segments, t.cfg.SegmentSize)
	tw := table.New(t.opt.Log)
	tw.Header("step", "segments", "tokens", "val loss", "accuracy")
	for _, e := range t.evals {
		tw.Append(fmt.Sprint(e.Step), fmt.Sprint(e.Segments), fmt.Sprint(e.Segments*t.cfg.SegmentSize), fmt.Sprintf("%.4f", e.Val.Loss), accString(e.Val.Accuracy))
	}
	tw.Render()
}
