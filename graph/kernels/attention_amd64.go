//go:build !purego

package kernels

import "github.com/rmtgo/rmt/graph/kernels/internal/avx"

func init() {
	if haveAVX2 {
		kern32 = avxKernels()
	}
}

// avxKernels wraps the assembly loops of package avx, which take lengths
// that are multiples of 8, with bounds checks and Go loops for the tails.
func avxKernels() *rowKernels[float32] {
	return &rowKernels[float32]{
		gemvT:  avxGemvT,
		gemvN:  avxGemvN,
		ger:    avxGer,
		max:    avxMax,
		expSub: avxExpSub,
		scal:   avxScal,
		add:    avxAdd,
		dot:    avxDot,
		dsub:   avxDsub,
	}
}

func avxGemvT(y, a, x []float32, ld, n int) {
	dh := len(a)
	n8 := n &^ 7
	if n8 > 0 && dh > 0 {
		_, _ = y[n-1], x[(dh-1)*ld+n-1]
		avx.GemvT(&y[0], &a[0], &x[0], ld, dh, n8)
	} else {
		clear(y[:n8])
	}
	if n8 < n {
		goGemvT(y[n8:n], a, x[n8:], ld, n-n8)
	}
}

func avxGemvN(y, a, x []float32, ld, n int) {
	dh := len(y)
	if dh == 0 {
		return
	}
	n8 := n &^ 7
	if n8 == 0 {
		goGemvN(y, a, x, ld, n)
		return
	}
	_, _ = a[n-1], x[(dh-1)*ld+n-1]
	avx.GemvN(&y[0], &a[0], &x[0], ld, dh, n8)
	for k := range y {
		xr := x[k*ld+n8 : k*ld+n]
		s := y[k]
		for j, v := range a[n8:n] {
			s += v * xr[j]
		}
		y[k] = s
	}
}

func avxGer(x, a, b []float32, ld, n int) {
	dh := len(a)
	n8 := n &^ 7
	if n8 > 0 && dh > 0 {
		_, _ = b[n-1], x[(dh-1)*ld+n-1]
		avx.Ger(&x[0], &a[0], &b[0], ld, dh, n8)
	}
	if n8 < n {
		goGer(x[n8:], a, b[n8:n], ld, n-n8)
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
