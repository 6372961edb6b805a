package kernels

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkSmallOps times a row of small parallel ops of the size a
// stories260K segment runs hundreds of per step (528 rows of 64): their
// cost is mostly the split across workers, so it shows what reaching the
// pool costs per op.
//
//	go test -run '^$' -bench SmallOps -count 3 ./graph/kernels/
func BenchmarkSmallOps(b *testing.B) {
	const n, c = 528, 64
	rng := rand.New(rand.NewPCG(9, 0))
	x, w := to32(randSlice(rng, n*c, 1)), to32(randSlice(rng, c*c, 1))
	g, bias := to32(randSlice(rng, c, 1)), to32(randSlice(rng, c, 1))
	y, z := make([]float32, n*c), make([]float32, n*c)
	b.ReportAllocs()
	for range b.N {
		LayerNorm(nil, n, c, x, g, bias, y, 1e-5)
		GELU(nil, y, z)
		Gemm(nil, false, true, n, c, c, 1, z, c, w, c, 0, y, c)
		RMSNorm(nil, n, c, y, g, z, 1e-5)
	}
}
