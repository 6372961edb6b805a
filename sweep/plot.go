package sweep

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var colors = []color.RGBA{
	{R: 31, G: 119, B: 180, A: 255},
	{R: 214, G: 39, B: 40, A: 255},
	{R: 44, G: 160, B: 44, A: 255},
	{R: 148, G: 103, B: 189, A: 255},
	{R: 255, G: 127, B: 14, A: 255},
	{R: 140, G: 86, B: 75, A: 255},
}

// Plot draws the paper's curriculum figure: accuracy against evaluation
// length on a log axis, a line per curriculum (the mean over seeds) in its
// band (Cell.Low to Cell.High), the lengths it trained at as filled dots.
// The format comes from path's extension (.png, .svg, .pdf).
func (r *Report) Plot(path string) error {
	p := plot.New()
	p.Title.Text = fmt.Sprintf("%s: accuracy against evaluation length (filled: trained lengths)", r.Task)
	p.X.Label.Text = fmt.Sprintf("evaluation length, segments of %d tokens", r.SegmentSize)
	p.Y.Label.Text = "exact-match accuracy"
	var ticks plot.ConstantTicks // at the evaluated lengths
	for _, row := range r.Rows {
		ticks = append(ticks, plot.Tick{Value: float64(row.Segments), Label: fmt.Sprint(row.Segments)})
	}
	p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, ticks
	p.Y.Min, p.Y.Max = 0, 1.05
	p.Legend.Top, p.Legend.Left = false, true
	p.Legend.YOffs = vg.Centimeter
	for k, cur := range r.Curricula {
		c := colors[k%len(colors)]
		var mean, band, trained plotter.XYs
		for _, row := range r.Rows {
			cell := row.Cells[k]
			x := float64(row.Segments)
			mean = append(mean, plotter.XY{X: x, Y: cell.Mean})
			band = append(band, plotter.XY{X: x, Y: cell.Low})
			if cell.Trained {
				trained = append(trained, plotter.XY{X: x, Y: cell.Mean})
			}
		}
		for i := len(r.Rows) - 1; i >= 0; i-- {
			band = append(band, plotter.XY{X: float64(r.Rows[i].Segments), Y: r.Rows[i].Cells[k].High})
		}
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return fmt.Errorf("sweep: plot: %w", err)
		}
		fill := color.NRGBA{R: c.R, G: c.G, B: c.B, A: 50} // not premultiplied: a light band
		poly.Color, poly.LineStyle.Width = fill, 0
		line, marks, err := plotter.NewLinePoints(mean)
		if err != nil {
			return fmt.Errorf("sweep: plot: %w", err)
		}
		line.Color, marks.Color = c, c
		marks.Shape, marks.Radius = draw.RingGlyph{}, vg.Points(2)
		p.Add(poly, line, marks)
		if len(trained) > 0 {
			dots, err := plotter.NewScatter(trained)
			if err != nil {
				return fmt.Errorf("sweep: plot: %w", err)
			}
			dots.Color, dots.Shape, dots.Radius = c, draw.CircleGlyph{}, vg.Points(4)
			p.Add(dots)
		}
		p.Legend.Add("curriculum "+cur.Name, line, marks)
	}
	if n := len(r.Rows); n > 0 {
		p.X.Min, p.X.Max = float64(r.Rows[0].Segments)/1.5, float64(r.Rows[n-1].Segments)*1.5
	}
	p.Add(plotter.NewGrid())
	if err := p.Save(7*vg.Inch, 4.5*vg.Inch, path); err != nil {
		return fmt.Errorf("sweep: plot: %w", err)
	}
	return nil
}
