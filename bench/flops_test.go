package bench

import (
	"math"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

// tinyShape: GPT-2-shaped, 1 layer, C=4, 2 heads of 2, F=16, V=10. Per
// position and layer: q,k,v 2·4·12 = 96, output 2·2·2·4 = 32, MLP
// 2·4·16·2 = 256, so 384·L of products; attention 4·2·2 = 16 per pair;
// head 2·4·10 = 80 per row.
func tinyShape(t *testing.T) graph.Config {
	c, err := ShapeConfig(1, 4, 16, 10, 2, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestForwardFLOPsByHand(t *testing.T) {
	tied := true
	gqa := graph.Config{ModelType: "llama", VocabSize: 16, HiddenSize: 8, IntermediateSize: 12, NumHiddenLayers: 2,
		NumAttentionHeads: 4, NumKeyValueHeads: 2, HeadDimension: 2, TieWordEmbeddings: &tied}
	for _, tc := range []struct {
		name      string
		c         graph.Config
		positions int
		rows      int
		attn      Attention
		want      float64
	}{
		// 384·3 + 16·9 + 80·3
		{"gpt2 L=3 full", tinyShape(t), 3, 3, AttentionFull, 1152 + 144 + 240},
		// 384·3 + 16·6 + 80·3
		{"gpt2 L=3 causal", tinyShape(t), 3, 3, AttentionCausal, 1152 + 96 + 240},
		// no head rows: the layers alone
		{"gpt2 L=1 no head", tinyShape(t), 1, 0, AttentionFull, 384 + 16},
		// Llama GQA, C=8, H=4, KVH=2, Dh=2, F=12, V=16, two layers, L=2:
		// q,k,v 2·2·8·(4+4)·2 = 512, output 2·2·8·8 = 256,
		// SwiGLU 2·2·8·12·3 = 1152, attention 4·4·2·4 = 128 (full),
		// per layer 2048; head 2·1·8·16 = 256.
		{"llama gqa L=2 full", gqa, 2, 1, AttentionFull, 2*2048 + 256},
		// causal: attention 4·4·2·3 = 96, per layer 2016
		{"llama gqa L=2 causal", gqa, 2, 1, AttentionCausal, 2*2016 + 256},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ForwardFLOPs(tc.c, tc.positions, tc.rows, tc.attn); got != tc.want {
				t.Errorf("ForwardFLOPs(%d positions, %d rows, %v) = %v, want %v", tc.positions, tc.rows, tc.attn, got, tc.want)
			}
		})
	}
	if got, want := SegmentForwardFLOPs(tinyShape(t), 3, 3), ForwardFLOPs(tinyShape(t), 3, 3, AttentionCausal); got != want {
		t.Errorf("SegmentForwardFLOPs = %v, want the causal count %v", got, want)
	}
}

func TestCompareFLOPsByHand(t *testing.T) {
	c := tinyShape(t)
	for _, tc := range []struct {
		name            string
		S, M, N         int
		attn            Attention
		segments        int
		wantRMT, wantFu float64
	}{
		// N=5, S=2, M=1: segments of 2, 2, 1 tokens run as 4, 4, 3
		// positions. Full: 384·5 + 16·25 + 80·5 = 2720. RMT: 384·11 +
		// 16·(16+16+9) + 80·5 = 4224 + 656 + 400 = 5280.
		{"short last segment, full", 2, 1, 5, AttentionFull, 3, 5280, 2720},
		// causal pairs: full side 16·15 = 240, RMT 16·(10+10+6) = 416.
		{"short last segment, causal", 2, 1, 5, AttentionCausal, 3, 4224 + 416 + 400, 1920 + 240 + 400},
		// M=0, S=N: RMT is the full pass.
		{"one segment without memory", 5, 0, 5, AttentionFull, 1, 2720, 2720},
		// N=4, S=2, M=0: two passes of 2: 384·4 + 16·8 + 80·4 = 1984;
		// full 384·4 + 16·16 + 80·4 = 2112.
		{"two even segments", 2, 0, 4, AttentionFull, 2, 1984, 2112},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := CompareFLOPs(c, tc.S, tc.M, tc.N, tc.attn)
			if err != nil {
				t.Fatal(err)
			}
			if r.Segments != tc.segments || r.RMTFLOPs != tc.wantRMT || r.FullFLOPs != tc.wantFu || r.Ratio != tc.wantFu/tc.wantRMT {
				t.Errorf("CompareFLOPs(S=%d, M=%d, N=%d) = %+v, want %d segments, rmt %v, full %v", tc.S, tc.M, tc.N, r, tc.segments, tc.wantRMT, tc.wantFu)
			}
		})
	}
}

// opt is an OPT shape: OPT's decoder is GPT-2-shaped for FLOPs (two-matrix
// ReLU MLP, multi-head attention, a tied head over 50272 ids).
func opt(t *testing.T, layers, hidden, heads int) graph.Config {
	c, err := ShapeConfig(layers, hidden, 4*hidden, 50272, heads, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestPaperRatios checks the formula against the RMT scaling paper: with
// segments of 512 and 2,048,000 tokens, full attention needs 295x (OPT-125M)
// and 29x (OPT-175B) the FLOPs of RMT. The paper's counting is the full
// score matrix; without memory both land within 5%. The causal triangle
// halves the quadratic term and lands near half the paper's ratios, which
// is how the convention is told apart.
func TestPaperRatios(t *testing.T) {
	const N, S = 2048000, 512
	for _, tc := range []struct {
		name    string
		c       graph.Config
		M       int
		attn    Attention
		want    float64
		within  float64 // relative
		comment string
	}{
		{"OPT-125M full M=0", opt(t, 12, 768, 12), 0, AttentionFull, 295, 0.05, "paper"},
		{"OPT-175B full M=0", opt(t, 96, 12288, 96), 0, AttentionFull, 29, 0.05, "paper"},
		// With 2x10 memory positions per segment the RMT side costs a
		// little more: 276x and 27.4x by this formula.
		{"OPT-125M full M=10", opt(t, 12, 768, 12), 10, AttentionFull, 276.3, 0.002, "formula"},
		{"OPT-175B full M=10", opt(t, 96, 12288, 96), 10, AttentionFull, 27.41, 0.002, "formula"},
		{"OPT-125M causal M=0", opt(t, 12, 768, 12), 0, AttentionCausal, 148.1, 0.002, "formula"},
		{"OPT-175B causal M=0", opt(t, 96, 12288, 96), 0, AttentionCausal, 14.79, 0.002, "formula"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := CompareFLOPs(tc.c, S, tc.M, N, tc.attn)
			if err != nil {
				t.Fatal(err)
			}
			if rel := math.Abs(r.Ratio-tc.want) / tc.want; rel > tc.within {
				t.Errorf("ratio = %.2f, want %v (%s) within %.1f%%; off by %.2f%%", r.Ratio, tc.want, tc.comment, 100*tc.within, 100*rel)
			}
			t.Logf("%s: full/RMT = %.2f (%d segments)", tc.name, r.Ratio, r.Segments)
		})
	}
}

// TestRatioGrowsLinearly: the full pass is quadratic in N and RMT linear,
// so once attention dominates, doubling N nearly doubles the ratio.
func TestRatioGrowsLinearly(t *testing.T) {
	c := opt(t, 12, 768, 12)
	a, _ := CompareFLOPs(c, 512, 10, 1<<20, AttentionFull)
	b, _ := CompareFLOPs(c, 512, 10, 1<<21, AttentionFull)
	if g := b.Ratio / a.Ratio; g < 1.9 || g > 2 {
		t.Errorf("ratio(2M)/ratio(1M) = %.3f, want within [1.9, 2]", g)
	}
	if d := b.RMTFLOPs / a.RMTFLOPs; math.Abs(d-2) > 1e-9 {
		t.Errorf("RMT FLOPs(2M)/FLOPs(1M) = %v, want exactly 2 (linear)", d)
	}
}

func TestCompareFLOPsErrors(t *testing.T) {
	c := tinyShape(t)
	for _, tc := range []struct {
		name    string
		S, M, N int
	}{
		{"zero segment size", 0, 1, 10},
		{"negative memory", 4, -1, 10},
		{"no tokens", 4, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := CompareFLOPs(c, tc.S, tc.M, tc.N, AttentionFull); err == nil {
				t.Errorf("CompareFLOPs(S=%d, M=%d, N=%d) = nil error, want one", tc.S, tc.M, tc.N)
			}
		})
	}
	for _, tc := range []struct {
		name                                   string
		layers, hidden, ffn, vocab, heads, kvh int
		gated                                  bool
	}{
		{"heads do not divide width", 1, 10, 4, 4, 3, 0, false},
		{"grouped-query on a GPT-2 shape", 1, 8, 4, 4, 4, 2, false},
		{"kv heads do not divide heads", 1, 8, 4, 4, 4, 3, true},
		{"zero layers", 0, 8, 4, 4, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ShapeConfig(tc.layers, tc.hidden, tc.ffn, tc.vocab, tc.heads, tc.kvh, tc.gated); err == nil {
				t.Errorf("ShapeConfig = nil error, want one")
			}
		})
	}
	if _, err := ParseAttention("triangle"); err == nil {
		t.Errorf("ParseAttention(triangle) = nil error, want one")
	}
}
