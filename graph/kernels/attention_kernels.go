package kernels

import (
	"math"
	"unsafe"
)

// rowKernels are the vector loops the attention schedules are built from. A
// table of functions is chosen once per call: assembly for float32 where the
// CPU has AVX2 and FMA, portable Go otherwise and for float64. Lengths: a
// slice argument is read or written up to n, or in full where no n is given.
type rowKernels[T Float] struct {
	// strip sets C[r·ldc+j] = Σ_{p<k} A[r·rsA+p·csA]·B[p·ldb+j] for r < m
	// <= mr and j < n, or adds it to C with acc. It is the one matrix
	// product of the schedule: rsA = 1, csA = ld reads a transposed A.
	strip  func(c []T, ldc int, a []T, rsA, csA int, b []T, ldb, m, n, k int, acc bool)
	mr     int                // strip height
	max    func(x []T) T      // largest element, -Inf for none
	expSub func(x []T, m T) T           // x[j] = e^(x[j]-m); returns Σ x[j]
	scal   func(x []T, a T)             // x[j] *= a
	add    func(x, b []T)               // x[j] += b[j]
	dot    func(a, b []T) T             // Σ a[j]·b[j], j < len(a)
	dsub   func(ds, p, dp []T, d T)     // ds[j] = p[j]·(dp[j]-d), j < len(ds)
}

var (
	kern32 = goKernels(Exp32)
	kern64 = goKernels(math.Exp)
)

// kernelsFor returns the loops for x's element type.
func kernelsFor[T Float](x []T) *rowKernels[T] {
	switch any(x).(type) {
	case []float32:
		return any(kern32).(*rowKernels[T])
	case []float64:
		return any(kern64).(*rowKernels[T])
	}
	// A named float type: portable loops, built per call.
	if unsafe.Sizeof(T(0)) == 4 {
		return goKernels(func(x T) T { return T(Exp32(float32(x))) })
	}
	return goKernels(func(x T) T { return T(math.Exp(float64(x))) })
}

func goKernels[T Float](exp func(T) T) *rowKernels[T] {
	return &rowKernels[T]{
		strip: goStrip[T],
		mr:    6,
		max:   goMax[T],
		expSub: func(x []T, m T) T {
			var s T
			for j, v := range x {
				e := exp(v - m)
				x[j] = e
				s += e
			}
			return s
		},
		scal: goScal[T],
		add:  goAdd[T],
		dot:  goDot[T],
		dsub: goDsub[T],
	}
}

func goStrip[T Float](c []T, ldc int, a []T, rsA, csA int, b []T, ldb, m, n, k int, acc bool) {
	for r := range m {
		cr := c[r*ldc : r*ldc+n]
		if !acc {
			clear(cr)
		}
		for p := range k {
			ar := a[r*rsA+p*csA]
			br := b[p*ldb : p*ldb+n]
			for j, bj := range br {
				cr[j] += ar * bj
			}
		}
	}
}

func goMax[T Float](x []T) T {
	m := T(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	return m
}

func goScal[T Float](x []T, a T) {
	for j := range x {
		x[j] *= a
	}
}

func goAdd[T Float](x, b []T) {
	b = b[:len(x)]
	for j := range x {
		x[j] += b[j]
	}
}

func goDot[T Float](a, b []T) T {
	b = b[:len(a)]
	var s T
	for j, v := range a {
		s += v * b[j]
	}
	return s
}

func goDsub[T Float](ds, p, dp []T, d T) {
	p, dp = p[:len(ds)], dp[:len(ds)]
	for j := range ds {
		ds[j] = p[j] * (dp[j] - d)
	}
}
