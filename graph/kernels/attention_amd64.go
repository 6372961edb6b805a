//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/rmtgo/rmt/graph/kernels/internal/avx"
)

// haveAVX512 selects the AVX-512 strip kernel (16 lanes, 8 rows) over the
// AVX2 one (8 lanes, 6 rows).
var haveAVX512 = haveAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

func init() {
	if haveAVX2 {
		kern32 = vecKernels(haveAVX512)
	}
}

// vecKernels wraps the assembly loops of package avx, which take lengths
// that are multiples of 8, with bounds checks and Go loops for the tails.
func vecKernels(avx512 bool) *rowKernels[float32] {
	if avx512 {
		k := vecKernels(false)
		k.strip, k.mr = avx512Strip, avx.Strip512Rows
		k.max, k.expSub, k.scal, k.add, k.dsub = avx512Max, avx512ExpSub, avx512Scal, avx512Add, avx512Dsub
		k.pair8 = avx512Pair8
		return k
	}
	return &rowKernels[float32]{
		strip:     avxStrip,
		mr:        avx.StripRows,
		transpose: avxTranspose,
		max:       avxMax,
		expSub:    avxExpSub,
		scal:      avxScal,
		add:       avxAdd,
		dot:       avxDot,
		dsub:      avxDsub,
	}
}

func avxStrip(c []float32, ldc int, a []float32, rsA, csA int, b []float32, ldb, m, n, k int, alpha float32, acc bool) {
	if m > avx.StripRows {
		panic("kernels: avxStrip: too many rows")
	}
	if m <= 0 || n <= 0 {
		return
	}
	n8 := n &^ 7
	if n8 > 0 && k > 0 {
		_, _, _ = c[(m-1)*ldc+n-1], a[(m-1)*rsA+(k-1)*csA], b[(k-1)*ldb+n-1]
		avx.Strip(&c[0], ldc, &a[0], rsA, csA, &b[0], ldb, m, n8, k, alpha, acc)
	} else {
		n8 = 0
	}
	if n8 < n {
		if k > 0 {
			b = b[n8:]
		}
		goStrip(c[n8:], ldc, a, rsA, csA, b, ldb, m, n-n8, k, alpha, acc)
	}
}

func avx512Strip(c []float32, ldc int, a []float32, rsA, csA int, b []float32, ldb, m, n, k int, alpha float32, acc bool) {
	if m > avx.Strip512Rows {
		panic("kernels: avx512Strip: too many rows")
	}
	if m <= 0 || n <= 0 {
		return
	}
	n8 := n &^ 7
	if n8 > 0 && k > 0 {
		_, _, _ = c[(m-1)*ldc+n-1], a[(m-1)*rsA+(k-1)*csA], b[(k-1)*ldb+n-1]
		avx.Strip512(&c[0], ldc, &a[0], rsA, csA, &b[0], ldb, m, n8, k, alpha, acc)
	} else {
		n8 = 0
	}
	if n8 < n {
		if k > 0 {
			b = b[n8:]
		}
		goStrip(c[n8:], ldc, a, rsA, csA, b, ldb, m, n-n8, k, alpha, acc)
	}
}

func avxMax(x []float32) float32 {
	n8 := len(x) &^ 7
	if n8 == 0 {
		return goMax(x)
	}
	return max(avx.Max(&x[0], n8), goMax(x[n8:]))
}

func avxExpSub(x []float32, m float32) float32 {
	n8 := len(x) &^ 7
	var s float32
	if n8 > 0 {
		s = avx.ExpSub(&x[0], n8, m)
	}
	for j := n8; j < len(x); j++ {
		e := Exp32(x[j] - m)
		x[j] = e
		s += e
	}
	return s
}

func avxScal(x []float32, a float32) {
	n8 := len(x) &^ 7
	if n8 > 0 {
		avx.Scal(&x[0], n8, a)
	}
	goScal(x[n8:], a)
}

func avxAdd(x, b []float32) {
	n := len(x)
	n8 := n &^ 7
	if n8 > 0 {
		_ = b[n-1]
		avx.Add(&x[0], &b[0], n8)
	}
	goAdd(x[n8:], b[n8:])
}

func avxDot(a, b []float32) float32 {
	n := len(a)
	n8 := n &^ 7
	var s float32
	if n8 > 0 {
		_ = b[n-1]
		s = avx.Dot(&a[0], &b[0], n8)
	}
	return s + goDot(a[n8:], b[n8:])
}

func avxDsub(ds, p, dp []float32, d float32) {
	n := len(ds)
	n8 := n &^ 7
	if n8 > 0 {
		_, _ = p[n-1], dp[n-1]
		avx.DSub(&ds[0], &p[0], &dp[0], n8, d)
	}
	goDsub(ds[n8:], p[n8:], dp[n8:], d)
}

func avxTranspose(dst []float32, ldd int, src []float32, lds, rows, cols int) {
	r8, c8 := rows&^7, cols&^7
	if r8 > 0 && c8 > 0 {
		_, _ = src[(r8-1)*lds+c8-1], dst[(c8-1)*ldd+r8-1]
		avx.Transpose(&dst[0], ldd, &src[0], lds, r8, c8)
	}
	if c8 < cols {
		goTranspose(dst[c8*ldd:], ldd, src[c8:], lds, rows, cols-c8)
	}
	if r8 < rows && c8 > 0 {
		goTranspose(dst[r8:], ldd, src[r8*lds:], lds, rows-r8, c8)
	}
}

// The AVX-512 row loops run on the multiple of 16 and leave the rest to the
// AVX2 ones.

func avx512Max(x []float32) float32 {
	n16 := len(x) &^ 15
	if n16 == 0 {
		return avxMax(x)
	}
	return max(avx.Max512(&x[0], n16), avxMax(x[n16:]))
}

func avx512ExpSub(x []float32, m float32) float32 {
	n16 := len(x) &^ 15
	var s float32
	if n16 > 0 {
		s = avx.ExpSub512(&x[0], n16, m)
	}
	return s + avxExpSub(x[n16:], m)
}

func avx512Scal(x []float32, a float32) {
	n16 := len(x) &^ 15
	if n16 > 0 {
		avx.Scal512(&x[0], n16, a)
	}
	avxScal(x[n16:], a)
}

func avx512Add(x, b []float32) {
	n := len(x)
	n16 := n &^ 15
	if n16 > 0 {
		_ = b[n-1]
		avx.Add512(&x[0], &b[0], n16)
	}
	avxAdd(x[n16:], b[n16:])
}

func avx512Dsub(ds, p, dp []float32, d float32) {
	n := len(ds)
	n16 := n &^ 15
	if n16 > 0 {
		_, _ = p[n-1], dp[n-1]
		avx.DSub512(&ds[0], &p[0], &dp[0], n16, d)
	}
	avxDsub(ds[n16:], p[n16:], dp[n16:], d)
}

func avx512Pair8(c []float32, ldc int, a []float32, lda int, b2 []float32, m, k int, alpha float32, acc bool) {
	if m > avx.Strip512Rows {
		panic("kernels: avx512Pair8: too many rows")
	}
	if m <= 0 {
		return
	}
	kp := (k + 1) / 2
	_ = c[(m-1)*ldc+7]
	if kp > 0 {
		_, _ = a[(m-1)*lda+2*kp-1], b2[kp*16-1]
	} else {
		a, b2 = c, c // never read
	}
	avx.StripPair512(&c[0], ldc, &a[0], lda, &b2[0], m, kp, alpha, acc)
}
