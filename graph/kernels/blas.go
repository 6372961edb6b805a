package kernels

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// Float is the element type of every kernel that exists in both precisions.
type Float interface{ ~float32 | ~float64 }

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}

// Gemm computes c = alpha*op(a)*op(b) + beta*c on row-major matrices, where
// op(a) is (m, k) and op(b) is (k, n); lda, ldb and ldc are row strides, so a
// column block of a wider matrix is addressed without copying.
//
// Products big enough to pay for it are split across p.Workers() goroutines,
// by row blocks of c (or column blocks when c is wide and short), each a
// single-threaded BLAS call.
func Gemm[T Float](p *Pool, transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	const minWork = 1 << 18 // multiply-adds per worker below which threading loses
	if m*n*k < 2*minWork {
		gemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	if m >= n {
		p.For(m, max(8, minWork/(n*k)), func(lo, hi int) {
			ao := lo * lda
			if transA {
				ao = lo
			}
			gemm(transA, transB, hi-lo, n, k, alpha, a[ao:], lda, b, ldb, beta, c[lo*ldc:], ldc)
		})
		return
	}
	p.For(n, max(8, minWork/(m*k)), func(lo, hi int) {
		bo := lo
		if transB {
			bo = lo * ldb
		}
		gemm(transA, transB, m, hi-lo, k, alpha, a, lda, b[bo:], ldb, beta, c[lo:], ldc)
	})
}

func gemm[T Float](transA, transB bool, m, n, k int, alpha T, a []T, lda int, b []T, ldb int, beta T, c []T, ldc int) {
	switch av := any(a).(type) {
	case []float32:
		blas32.Implementation().Sgemm(trans(transA), trans(transB), m, n, k, float32(alpha), av, lda, any(b).([]float32), ldb, float32(beta), any(c).([]float32), ldc)
	case []float64:
		blas64.Implementation().Dgemm(trans(transA), trans(transB), m, n, k, float64(alpha), av, lda, any(b).([]float64), ldb, float64(beta), any(c).([]float64), ldc)
	}
}
