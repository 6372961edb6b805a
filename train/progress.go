package train

import (
	"fmt"

	"github.com/schollz/progressbar/v3"

	"github.com/rmtgo/rmt/curriculum"
	"github.com/rmtgo/rmt/internal/table"
)

// progress shows a stage's steps: a bar on a terminal, plain log lines
// every few steps elsewhere (CI logs, files).
type progress struct {
	opt Options
	bar *progressbar.ProgressBar
}

func newProgress(opt Options, total int, title string) *progress {
	p := &progress{opt: opt}
	if opt.Terminal {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(opt.Log), progressbar.OptionSetDescription(title),
			progressbar.OptionShowCount(), progressbar.OptionSetPredictTime(true), progressbar.OptionFullWidth(),
			progressbar.OptionClearOnFinish())
	}
	return p
}

func (p *progress) Set(n int) {
	if p.bar != nil {
		p.bar.Set(n)
	}
}

// Step advances to n; line is the log line for this step, printed when
// logLine is set (on a terminal it becomes the bar's description).
func (p *progress) Step(n int, line string, logLine bool) {
	if p.bar != nil {
		p.bar.Describe(line)
		p.bar.Set(n)
		return
	}
	if logLine {
		fmt.Fprintln(p.opt.Log, line)
	}
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
