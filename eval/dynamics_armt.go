package eval

import (
	"math"

	"github.com/rmtgo/rmt/graph"
)

// ARMTLayerDynamics describes one layer's associative state after a
// hand-off, averaged over the samples. A drift in the read's scale shows
// here before accuracy falls: with raw DPFP features γ clips to 0 after the
// first hand-off, z stops changing while A keeps growing, and the read
// φ(q)A / φ(q)·z grows with A.
type ARMTLayerDynamics struct {
	Layer       int     `json:"layer"`
	AMeanSquare float64 `json:"a_mean_square"` // mean of A^2
	ZMeanSquare float64 `json:"z_mean_square"` // mean of z^2
	// MeanGamma is the mean γ of the write that made this state, over its
	// memory rows: the share of each key added to the normaliser z.
	MeanGamma float64 `json:"mean_gamma"`
	// ReadScale is ‖zᵀA‖ / (z·z): the size of what a query along z reads.
	ReadScale float64 `json:"read_scale"`
}

// armtDynamics sums ARMTLayerDynamics over samples for the hand-offs.
type armtDynamics struct {
	shape graph.SegmentShape
	cfg   graph.Config
	sums  [][]ARMTLayerDynamics // [hand-off][layer]
	n     []int
}

func newARMTDynamics(shape graph.SegmentShape, cfg graph.Config, handoffs int) *armtDynamics {
	d := &armtDynamics{shape: shape, cfg: cfg, sums: make([][]ARMTLayerDynamics, handoffs), n: make([]int, handoffs)}
	for k := range d.sums {
		d.sums[k] = make([]ARMTLayerDynamics, cfg.Layers())
	}
	return d
}

// add counts the state (batch 1) after hand-off k and the γ of its writes.
func (d *armtDynamics) add(k int, state []float32, gammas [][]float64) {
	d.n[k]++
	for l := range d.sums[k] {
		A, z := graph.ARMTLayerState(d.shape, d.cfg, state, l, 0)
		s := &d.sums[k][l]
		s.AMeanSquare += meanSqDiff(A, nil)
		s.ZMeanSquare += meanSqDiff(z, nil)
		s.ReadScale += readScale(A, z)
		var g float64
		for _, v := range gammas[l] {
			g += v / float64(len(gammas[l]))
		}
		s.MeanGamma += g
	}
}

// result is the means for hand-off k.
func (d *armtDynamics) result(k int) []ARMTLayerDynamics {
	out := make([]ARMTLayerDynamics, len(d.sums[k]))
	n := float64(d.n[k])
	for l, s := range d.sums[k] {
		out[l] = ARMTLayerDynamics{Layer: l, AMeanSquare: s.AMeanSquare / n, ZMeanSquare: s.ZMeanSquare / n,
			MeanGamma: s.MeanGamma / n, ReadScale: s.ReadScale / n}
	}
	return out
}

// readScale is ‖zᵀA‖ / (z·z) for A (K × len(A)/K) and z (K); 0 for z = 0.
func readScale(A, z []float32) float64 {
	K := len(z)
	C := len(A) / K
	var zz float64
	v := make([]float64, C)
	for a, za := range z {
		zz += float64(za) * float64(za)
		for j, x := range A[a*C : (a+1)*C] {
			v[j] += float64(za) * float64(x)
		}
	}
	if zz == 0 {
		return 0
	}
	var vv float64
	for _, x := range v {
		vv += x * x
	}
	return math.Sqrt(vv) / zz
}
