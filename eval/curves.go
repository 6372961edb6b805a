package eval

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Curve is a training run's log read back (`eval curves`): training loss
// per step, validation per evaluation, and where each stage began. Wall
// times are the run's elapsed_s (0 in logs written before records carried
// it; HasTime says whether every record does).
type Curve struct {
	Run     string       `json:"run"` // as given
	Dir     string       `json:"dir"` // the run directory
	Label   string       `json:"label"`
	HasTime bool         `json:"has_time"`
	Train   []TrainPoint `json:"train"`
	Evals   []EvalPoint  `json:"evals"`
	Stages  []StageStart `json:"stages"`
}

// TrainPoint is one optimizer step.
type TrainPoint struct {
	Step     int     `json:"step"`
	ElapsedS float64 `json:"elapsed_s"`
	Stage    int     `json:"stage"`
	Segments int     `json:"segments"`
	Loss     float64 `json:"loss"`
}

// EvalPoint is one validation; Accuracy is -1 for a task without answers.
type EvalPoint struct {
	Step     int     `json:"step"`
	ElapsedS float64 `json:"elapsed_s"`
	Stage    int     `json:"stage"`
	Segments int     `json:"segments"`
	ValLoss  float64 `json:"val_loss"`
	Accuracy float64 `json:"accuracy"`
}

// StageStart is where a stage began: after Step steps, at ElapsedS.
type StageStart struct {
	Stage    int     `json:"stage"`
	Segments int     `json:"segments"`
	Step     int     `json:"step"`
	ElapsedS float64 `json:"elapsed_s"`
}

// LoadCurve reads the log of the run that path is or lies in (RunDir).
func LoadCurve(path string) (*Curve, error) {
	dir, ok := RunDir(path)
	if !ok {
		return nil, fmt.Errorf("eval: %s is not in a training run directory (a folder with metrics.jsonl and config.json)", path)
	}
	rs, err := readMetrics(dir)
	if err != nil {
		return nil, err
	}
	label, _ := RunLabel(dir)
	c := &Curve{Run: path, Dir: dir, Label: label, HasTime: true}
	prevStep, prevElapsed := 0, 0.0
	for _, r := range rs {
		if r.Type != "step" && r.Type != "eval" {
			continue
		}
		c.HasTime = c.HasTime && r.ElapsedS > 0
		if r.Type == "step" {
			if n := len(c.Stages); n == 0 || c.Stages[n-1].Stage != r.Stage {
				c.Stages = append(c.Stages, StageStart{Stage: r.Stage, Segments: r.Segments, Step: prevStep, ElapsedS: prevElapsed})
			}
			c.Train = append(c.Train, TrainPoint{Step: r.Step, ElapsedS: r.ElapsedS, Stage: r.Stage, Segments: r.Segments, Loss: r.Loss})
		} else {
			e := EvalPoint{Step: r.Step, ElapsedS: r.ElapsedS, Stage: r.Stage, Segments: r.Segments, Accuracy: -1}
			if r.ValLoss != nil {
				e.ValLoss = *r.ValLoss
			}
			if r.Accuracy != nil {
				e.Accuracy = *r.Accuracy
			}
			c.Evals = append(c.Evals, e)
		}
		prevStep, prevElapsed = r.Step, r.ElapsedS
	}
	if len(c.Train) == 0 {
		return nil, fmt.Errorf("eval: %s has no training steps in metrics.jsonl", dir)
	}
	return c, nil
}

// curveColors extends the accuracy plot's colors to more runs.
func curveColor(k int) color.Color { return plotColors[k%len(plotColors)] }

// PlotCurves draws runs' curves into one PNG of four panels: training
// loss and validation accuracy (validation loss for runs without answers)
// against step and against wall time, runs overlaid, each stage's start a
// dashed line in the run's color. Runs whose log carries no wall time are
// left out of the wall-time panels.
func PlotCurves(path string, curves []*Curve) error {
	if !strings.EqualFold(filepath.Ext(path), ".png") {
		return fmt.Errorf("eval: plot %s: curves are drawn as .png", path)
	}
	answers := false
	for _, c := range curves {
		for _, e := range c.Evals {
			answers = answers || e.Accuracy >= 0
		}
	}
	valName := "validation loss"
	if answers {
		valName = "validation accuracy"
	}
	panels := [2][2]*plot.Plot{}
	for i := range 2 {
		for j := range 2 {
			p := plot.New()
			p.X.Label.Text = []string{"step", "wall time (minutes)"}[j]
			p.Y.Label.Text = []string{"training loss", valName}[i]
			p.Add(plotter.NewGrid())
			panels[i][j] = p
		}
	}
	panels[0][0].Title.Text = "against step"
	panels[0][1].Title.Text = "against wall time"
	for k, c := range curves {
		col := curveColor(k)
		label := c.Label
		if label == "" {
			label = c.Run
		}
		for j := range 2 {
			if j == 1 && !c.HasTime {
				continue
			}
			x := func(step int, s float64) float64 {
				if j == 0 {
					return float64(step)
				}
				return s / 60
			}
			var loss, val plotter.XYs
			for _, t := range c.Train {
				loss = append(loss, plotter.XY{X: x(t.Step, t.ElapsedS), Y: t.Loss})
			}
			for _, e := range c.Evals {
				y := e.ValLoss
				if answers {
					if e.Accuracy < 0 {
						continue
					}
					y = e.Accuracy
				}
				val = append(val, plotter.XY{X: x(e.Step, e.ElapsedS), Y: y})
			}
			for i, xys := range []plotter.XYs{loss, val} {
				if len(xys) == 0 {
					continue
				}
				line, err := plotter.NewLine(xys)
				if err != nil {
					return fmt.Errorf("eval: plot: %w", err)
				}
				line.Color = col
				panels[i][j].Add(line)
				if i == 1 && j == 0 {
					panels[i][j].Legend.Add(label, line)
				}
				lo, hi := math.Inf(1), math.Inf(-1)
				for _, p := range xys {
					lo, hi = math.Min(lo, p.Y), math.Max(hi, p.Y)
				}
				if i == 1 && answers {
					lo, hi = 0, 1
				}
				for _, st := range c.Stages[1:] {
					sx := x(st.Step, st.ElapsedS)
					mark, err := plotter.NewLine(plotter.XYs{{X: sx, Y: lo}, {X: sx, Y: hi}})
					if err != nil {
						return fmt.Errorf("eval: plot: %w", err)
					}
					mark.Color, mark.Dashes = col, []vg.Length{vg.Points(3), vg.Points(3)}
					panels[i][j].Add(mark)
				}
			}
		}
	}
	if answers {
		for j := range 2 {
			panels[1][j].Y.Min, panels[1][j].Y.Max = 0, 1.05
		}
	}
	panels[1][0].Legend.Top, panels[1][0].Legend.Left = false, false
	img := vgimg.New(10*vg.Inch, 7*vg.Inch)
	dc := draw.New(img)
	tiles := draw.Tiles{Rows: 2, Cols: 2, PadX: vg.Millimeter * 4, PadY: vg.Millimeter * 4,
		PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 2}
	grid := [][]*plot.Plot{{panels[0][0], panels[0][1]}, {panels[1][0], panels[1][1]}}
	canvases := plot.Align(grid, tiles, dc)
	for i := range 2 {
		for j := range 2 {
			grid[i][j].Draw(canvases[i][j])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("eval: plot: %w", err)
	}
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("eval: plot: %w", err)
	}
	return f.Close()
}
