package graph

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"

	"github.com/rmtgo/rmt/graph/kernels"
)

// ARMT's feature maps (docs/armt.md): rmt.json's armt_features.
const (
	// FeaturesDPFP is φ = DPFP-3 as the paper's code has it; a memory
	// with no features named (checkpoints written before the choice)
	// is this.
	FeaturesDPFP = "dpfp"
	// FeaturesDPFPNormalized L2-normalises φ after DPFP-3 on the read and
	// on the write, as the authors' code does since August 2024: every
	// key written has norm 1, so the normaliser z keeps growing with A.
	FeaturesDPFPNormalized = "dpfp-normalized"
)

// normFloor is the floor of the norm a feature row is divided by, as
// torch's F.normalize has it.
const normFloor = 1e-12

// checkFeatures reports an unknown feature map ("" is FeaturesDPFP).
func checkFeatures(f string) error {
	switch f {
	case "", FeaturesDPFP, FeaturesDPFPNormalized:
		return nil
	}
	return fieldError("armt_features", fmt.Sprintf("%q", f), fmt.Sprintf(", want %s or %s", FeaturesDPFP, FeaturesDPFPNormalized))
}

// ARMTFeatures is the memory's feature map, FeaturesDPFP when none is
// named; "" for RMT.
func (m Memory) ARMTFeatures() string {
	switch {
	case m.Kind != KindARMT:
		return ""
	case m.Features == "":
		return FeaturesDPFP
	}
	return m.Features
}

// normalized reports whether the shape's features are L2-normalised.
func (s SegmentShape) normalized() bool { return s.Features == FeaturesDPFPNormalized }

// features declares φ(x W) for the n rows of xw = x Wᵀ (d values each),
// normalised when the shape asks for it.
func (a *armtLayers) features(n int, xw *G.Node) *G.Node {
	op := newDPFPOp(a.dt, n, a.sh.DMem)
	op.normalize = a.sh.normalized()
	return apply(op, xw)
}

// gammaEps is the ε added to ‖k‖² in γ: none with normalised keys.
func (o *armtWriteOp) gammaEps() float64 {
	if o.normalized {
		return 0
	}
	return armtEps
}

// l2Normalize divides y by max(‖y‖, normFloor) in place.
func l2Normalize[T kernels.Float](y []T) {
	n := max(math.Sqrt(dot(y, y)), normFloor)
	for i := range y {
		y[i] = T(float64(y[i]) / n)
	}
}

// l2NormalizeBackward writes into dphi the gradient with respect to φ of
// ŷ = φ / max(‖φ‖, normFloor), from φ and dŷ:
//
//	‖φ‖ > floor:  dφ = (dŷ − ŷ (ŷ·dŷ)) / ‖φ‖
//	otherwise:    dφ = dŷ / floor (the floor is a constant)
func l2NormalizeBackward[T kernels.Float](phi, dy, dphi []T) {
	norm := math.Sqrt(dot(phi, phi))
	if norm <= normFloor {
		for i, g := range dy {
			dphi[i] = T(float64(g) / normFloor)
		}
		return
	}
	var s float64 // ŷ·dŷ
	for i, g := range dy {
		s += float64(phi[i]) / norm * float64(g)
	}
	for i, g := range dy {
		dphi[i] = T((float64(g) - float64(phi[i])/norm*s) / norm)
	}
}
