package eval

import (
	"fmt"
	"image/color"
	"math"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Plot size, as the figures of a paper column.
const plotW, plotH = 6 * vg.Inch, 4 * vg.Inch

var plotColors = []color.Color{
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
}

// PlotAccuracy draws accuracy against input tokens on a log axis, one line
// per report with its 95% intervals as error bars, and saves it as an image
// (the format from path's extension: .png, .svg, .pdf).
func PlotAccuracy(path string, reps ...AccuracyReport) error {
	labels := make([]string, len(reps))
	for k, r := range reps {
		labels[k] = r.Task
		if r.Checkpoint != "" {
			labels[k] = filepath.Base(r.Checkpoint) + " " + r.Task
		}
	}
	return plotAccuracy(path, reps, labels)
}

// plotAccuracy is PlotAccuracy with a legend label per report.
func plotAccuracy(path string, reps []AccuracyReport, labels []string) error {
	p := plot.New()
	p.Title.Text = "Accuracy against input length"
	p.X.Label.Text = "input tokens"
	p.Y.Label.Text = "exact-match accuracy"
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, plot.LogTicks{Prec: -1}
	p.Y.Min, p.Y.Max = 0, 1.05
	p.Legend.Top, p.Legend.Left = false, true
	p.Legend.YOffs = vg.Centimeter // clear of the x axis
	lo, hi := math.Inf(1), math.Inf(-1)
	for k, r := range reps {
		if len(r.Results) == 0 {
			continue
		}
		pts := accuracyPoints(r.Results)
		for _, x := range r.Results {
			lo, hi = math.Min(lo, float64(x.Tokens)), math.Max(hi, float64(x.Tokens))
		}
		line, marks, err := plotter.NewLinePoints(pts)
		if err != nil {
			return fmt.Errorf("eval: plot: %w", err)
		}
		bars, err := plotter.NewYErrorBars(pts)
		if err != nil {
			return fmt.Errorf("eval: plot: %w", err)
		}
		c := plotColors[k%len(plotColors)]
		line.Color, marks.Color, bars.Color = c, c, c
		marks.Shape = draw.CircleGlyph{}
		p.Add(line, marks, bars)
		p.Legend.Add(labels[k], line, marks)
	}
	if lo <= hi { // a little room either side on the log axis
		p.X.Min, p.X.Max = lo/1.5, hi*1.5
	}
	p.Add(plotter.NewGrid())
	if err := p.Save(plotW, plotH, path); err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}
	return nil
}

// accuracyPoints are (tokens, accuracy) with the interval as y errors.
type accuracyPoints []AccuracyResult

func (a accuracyPoints) Len() int                { return len(a) }
func (a accuracyPoints) XY(i int) (x, y float64) { return float64(a[i].Tokens), a[i].Accuracy }
func (a accuracyPoints) YError(i int) (lo, hi float64) {
	return a[i].Accuracy - a[i].CILow, a[i].CIHigh - a[i].Accuracy
}

// PlotPerplexity draws perplexity against segment index, with memory,
// without, and the controls the report holds, and saves it as an image.
func PlotPerplexity(path string, rep PerplexityReport) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Perplexity per segment (%d tokens each)", rep.SegmentSize)
	p.X.Label.Text = "segment index"
	p.Y.Label.Text = "perplexity"
	p.X.Tick.Marker = indexTicks{first: 1}
	p.Legend.Top = true
	var mem, plain, reset, full plotter.XYs
	for _, r := range rep.Results {
		x := float64(r.Segment)
		plain = append(plain, plotter.XY{X: x, Y: r.PPLNoMemory})
		for _, c := range []struct {
			v   *float64
			xys *plotter.XYs
		}{{r.PPLMemory, &mem}, {r.PPLMemoryReset, &reset}, {r.PPLFullContext, &full}} {
			if c.v != nil {
				*c.xys = append(*c.xys, plotter.XY{X: x, Y: *c.v})
			}
		}
	}
	return saveLines(p, path, []series{
		{fmt.Sprintf("memory (M = %d)", rep.MemTokens), mem, plotColors[0]},
		{"no memory (each segment alone)", plain, plotColors[1]},
		{"memory reset every segment", reset, plotColors[2]},
		{fmt.Sprintf("full attention over %d segments", rep.ContextWindow), full, plotColors[3]},
	})
}

// series is one line of a line plot; an empty one is left out.
type series struct {
	label string
	xys   plotter.XYs
	color color.Color
}

// saveLines draws lines (with their points) on p, which has its title and
// axes, over a grid with room for the legend above, and saves it at path.
func saveLines(p *plot.Plot, path string, lines []series) error {
	for _, s := range lines {
		if len(s.xys) == 0 {
			continue
		}
		line, marks, err := plotter.NewLinePoints(s.xys)
		if err != nil {
			return fmt.Errorf("eval: plot: %w", err)
		}
		line.Color, marks.Color = s.color, s.color
		marks.Shape = draw.CircleGlyph{}
		if len(s.xys) > 64 { // a line alone reads better than a wall of dots
			marks.Radius = 0
		}
		p.Add(line, marks)
		p.Legend.Add(s.label, line)
	}
	p.X.Min, p.X.Max = p.X.Min-0.5, p.X.Max+0.5
	p.Y.Max += 0.25 * (p.Y.Max - p.Y.Min) // room for the legend above the lines
	p.Add(plotter.NewGrid())
	if err := p.Save(plotW, plotH, path); err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}
	return nil
}

// indexTicks labels whole numbers from first on, at most about ten of them.
type indexTicks struct{ first float64 }

func (it indexTicks) Ticks(min, max float64) []plot.Tick {
	lo, hi := math.Ceil(min), math.Floor(max)
	step := math.Max(1, math.Ceil((hi-lo+1)/10))
	var ts []plot.Tick
	for x := lo; x <= hi; x++ {
		t := plot.Tick{Value: x}
		if x >= it.first && math.Mod(x-it.first, step) == 0 {
			t.Label = strconv.Itoa(int(x))
		}
		if t.Label != "" || step <= 4 {
			ts = append(ts, t)
		}
	}
	return ts
}

// PlotHistory draws the perplexity of the same final segments against the
// number of segments read before them (rep.History).
func PlotHistory(path string, rep PerplexityReport) error {
	if len(rep.History) == 0 {
		return fmt.Errorf("eval: plot: the report has no history rows")
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Perplexity of the same final segments (%d tokens)", rep.SegmentSize)
	p.X.Label.Text = "segments read before"
	p.Y.Label.Text = "perplexity"
	p.X.Tick.Marker = indexTicks{first: 0}
	p.Legend.Top = true
	var mem, plain, full plotter.XYs
	for _, r := range rep.History {
		x := float64(r.Read)
		plain = append(plain, plotter.XY{X: x, Y: r.PPLNoMemory})
		if r.PPLMemory != nil {
			mem = append(mem, plotter.XY{X: x, Y: *r.PPLMemory})
		}
		if r.PPLFullContext != nil {
			full = append(full, plotter.XY{X: x, Y: *r.PPLFullContext})
		}
	}
	return saveLines(p, path, []series{ // the colours of the per-index plot
		{fmt.Sprintf("memory (M = %d)", rep.MemTokens), mem, plotColors[0]},
		{"no memory (the segment alone)", plain, plotColors[1]},
		{fmt.Sprintf("full attention over up to %d segments", rep.ContextWindow), full, plotColors[3]},
	})
}
