package kernels

import (
	"math"
	"testing"
)

func TestGemmMatchesNaive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		ta, tb bool
	}{{"NN", false, false}, {"NT", false, true}, {"TN", true, false}, {"TT", true, true}} {
		t.Run(tc.name, func(t *testing.T) {
			m, n, k := 5, 7, 3
			a := make([]float32, m*k)
			b := make([]float32, k*n)
			for i := range a {
				a[i] = float32(i%7) - 3
			}
			for i := range b {
				b[i] = float32(i%5) - 2
			}
			at := func(i, p int) float32 { // op(a)[i][p]
				if tc.ta {
					return a[p*m+i]
				}
				return a[i*k+p]
			}
			bt := func(p, j int) float32 {
				if tc.tb {
					return b[j*k+p]
				}
				return b[p*n+j]
			}
			lda, ldb := k, n
			if tc.ta {
				lda = m
			}
			if tc.tb {
				ldb = k
			}
			c := make([]float32, m*n)
			for i := range c {
				c[i] = 1
			}
			Gemm(nil, tc.ta, tc.tb, m, n, k, 2, a, lda, b, ldb, 0.5, c, n)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					var want float32 = 0.5
					for p := 0; p < k; p++ {
						want += 2 * at(i, p) * bt(p, j)
					}
					if got := c[i*n+j]; math.Abs(float64(got-want)) > 1e-5 {
						t.Fatalf("c[%d][%d] = %v, want %v", i, j, got, want)
					}
				}
			}
		})
	}
}

func TestParallelForCoversRange(t *testing.T) {
	for _, n := range []int{0, 1, 7, 100, 1001} {
		seen := make([]int32, n)
		nilPool.For(n, 3, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				seen[i]++
			}
		})
		for i, s := range seen {
			if s != 1 {
				t.Fatalf("n=%d: index %d visited %d times, want 1", n, i, s)
			}
		}
	}
}
