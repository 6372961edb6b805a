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
	// strip sets C[r·ldc+j] = alpha·Σ_{p<k} A[r·rsA+p·csA]·B[p·ldb+j] for
	// r < m <= mr and j < n, or adds it to C with acc. It is the one matrix
	// product of the schedule: rsA = 1, csA = ld reads a transposed A.
	strip func(c []T, ldc int, a []T, rsA, csA int, b []T, ldb, m, n, k int, alpha T, acc bool)
	mr    int // strip height
	// transpose sets dst[j·ldd+i] = src[i·lds+j] for i < rows, j < cols.
	transpose func(dst []T, ldd int, src []T, lds, rows, cols int)
	// pair8, if not nil, is strip for n = 8 columns and rsA = lda, csA = 1,
	// with B given as interleaved pairs of rows (see packPairs); it needs A
	// readable, and B zero, one row past an odd k.
	pair8  func(c []T, ldc int, a []T, lda int, b2 []T, m, k int, alpha T, acc bool)
	max    func(x []T) T            // largest element, -Inf for none
	expSub func(x []T, m T) T       // x[j] = e^(x[j]-m); returns Σ x[j]
	scal   func(x []T, a T)         // x[j] *= a
	add    func(x, b []T)           // x[j] += b[j]
	dot    func(a, b []T) T         // Σ a[j]·b[j], j < len(a)
	dsub   func(ds, p, dp []T, d T) // ds[j] = p[j]·(dp[j]-d), j < len(ds)
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
		strip:     goStrip[T],
		mr:        6,
		transpose: goTranspose[T],
		max:       goMax[T],
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

func goStrip[T Float](c []T, ldc int, a []T, rsA, csA int, b []T, ldb, m, n, k int, alpha T, acc bool) {
	var buf [64]T
	for r := range m {
		cr := c[r*ldc : r*ldc+n]
		for j0 := 0; j0 < n; j0 += len(buf) {
			s := buf[:min(len(buf), n-j0)]
			clear(s)
			for p := range k {
				ar := a[r*rsA+p*csA]
				br := b[p*ldb+j0 : p*ldb+j0+len(s)]
				for j, bj := range br {
					s[j] += ar * bj
				}
			}
			for j, v := range s {
				if acc {
					cr[j0+j] += alpha * v
				} else {
					cr[j0+j] = alpha * v
				}
			}
		}
	}
}

func goTranspose[T Float](dst []T, ldd int, src []T, lds, rows, cols int) {
	for i := range rows {
		for j, v := range src[i*lds : i*lds+cols] {
			dst[j*ldd+i] = v
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

// packPairs sets dst[(t/2)·16+2d+t%2] = src[t·8+d] for t < L, d < 8, and
// zeroes the second half of the last pair when L is odd: the layout of B for
// rowKernels.pair8.
func packPairs[T Float](dst, src []T, L int) {
	for t := range L {
		row := dst[(t/2)*16+t%2:]
		for d, v := range src[t*8 : t*8+8] {
			row[2*d] = v
		}
	}
	if L%2 == 1 {
		row := dst[(L/2)*16+1:]
		for d := range 8 {
			row[2*d] = 0
		}
	}
}
