package eval

import "github.com/rmtgo/rmt/graph"

// FLOPs accounting. Every count is of multiply-adds times two, for the
// matrix products only (the elementwise work is a rounding error at these
// sizes):
//
//	per layer, on L positions:
//	  projections   2·L·C·(H+2·KVH)·Dh      q, k, v
//	                2·L·H·Dh·C              attention output
//	  MLP           2·L·C·F·k               k = 2 (GPT-2: fc, proj), 3 (SwiGLU: gate, up, down)
//	  attention     2·2·H·Dh·L(L+1)/2       q·kᵀ and p·v over the causal triangle
//	head            2·R·C·V                 for the R rows whose logits are computed
//
// Training costs three forward passes' worth (the backward pass computes
// two products per forward product), the usual model-FLOPs convention.

// SegmentForwardFLOPs is the forward cost of one segment of `positions`
// positions per row, with the head computed on headRows rows.
func SegmentForwardFLOPs(c graph.Config, positions, headRows int) float64 {
	L, C, H, KVH, Dh, F := float64(positions), float64(c.Hidden()), float64(c.Heads()), float64(c.KVHeads()), float64(c.HeadDim()), float64(c.FFN())
	mlpMats := 3.0
	if c.IsGPT2() {
		mlpMats = 2
	}
	perLayer := 2*L*C*(H+2*KVH)*Dh + 2*L*H*Dh*C + 2*L*C*F*mlpMats + 4*H*Dh*L*(L+1)/2
	return float64(c.Layers())*perLayer + 2*float64(headRows)*C*float64(c.VocabSize)
}
