package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Attention benchmarks at the two shapes the trainer runs:
//
//	stories260K: B=1, L=528 (512 tokens + 2×8 memory), H=8, KVH=4, Dh=8, rope θ=10000
//	GPT-2 small: B=1, L=544 (512 tokens + 2×16 memory), H=12, KVH=12, Dh=64
//
// GFLOP/s counts the causal matmul FLOPs only: 2·2·L²/2·Dh·H forward, twice
// that backward.
//
//	go test -run=^$ -bench=Attention -benchtime=20x ./graph/kernels/

var benchShapes = []struct {
	name string
	d    AttnDims
	rope bool
}{
	{"stories260K", AttnDims{B: 1, L: 528, H: 8, KVH: 4, Dh: 8}, true},
	{"gpt2", AttnDims{B: 1, L: 544, H: 12, KVH: 12, Dh: 64}, false},
}

func BenchmarkAttention(b *testing.B) {
	for _, s := range benchShapes {
		d := s.d
		rng := rand.New(rand.NewPCG(7, 0))
		qkv := to32(randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 1))
		dout := to32(randSlice(rng, d.B*d.L*d.H*d.Dh, 1))
		out, dqkv := make([]float32, len(dout)), make([]float32, len(qkv))
		var rope *Rope[float32]
		if s.rope {
			rope = NewRope[float32](d.L, d.Dh, 10000)
		}
		scale := float32(1 / math.Sqrt(float64(d.Dh)))
		fwdFlops := 2 * 2 * float64(d.L) * float64(d.L) / 2 * float64(d.Dh) * float64(d.H)
		c := new(AttnCache[float32])
		report := func(b *testing.B, flops float64) {
			ms := b.Elapsed().Seconds() * 1e3 / float64(b.N)
			b.ReportMetric(ms, "ms/op")
			b.ReportMetric(flops/(ms*1e-3)/1e9, "GFLOP/s")
		}
		b.Run(s.name+"/fwd", func(b *testing.B) {
			b.ReportAllocs()
			AttentionForward(nil, d, qkv, out, scale, rope, nil, c)
			b.ResetTimer()
			for range b.N {
				AttentionForward(nil, d, qkv, out, scale, rope, nil, c)
			}
			report(b, fwdFlops)
		})
		b.Run(s.name+"/fwd+bwd", func(b *testing.B) {
			b.ReportAllocs()
			AttentionForward(nil, d, qkv, out, scale, rope, nil, c)
			AttentionBackward(nil, d, qkv, dout, dqkv, scale, rope, nil, c)
			b.ResetTimer()
			for range b.N {
				AttentionForward(nil, d, qkv, out, scale, rope, nil, c)
				AttentionBackward(nil, d, qkv, dout, dqkv, scale, rope, nil, c)
			}
			report(b, 3*fwdFlops)
		})
	}
}

// BenchmarkAttentionSgemmRate measures the Gemm rate the GPT-2 shape is
// judged against: one 544×544×64 product (a head's scores) and the
// 544×2304×768 c_attn projection.
func BenchmarkAttentionSgemmRate(b *testing.B) {
	for _, s := range []struct {
		name    string
		m, n, k int
	}{{"head_544x544x64", 544, 544, 64}, {"c_attn_544x2304x768", 544, 2304, 768}} {
		b.Run(s.name, func(b *testing.B) {
			rng := rand.New(rand.NewPCG(8, 0))
			a, w := to32(randSlice(rng, s.m*s.k, 1)), to32(randSlice(rng, s.n*s.k, 1))
			c := make([]float32, s.m*s.n)
			for range b.N {
				Gemm(nil, false, true, s.m, s.n, s.k, 1, a, s.k, w, s.k, 0, c, s.n)
			}
			b.ReportMetric(2*float64(s.m*s.n*s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
