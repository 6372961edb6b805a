package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

// naiveAttention is the float64 reference: explicit loops per batch row,
// head and query, rotary embedding with angles t·θ^(-2i/Dh) (theta 0 means
// none), grouped heads and the key mask, written independently of the
// kernel.
func naiveAttention(d AttnDims, qkv []float64, scale, theta float64, keyMask []float64) []float64 {
	W := (d.H + 2*d.KVH) * d.Dh
	out := make([]float64, d.B*d.L*d.H*d.Dh)
	vecAt := func(b, t, col int) []float64 {
		v := make([]float64, d.Dh)
		copy(v, qkv[(b*d.L+t)*W+col*d.Dh:])
		if theta != 0 && col < d.H+d.KVH { // rotate q and k heads
			half := d.Dh / 2
			r := make([]float64, d.Dh)
			for i := range half {
				a := float64(t) * math.Pow(theta, -2*float64(i)/float64(d.Dh))
				r[i] = v[i]*math.Cos(a) - v[i+half]*math.Sin(a)
				r[i+half] = v[i+half]*math.Cos(a) + v[i]*math.Sin(a)
			}
			v = r
		}
		return v
	}
	for b := range d.B {
		for h := range d.H {
			g := h / (d.H / d.KVH)
			for t := range d.L {
				q := vecAt(b, t, h)
				var keys []int
				var s []float64
				for u := 0; u <= t; u++ {
					if keyMask != nil && keyMask[b*d.L+u] == 0 {
						continue
					}
					k := vecAt(b, u, d.H+g)
					dot := 0.0
					for i := range d.Dh {
						dot += q[i] * k[i]
					}
					keys = append(keys, u)
					s = append(s, scale*dot)
				}
				if len(keys) == 0 {
					continue
				}
				m := math.Inf(-1)
				for _, v := range s {
					m = math.Max(m, v)
				}
				sum := 0.0
				for i, v := range s {
					s[i] = math.Exp(v - m)
					sum += s[i]
				}
				o := out[(b*d.L+t)*d.H*d.Dh+h*d.Dh:]
				for i, u := range keys {
					v := vecAt(b, u, d.H+d.KVH+g)
					for j := range d.Dh {
						o[j] += s[i] / sum * v[j]
					}
				}
			}
		}
	}
	return out
}

type attnCase struct {
	name string
	d    AttnDims
	rope bool
	mask string // "", "middle", "end", "start" (first keys hidden, so early queries see nothing)
}

func (tc attnCase) keyMask() []float64 {
	if tc.mask == "" {
		return nil
	}
	d := tc.d
	m := make([]float64, d.B*d.L)
	for i := range m {
		m[i] = 1
	}
	hide := func(b int, ts ...int) {
		if b < d.B {
			for _, t := range ts {
				m[b*d.L+t] = 0
			}
		}
	}
	switch tc.mask {
	case "middle":
		hide(0, d.L/2, d.L/2+1)
		hide(1, d.L/2-1)
	case "end":
		hide(0, d.L-1)
		hide(1, d.L-1, d.L-2)
	case "start":
		hide(0, 0, 1)
		hide(1, 0)
	}
	return m
}

var attnCases = []attnCase{
	{"mha", AttnDims{B: 2, L: 7, H: 2, KVH: 2, Dh: 4}, false, ""},
	{"mha_rope", AttnDims{B: 2, L: 9, H: 2, KVH: 2, Dh: 8}, true, ""},
	{"gqa_4_2", AttnDims{B: 2, L: 10, H: 4, KVH: 2, Dh: 4}, false, ""},
	{"gqa_4_2_rope", AttnDims{B: 2, L: 10, H: 4, KVH: 2, Dh: 8}, true, ""},
	{"gqa_8_4_rope", AttnDims{B: 2, L: 6, H: 8, KVH: 4, Dh: 4}, true, ""},
	{"mask_middle", AttnDims{B: 2, L: 10, H: 2, KVH: 2, Dh: 8}, false, "middle"},
	{"mask_end_gqa_rope", AttnDims{B: 2, L: 10, H: 4, KVH: 2, Dh: 4}, true, "end"},
	{"mask_start_gqa_8_4", AttnDims{B: 2, L: 8, H: 8, KVH: 4, Dh: 8}, true, "start"},
	{"mha_l1", AttnDims{B: 2, L: 1, H: 2, KVH: 1, Dh: 4}, true, ""},
}

// testMR is the strip height the tests ask for (0: each table's own).
var testMR int

// schedules runs f with strips of the kernels' own height (8 with AVX-512,
// else 6), 5 (so that strips straddle the 8-column blocks) and 1 (no work
// above the diagonal).
func schedules(t *testing.T, f func(t *testing.T)) {
	for _, mr := range []int{0, 5, 1} {
		t.Run(fmt.Sprintf("mr%d", mr), func(t *testing.T) {
			defer func(old *rowKernels[float64], m int) { kern64, testMR = old, m }(kern64, testMR)
			testMR = mr
			kern64 = withMR(kern64)
			f(t)
		})
	}
}

// withMR returns a copy of ks with the strip height testMR, if set.
func withMR[T Float](ks *rowKernels[T]) *rowKernels[T] {
	k := *ks
	if testMR > 0 {
		k.mr = min(testMR, k.mr)
	}
	return &k
}

// kernels32 runs f with each float32 table: the default one, the AVX2 one
// where AVX-512 is the default, and the portable one.
func kernels32(t *testing.T, f func(t *testing.T)) {
	type table struct {
		name string
		ks   *rowKernels[float32]
	}
	tables := []table{{"default", kern32}}
	if haveAVX512 {
		tables = append(tables, table{"avx2", vecKernels(false)})
	}
	tables = append(tables, table{"portable", goKernels(Exp32)})
	for _, k := range tables {
		t.Run(k.name, func(t *testing.T) {
			defer func(old *rowKernels[float32]) { kern32 = old }(kern32)
			kern32 = withMR(k.ks)
			f(t)
		})
	}
}

func randSlice(rng *rand.Rand, n int, scale float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = scale * (2*rng.Float64() - 1)
	}
	return x
}

func to32(x []float64) []float32 {
	if x == nil {
		return nil
	}
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

const testTheta = 10000

// maxRelDiff returns max|got-want| / max|want|.
func maxRelDiff[T Float](got []T, want []float64) float64 {
	diff, scale := 0.0, 0.0
	for i, w := range want {
		diff = math.Max(diff, math.Abs(float64(got[i])-w))
		scale = math.Max(scale, math.Abs(w))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

func ropeFor[T Float](tc attnCase) *Rope[T] {
	if !tc.rope {
		return nil
	}
	return NewRope[T](tc.d.L+3, tc.d.Dh, testTheta)
}

func TestAttentionForwardMatchesNaive(t *testing.T) {
	for _, tc := range attnCases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			rng := rand.New(rand.NewPCG(1, uint64(d.L)))
			qkv := randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 2)
			scale := 1 / math.Sqrt(float64(d.Dh))
			theta := 0.0
			if tc.rope {
				theta = testTheta
			}
			want := naiveAttention(d, qkv, scale, theta, tc.keyMask())
			schedules(t, func(t *testing.T) {
				out := make([]float64, len(want))
				AttentionForward(nil, d, qkv, out, scale, ropeFor[float64](tc), tc.keyMask(), new(AttnCache[float64]))
				if e := maxRelDiff(out, want); e > 1e-13 {
					t.Errorf("float64: max relative difference %.3g from the naive reference, want <= 1e-13", e)
				}
				kernels32(t, func(t *testing.T) {
					out := make([]float32, len(want))
					AttentionForward(nil, d, to32(qkv), out, float32(scale), ropeFor[float32](tc), to32(tc.keyMask()), new(AttnCache[float32]))
					if e := maxRelDiff(out, want); e > 1e-5 {
						t.Errorf("float32: max relative difference %.3g from the naive reference, want <= 1e-5", e)
					}
				})
			})
			if tc.mask == "start" {
				// Query 0 of batch row 0 sees no key: its output is zero.
				for i, v := range want[:d.H*d.Dh] {
					if v != 0 {
						t.Fatalf("naive out[%d] = %v for a query with no visible key, want 0", i, v)
					}
				}
			}
		})
	}
}

// attnLoss is Σ out·dout, the scalar whose gradient AttentionBackward gives.
func attnLoss(tc attnCase, qkv, dout []float64, scale float64) float64 {
	out := make([]float64, len(dout))
	AttentionForward(nil, tc.d, qkv, out, scale, ropeFor[float64](tc), tc.keyMask(), new(AttnCache[float64]))
	s := 0.0
	for i, v := range out {
		s += v * dout[i]
	}
	return s
}

func TestAttentionBackwardFiniteDifferences(t *testing.T) {
	for _, tc := range attnCases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			rng := rand.New(rand.NewPCG(2, uint64(d.L)))
			qkv := randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 1)
			dout := randSlice(rng, d.B*d.L*d.H*d.Dh, 1)
			scale := 1 / math.Sqrt(float64(d.Dh))
			schedules(t, func(t *testing.T) {
				c := new(AttnCache[float64])
				out := make([]float64, len(dout))
				dqkv := make([]float64, len(qkv))
				for i := range dqkv {
					dqkv[i] = math.NaN() // must be overwritten
				}
				AttentionForward(nil, d, qkv, out, scale, ropeFor[float64](tc), tc.keyMask(), c)
				AttentionBackward(nil, d, qkv, dout, dqkv, scale, ropeFor[float64](tc), tc.keyMask(), c)
				const eps = 1e-6
				fd := make([]float64, len(qkv))
				x := append([]float64(nil), qkv...)
				for i := range x {
					x[i] = qkv[i] + eps
					lp := attnLoss(tc, x, dout, scale)
					x[i] = qkv[i] - eps
					lm := attnLoss(tc, x, dout, scale)
					x[i] = qkv[i]
					fd[i] = (lp - lm) / (2 * eps)
				}
				e := maxRelDiff(dqkv, fd)
				t.Logf("max relative difference from central differences: %.2g", e)
				if !(e < 1e-6) {
					t.Errorf("AttentionBackward: max relative difference %.3g from central differences, want < 1e-6", e)
				}
				if tc.mask == "end" {
					// Keys hidden everywhere get no gradient in k or v.
					W := (d.H + 2*d.KVH) * d.Dh
					for _, i := range []int{(2*d.L - 1) * W, (2*d.L - 2) * W} {
						for j := d.H * d.Dh; j < W; j++ {
							if dqkv[i+j] != 0 {
								t.Fatalf("dqkv[%d] = %v for a masked key, want 0", i+j, dqkv[i+j])
							}
						}
					}
				}
			})
		})
	}
}

func TestAttentionFloat32MatchesFloat64(t *testing.T) {
	cases := append([]attnCase{
		{"stories_like", AttnDims{B: 1, L: 150, H: 8, KVH: 4, Dh: 8}, true, "middle"},
		{"gpt2_like", AttnDims{B: 2, L: 77, H: 3, KVH: 3, Dh: 64}, false, "end"},
		{"wide_rope_gqa", AttnDims{B: 1, L: 70, H: 4, KVH: 1, Dh: 40}, true, ""},
	}, attnCases...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			rng := rand.New(rand.NewPCG(3, uint64(d.L)))
			qkv := randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 1)
			dout := randSlice(rng, d.B*d.L*d.H*d.Dh, 1)
			scale := 1 / math.Sqrt(float64(d.Dh))
			out64 := make([]float64, len(dout))
			dqkv64 := make([]float64, len(qkv))
			c64 := new(AttnCache[float64])
			AttentionForward(nil, d, qkv, out64, scale, ropeFor[float64](tc), tc.keyMask(), c64)
			AttentionBackward(nil, d, qkv, dout, dqkv64, scale, ropeFor[float64](tc), tc.keyMask(), c64)
			schedules(t, func(t *testing.T) {
				kernels32(t, func(t *testing.T) {
					c := new(AttnCache[float32])
					out := make([]float32, len(dout))
					dqkv := make([]float32, len(qkv))
					AttentionForward(nil, d, to32(qkv), out, float32(scale), ropeFor[float32](tc), to32(tc.keyMask()), c)
					AttentionBackward(nil, d, to32(qkv), to32(dout), dqkv, float32(scale), ropeFor[float32](tc), to32(tc.keyMask()), c)
					if e := maxRelDiff(out, out64); e > 1e-5 {
						t.Errorf("forward: float32 differs from float64 by %.3g (relative to the largest), want <= 1e-5", e)
					}
					e := maxRelDiff(dqkv, dqkv64)
					t.Logf("backward float32 vs float64: %.2g", e)
					if e > 2e-5 {
						t.Errorf("backward: float32 differs from float64 by %.3g (relative to the largest), want <= 2e-5", e)
					}
				})
			})
		})
	}
}

// TestAttentionCacheReuse runs one cache through shapes that shrink and
// grow and checks every result against a fresh cache, and that earlier
// results are left alone.
func TestAttentionCacheReuse(t *testing.T) {
	shapes := []attnCase{
		{"small", AttnDims{B: 1, L: 5, H: 2, KVH: 1, Dh: 4}, true, ""},
		{"large", AttnDims{B: 2, L: 70, H: 4, KVH: 2, Dh: 8}, false, "middle"},
		{"wide", AttnDims{B: 1, L: 40, H: 2, KVH: 2, Dh: 32}, true, "end"},
		{"small_again", AttnDims{B: 1, L: 5, H: 2, KVH: 1, Dh: 4}, true, ""},
		{"medium", AttnDims{B: 2, L: 20, H: 4, KVH: 4, Dh: 8}, true, "start"},
	}
	shared := new(AttnCache[float32])
	var kept [][]float32
	var keptWant [][]float32
	for i, tc := range shapes {
		d := tc.d
		rng := rand.New(rand.NewPCG(4, uint64(i)))
		qkv := to32(randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 1))
		dout := to32(randSlice(rng, d.B*d.L*d.H*d.Dh, 1))
		run := func(c *AttnCache[float32]) (out, dqkv []float32) {
			out = make([]float32, len(dout))
			dqkv = make([]float32, len(qkv))
			AttentionForward(nil, d, qkv, out, 0.3, ropeFor[float32](tc), to32(tc.keyMask()), c)
			AttentionBackward(nil, d, qkv, dout, dqkv, 0.3, ropeFor[float32](tc), to32(tc.keyMask()), c)
			return out, dqkv
		}
		out, dqkv := run(shared)
		wantOut, wantDqkv := run(new(AttnCache[float32]))
		for j := range out {
			if out[j] != wantOut[j] {
				t.Fatalf("%s: out[%d] = %v with a reused cache, want %v", tc.name, j, out[j], wantOut[j])
			}
		}
		for j := range dqkv {
			if dqkv[j] != wantDqkv[j] {
				t.Fatalf("%s: dqkv[%d] = %v with a reused cache, want %v", tc.name, j, dqkv[j], wantDqkv[j])
			}
		}
		kept = append(kept, out, dqkv)
		keptWant = append(keptWant, append([]float32(nil), out...), append([]float32(nil), dqkv...))
	}
	for i := range kept {
		for j := range kept[i] {
			if kept[i][j] != keptWant[i][j] {
				t.Fatalf("result %d changed at %d after later calls: %v, want %v", i, j, kept[i][j], keptWant[i][j])
			}
		}
	}
}

// A ForwardOnly cache, shared by calls of every shape as inference shares
// it among layers, gives the same bits as a full cache, and its P buffer is
// per worker rather than per head.
func TestAttentionForwardOnlyCache(t *testing.T) {
	shared := &AttnCache[float32]{ForwardOnly: true}
	for i, tc := range []attnCase{
		{"large", AttnDims{B: 2, L: 70, H: 4, KVH: 2, Dh: 8}, false, "middle"},
		{"narrow_rope_mask", AttnDims{B: 1, L: 64, H: 8, KVH: 4, Dh: 8}, true, "end"},
		{"wide", AttnDims{B: 1, L: 40, H: 2, KVH: 2, Dh: 32}, true, ""},
		{"small", AttnDims{B: 1, L: 5, H: 2, KVH: 1, Dh: 4}, true, "start"},
	} {
		d := tc.d
		rng := rand.New(rand.NewPCG(6, uint64(i)))
		qkv := to32(randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 1))
		got, want := make([]float32, d.B*d.L*d.H*d.Dh), make([]float32, d.B*d.L*d.H*d.Dh)
		AttentionForward(nil, d, qkv, got, 0.3, ropeFor[float32](tc), to32(tc.keyMask()), shared)
		AttentionForward(nil, d, qkv, want, 0.3, ropeFor[float32](tc), to32(tc.keyMask()), new(AttnCache[float32]))
		for j := range got {
			if got[j] != want[j] {
				t.Fatalf("%s: out[%d] = %v with a ForwardOnly cache, want %v", tc.name, j, got[j], want[j])
			}
		}
		lp := roundUp(d.L, 32)
		if perWorker := max(runtime.GOMAXPROCS(0), 1) * d.L * lp; len(shared.p) > perWorker {
			t.Errorf("%s: ForwardOnly P holds %d values, want at most %d (one head per worker)", tc.name, len(shared.p), perWorker)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("AttentionBackward on a ForwardOnly cache did not panic")
		}
	}()
	d := AttnDims{B: 1, L: 5, H: 2, KVH: 1, Dh: 4}
	qkv := make([]float32, d.B*d.L*(d.H+2*d.KVH)*d.Dh)
	AttentionBackward(nil, d, qkv, make([]float32, d.B*d.L*d.H*d.Dh), make([]float32, len(qkv)), 0.3, nil, nil, shared)
}

// mallocsPerRun is testing.AllocsPerRun without its GOMAXPROCS=1, so that
// ParallelFor really starts its workers.
func mallocsPerRun(n int, f func()) float64 {
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range n {
		f()
	}
	runtime.ReadMemStats(&after)
	return float64(after.Mallocs-before.Mallocs) / float64(n)
}

func TestAttentionNoAllocsWhenWarm(t *testing.T) {
	// ParallelFor allocates its WaitGroup and goroutine closures itself; a
	// forward+backward pair makes three calls of it. The attention code must
	// add nothing once the cache is warm.
	parallelFor := mallocsPerRun(50, func() { nilPool.For(64, 1, func(lo, hi int) {}) })
	for _, tc := range []attnCase{
		{"narrow_rope_mask", AttnDims{B: 1, L: 64, H: 8, KVH: 4, Dh: 8}, true, "middle"},
		{"wide", AttnDims{B: 2, L: 64, H: 4, KVH: 4, Dh: 64}, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.d
			rng := rand.New(rand.NewPCG(5, 0))
			qkv := to32(randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 1))
			dout := to32(randSlice(rng, d.B*d.L*d.H*d.Dh, 1))
			out, dqkv := make([]float32, len(dout)), make([]float32, len(qkv))
			rope, mask := ropeFor[float32](tc), to32(tc.keyMask())
			c := new(AttnCache[float32])
			run := func() {
				AttentionForward(nil, d, qkv, out, 0.3, rope, mask, c)
				AttentionBackward(nil, d, qkv, dout, dqkv, 0.3, rope, mask, c)
			}
			if got := testing.AllocsPerRun(20, run); got != 0 {
				t.Errorf("warm forward+backward on one goroutine: %v allocations, want 0", got)
			}
			if got, want := mallocsPerRun(50, run), 3*parallelFor; got > want+0.5 {
				t.Errorf("warm forward+backward: %.1f allocations, want at most %.1f (ParallelFor's own)", got, want)
			}
		})
	}
}

func TestAttentionKernelsMatchPortable(t *testing.T) {
	if !haveAVX2 {
		t.Skip("no vector kernels on this machine or build")
	}
	for _, avx512 := range []bool{false, true} {
		if avx512 && !haveAVX512 {
			t.Log("no AVX-512: its strip kernel is not tested")
			continue
		}
		t.Run(fmt.Sprintf("avx512_%v", avx512), func(t *testing.T) {
			testKernelsMatchPortable(t, vecKernels(avx512))
		})
	}
}

func testKernelsMatchPortable(t *testing.T, avxK *rowKernels[float32]) {
	goK := goKernels(Exp32)
	rng := rand.New(rand.NewPCG(6, 0))
	r32 := func(n int) []float32 { return to32(randSlice(rng, n, 1)) }
	close := func(t *testing.T, what string, got, want []float32, tol float64) {
		t.Helper()
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > tol*(1+math.Abs(float64(want[i]))) {
				t.Fatalf("%s[%d] = %v, want %v", what, i, got[i], want[i])
			}
		}
	}
	// strip: every row count up to 6, column counts around the 8 and 16
	// chunks, A by rows and transposed, overwrite and accumulate.
	for m := 1; m <= avxK.mr; m++ {
		for _, n := range []int{1, 4, 8, 12, 16, 24, 40, 48, 56, 64, 72, 88} {
			for _, k := range []int{0, 1, 2, 3, 8, 65} {
				for _, trans := range []bool{false, true} {
					for _, acc := range []bool{false, true} {
						name := fmt.Sprintf("strip_m%d_n%d_k%d_t%v_acc%v", m, n, k, trans, acc)
						ldc, ldb := n+3, n+5
						rsA, csA, lenA := k+2, 1, m*(k+2)
						if trans {
							rsA, csA, lenA = 1, m+1, max(k, 1)*(m+1)
						}
						a, b := r32(lenA), r32(max(k, 1)*ldb)
						c1 := r32(m * ldc)
						c2 := append([]float32(nil), c1...)
						avxK.strip(c1, ldc, a, rsA, csA, b, ldb, m, n, k, 0.7, acc)
						goK.strip(c2, ldc, a, rsA, csA, b, ldb, m, n, k, 0.7, acc)
						close(t, name, c1, c2, 1e-7*float64(k+8))
					}
				}
			}
		}
	}
	if avxK.pair8 != nil {
		for m := 1; m <= avxK.mr; m++ {
			for _, k := range []int{0, 1, 2, 7, 8, 33} {
				for _, acc := range []bool{false, true} {
					lda, ldc := k+5, 11
					a, b := r32(m*lda), r32(max(k, 1)*8)
					b2 := make([]float32, (k+1)/2*16)
					packPairs(b2, b, k)
					c1 := r32(m * ldc)
					c2 := append([]float32(nil), c1...)
					avxK.pair8(c1, ldc, a, lda, b2, m, k, 0.7, acc)
					goK.strip(c2, ldc, a, lda, 1, b, 8, m, 8, k, 0.7, acc)
					close(t, fmt.Sprintf("pair8_m%d_k%d_acc%v", m, k, acc), c1, c2, 1e-7*float64(k+8))
				}
			}
		}
	}
	for _, rows := range []int{1, 7, 8, 9, 16, 30} {
		for _, cols := range []int{1, 4, 8, 13, 16, 64} {
			lds, ldd := cols+3, rows+5
			src := r32(rows * lds)
			d1, d2 := r32(cols*ldd), make([]float32, cols*ldd)
			copy(d2, d1)
			avxK.transpose(d1, ldd, src, lds, rows, cols)
			goK.transpose(d2, ldd, src, lds, rows, cols)
			close(t, fmt.Sprintf("transpose_%dx%d", rows, cols), d1, d2, 0)
		}
	}
	for _, n := range []int{1, 7, 8, 9, 16, 31, 32, 40, 63, 64, 65, 100, 129, 200} {
		t.Run(fmt.Sprintf("rows_n%d", n), func(t *testing.T) {
			b := r32(n)
			if g, w := avxK.max(b), goK.max(b); g != w {
				t.Fatalf("max = %v, want %v", g, w)
			}
			e1, e2 := append([]float32(nil), b...), append([]float32(nil), b...)
			s1, s2 := avxK.expSub(e1, 0.5), goK.expSub(e2, 0.5)
			close(t, "expSub", e1, e2, 3e-7)
			close(t, "expSub sum", []float32{s1}, []float32{s2}, 1e-7*float64(n+8))
			avxK.scal(e1, 3)
			goK.scal(e2, 3)
			close(t, "scal", e1, e2, 3e-7)
			avxK.add(e1, b)
			goK.add(e2, b)
			close(t, "add", e1, e2, 1e-6)
			close(t, "dot", []float32{avxK.dot(e1, b)}, []float32{goK.dot(e2, b)}, 3e-7*float64(n+8))
			d1, d2 := make([]float32, n), make([]float32, n)
			avxK.dsub(d1, e1, b, 0.25)
			goK.dsub(d2, e2, b, 0.25)
			close(t, "dsub", d1, d2, 1e-6)
		})
	}
}

func TestNewRopeFloat32FollowsHF(t *testing.T) {
	// inv_freq = 1/θ^(arange(0, dh, 2)/dh) and t·inv_freq in float32, as
	// HuggingFace computes them; cos and sin of the float32 angle.
	r := NewRope[float32](600, 8, 10000)
	for _, tc := range []struct{ t, i int }{{0, 0}, {1, 1}, {527, 0}, {527, 3}, {599, 2}} {
		inv := float32(1) / float32(math.Pow(10000, float64(float32(2*tc.i)/8)))
		a := float32(tc.t) * inv
		if got, want := r.Cos[tc.t*4+tc.i], float32(math.Cos(float64(a))); got != want {
			t.Errorf("Cos[t=%d, i=%d] = %v, want %v", tc.t, tc.i, got, want)
		}
		if got, want := r.Sin[tc.t*4+tc.i], float32(math.Sin(float64(a))); got != want {
			t.Errorf("Sin[t=%d, i=%d] = %v, want %v", tc.t, tc.i, got, want)
		}
	}
	r64 := NewRope[float64](600, 8, 10000)
	if got, want := r64.Cos[527*4+1], math.Cos(527*math.Pow(10000, -0.25)); math.Abs(got-want) > 1e-12 {
		t.Errorf("float64 Cos[t=527, i=1] = %v, want %v", got, want)
	}
}
