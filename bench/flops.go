package bench

import (
	"fmt"

	"github.com/rmtgo/rmt/graph"
)

// FLOPs accounting. Every count is of multiply-adds times two, for the
// matrix products only (norms, activations, softmax and residual adds are
// elementwise, O(L·C) against the O(L·C²) products, and left out):
//
//	per layer, on L positions (C width, H query and KVH key/value heads of
//	width Dh, F MLP width):
//	  projections   2·L·C·(H+2·KVH)·Dh      q, k, v
//	                2·L·H·Dh·C              attention output
//	  MLP           2·L·C·F·k               k = 2 (GPT-2, OPT: fc, proj), 3 (SwiGLU: gate, up, down)
//	  attention     2·2·H·Dh·P              q·kᵀ and p·v over P (query, key) pairs:
//	                                          P = L²        AttentionFull: the whole score matrix
//	                                          P = L(L+1)/2  AttentionCausal: the causal triangle
//	head            2·R·C·V                 for the R rows whose logits are computed
//
// Two conventions for P, because a dense kernel computes the whole L×L
// score matrix and masks it, while an ideal causal kernel computes only the
// triangle. The RMT scaling paper (Bulatov et al. 2023, arXiv:2304.11062:
// full attention needs 295x and 29x the FLOPs of RMT for OPT-125M and
// OPT-175B at 2,048,000 tokens in segments of 512) implies the full
// matrix: with it this formula gives 285x and 28.5x without memory, with
// the triangle only 148x and 14.8x (see TestPaperRatios). Memory costs
// RMT 2M positions per segment: at M = 10 the full-matrix ratios are 276x
// and 27.4x, 6.3% and 5.5% under the paper's, so its figures match the
// segment cost without (or with little) memory.
//
// Training costs three forward passes' worth (the backward pass computes
// two products per forward product), the usual model-FLOPs convention.
//
// RMT against full attention over N tokens (CompareFLOPs):
//
//	full = layers · layer(N) + 2·N·C·V                      one pass over all N tokens
//	rmt  = Σ_i layers · layer(s_i + 2M) + 2·N·C·V           n = ⌈N/S⌉ segments [mem | s_i tokens | mem]
//
// with s_i = S but the last, N − (n−1)·S; both heads run on the N real
// tokens only (memory rows have no logits). The full side grows as N², the
// RMT side as N·(S+2M), so the ratio grows linearly with N.
//
// ARMT runs s_i + M positions per segment ([tokens | mem]) and adds, per
// layer, the products of its read on every position and its write from the
// M memory rows (d = d_mem, K = 6d the DPFP width):
//
//	read    2·L·C·d + 2·L·K·C           φ(h W_mqᵀ), then φ A
//	write   2·M·C·(2d + C + 1)          k, v and β projections
//	        2·2·M·K·C                   v̄ = kA, and the update kᵀ(β(v − v̄))
//
// (the K-long dot products with z and DPFP itself are elementwise and left
// out, as the norms are):
//
//	armt = Σ_i layers · (layer(s_i + M) + armtExtra(s_i + M)) + 2·N·C·V

// Attention says which (query, key) pairs the attention products count.
type Attention int

const (
	// AttentionFull counts the whole L×L score matrix, as a dense kernel
	// computes it before masking: the paper's convention.
	AttentionFull Attention = iota
	// AttentionCausal counts the L(L+1)/2 pairs of the causal triangle.
	AttentionCausal
)

func (a Attention) String() string {
	if a == AttentionCausal {
		return "causal"
	}
	return "full"
}

// ParseAttention reads "full" or "causal".
func ParseAttention(s string) (Attention, error) {
	switch s {
	case "full":
		return AttentionFull, nil
	case "causal":
		return AttentionCausal, nil
	}
	return 0, fmt.Errorf("eval: attention counting %q, want full or causal", s)
}

// pairs is P, the (query, key) pairs attention computes over L positions.
func (a Attention) pairs(L float64) float64 {
	if a == AttentionCausal {
		return L * (L + 1) / 2
	}
	return L * L
}

// ForwardFLOPs is the forward cost of one pass over `positions` positions
// per row, with the head computed on headRows rows, counting attention
// pairs as attn says.
func ForwardFLOPs(c graph.Config, positions, headRows int, attn Attention) float64 {
	return float64(c.Layers())*layerFLOPs(c, float64(positions), attn) + headFLOPs(c, float64(headRows))
}

// SegmentForwardFLOPs is the forward cost of one segment of `positions`
// positions per row, with the head computed on headRows rows and attention
// over the causal triangle (what our kernels compute).
func SegmentForwardFLOPs(c graph.Config, positions, headRows int) float64 {
	return ForwardFLOPs(c, positions, headRows, AttentionCausal)
}

func layerFLOPs(c graph.Config, L float64, attn Attention) float64 {
	C, H, KVH, Dh, F := float64(c.Hidden()), float64(c.Heads()), float64(c.KVHeads()), float64(c.HeadDim()), float64(c.FFN())
	mlpMats := 3.0
	if c.IsGPT2() {
		mlpMats = 2
	}
	return 2*L*C*(H+2*KVH)*Dh + 2*L*H*Dh*C + 2*L*C*F*mlpMats + 4*H*Dh*attn.pairs(L)
}

func headFLOPs(c graph.Config, rows float64) float64 {
	return 2 * rows * float64(c.Hidden()) * float64(c.VocabSize)
}

// FLOPsResult compares RMT with full attention over one input length. The
// JSON names are a stable contract (docs/cli.md).
type FLOPsResult struct {
	Tokens    int     `json:"tokens"`
	Segments  int     `json:"segments"`
	RMTFLOPs  float64 `json:"rmt_flops"`
	FullFLOPs float64 `json:"full_flops"`
	Ratio     float64 `json:"ratio"` // full / rmt
}

// ARMTLayerFLOPs is the forward cost ARMT adds to one layer of a segment
// of L positions, M of them memory rows, with keys of dMem.
func ARMTLayerFLOPs(c graph.Config, L, M, dMem int) float64 {
	C, d := float64(c.Hidden()), float64(dMem)
	K, l, m := 6*d, float64(L), float64(M)
	return 2*l*C*d + 2*l*K*C + 2*m*C*(2*d+C+1) + 4*m*K*C
}

// CompareFLOPs is the forward cost of reading N tokens with RMT (segments
// of S tokens, M memory tokens read and written, the last segment possibly
// shorter) against one full-attention pass over all N, both with the head
// on the N tokens. The formula is in this file's comment.
func CompareFLOPs(c graph.Config, S, M, N int, attn Attention) (FLOPsResult, error) {
	return CompareMemoryFLOPs(c, S, graph.Memory{Kind: graph.KindRMT, Tokens: M}, N, attn)
}

// CompareMemoryFLOPs is CompareFLOPs for either memory kind (RMTFLOPs then
// holds the cost of the memory model, RMT's or ARMT's).
func CompareMemoryFLOPs(c graph.Config, S int, mem graph.Memory, N int, attn Attention) (FLOPsResult, error) {
	M := mem.Tokens
	switch {
	case S < 1:
		return FLOPsResult{}, fmt.Errorf("eval: segment size %d, want at least 1", S)
	case M < 0:
		return FLOPsResult{}, fmt.Errorf("eval: %d memory tokens, want 0 or more", M)
	case N < 1:
		return FLOPsResult{}, fmt.Errorf("eval: %d tokens, want at least 1", N)
	case c.Layers() < 1 || c.Hidden() < 1 || c.Heads() < 1 || c.HeadDim() < 1 || c.FFN() < 1 || c.VocabSize < 1:
		return FLOPsResult{}, fmt.Errorf("eval: model shape has %d layers, width %d, %d heads of %d, MLP %d, vocabulary %d; want all positive",
			c.Layers(), c.Hidden(), c.Heads(), c.HeadDim(), c.FFN(), c.VocabSize)
	}
	n := (N + S - 1) / S
	last := N - (n-1)*S
	layers := float64(c.Layers())
	seg := func(s int) float64 { return layerFLOPs(c, float64(s+2*M), attn) }
	if mem.Kind == graph.KindARMT {
		seg = func(s int) float64 { return layerFLOPs(c, float64(s+M), attn) + ARMTLayerFLOPs(c, s+M, M, mem.DMem) }
	}
	rmt := layers*(float64(n-1)*seg(S)+seg(last)) + headFLOPs(c, float64(N))
	full := ForwardFLOPs(c, N, N, attn)
	return FLOPsResult{Tokens: N, Segments: n, RMTFLOPs: rmt, FullFLOPs: full, Ratio: full / rmt}, nil
}

// ShapeConfig is a model config with just the dimensions FLOPs depend on,
// for shapes given on the command line rather than by a config.json:
// a GPT-2-shaped model (two-matrix MLP, as GPT-2 and OPT) or, gated, a
// Llama-shaped one (SwiGLU, three matrices). heads 0 picks C/64 heads
// (or 1 when 64 does not divide C); kvHeads 0 means as many as heads. For
// a model whose query heads span the width (H·Dh = C, as in both
// families) the FLOPs do not depend on the head count, only on kvHeads/heads.
func ShapeConfig(layers, hidden, ffn, vocab, heads, kvHeads int, gated bool) (graph.Config, error) {
	if layers < 1 || hidden < 1 || ffn < 1 || vocab < 1 {
		return graph.Config{}, fmt.Errorf("eval: --layers %d --hidden %d --ffn %d --vocab %d; want all at least 1", layers, hidden, ffn, vocab)
	}
	if heads == 0 {
		heads = 1
		if hidden%64 == 0 {
			heads = hidden / 64
		}
	}
	if kvHeads == 0 {
		kvHeads = heads
	}
	switch {
	case heads < 1 || hidden%heads != 0:
		return graph.Config{}, fmt.Errorf("eval: --heads %d does not divide --hidden %d", heads, hidden)
	case kvHeads < 1 || heads%kvHeads != 0:
		return graph.Config{}, fmt.Errorf("eval: --kv-heads %d does not divide --heads %d", kvHeads, heads)
	case !gated && kvHeads != heads:
		return graph.Config{}, fmt.Errorf("eval: --kv-heads %d with %d heads needs --gated (a Llama-shaped model); GPT-2-shaped models have no grouped-query attention", kvHeads, heads)
	}
	if gated {
		return graph.Config{ModelType: "llama", VocabSize: vocab, HiddenSize: hidden, IntermediateSize: ffn, NumHiddenLayers: layers,
			NumAttentionHeads: heads, NumKeyValueHeads: kvHeads, HeadDimension: hidden / heads}, nil
	}
	return graph.Config{ModelType: "gpt2", VocabSize: vocab, NEmbd: hidden, NLayer: layers, NHead: heads, NInner: &ffn}, nil
}

// FLOPsTable is CompareFLOPs of model shape c at every input length of
// tokens, with the shape it counted; model names the folder c came from
// ("" for a shape given by its dimensions).
func FLOPsTable(c graph.Config, model string, S int, mem graph.Memory, tokens []int, attn Attention) (FLOPsReport, error) {
	rep := FLOPsReport{Model: model, Family: c.ModelType, Layers: c.Layers(), Hidden: c.Hidden(), FFN: c.FFN(), Vocab: c.VocabSize,
		Heads: c.Heads(), KVHeads: c.KVHeads(), SegmentSize: S, Memory: mem.Kind, DMem: mem.DMem, MemTokens: mem.Tokens, Attention: attn.String()}
	for _, n := range tokens {
		r, err := CompareMemoryFLOPs(c, S, mem, n, attn)
		if err != nil {
			return FLOPsReport{}, err
		}
		rep.Results = append(rep.Results, r)
	}
	return rep, nil
}

// FLOPsReport is `bench flops`'s output: the model shape counted and one
// CompareFLOPs result per input length; results is the stable contract.
type FLOPsReport struct {
	Model       string        `json:"model,omitempty"`
	Family      string        `json:"family"`
	Layers      int           `json:"layers"`
	Hidden      int           `json:"hidden"`
	FFN         int           `json:"ffn"`
	Vocab       int           `json:"vocab"`
	Heads       int           `json:"heads"`
	KVHeads     int           `json:"kv_heads"`
	SegmentSize int           `json:"segment_size"`
	Memory      string        `json:"memory"`
	DMem        int           `json:"d_mem,omitempty"`
	MemTokens   int           `json:"mem_tokens"`
	Attention   string        `json:"attention"`
	Results     []FLOPsResult `json:"results"`
}
