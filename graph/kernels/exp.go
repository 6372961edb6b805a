package kernels

import "math"

// Range of Exp32. Below expLo the result would be under the smallest normal
// float32 (2^-126), so it is flushed to exactly zero, as with FTZ hardware;
// above expHi it overflows to +Inf. Both bounds are float32 values: expLo is
// the float32 just above ln(2^-126) = -87.3365447…, expHi the float32 just below
// ln(MaxFloat32) = 88.7228390….
const (
	expLo = -87.33654022216797
	expHi = 88.72283172607421875
)

// Exp32 returns e^x for float32 x with a relative error under 1e-7 (the
// result is the float64 value rounded once to float32). Exp32(x) is 0 for
// x < -87.3365 (results below the smallest normal float32 are flushed to
// zero), +Inf for x > 88.7228, and NaN for NaN.
//
// It evaluates in float64: r = x - n·ln2 with n = round(x/ln2), so |r| ≤ ln2/2,
// a degree-8 Taylor polynomial (truncation error < 3e-10) and a scaling by 2^n
// built from the exponent bits. The vectorised ExpSlice32 uses a float32
// evaluation instead and may differ from Exp32 in the last bit.
func Exp32(x float32) float32 {
	switch {
	case x != x:
		return x
	case x > expHi:
		return float32(math.Inf(1))
	case x < expLo:
		return 0
	}
	xd := float64(x)
	n := math.RoundToEven(xd * math.Log2E)
	r := xd - n*math.Ln2
	p := 1 + r*(1+r*(1./2+r*(1./6+r*(1./24+r*(1./120+r*(1./720+r*(1./5040+r*(1./40320))))))))
	return float32(p * math.Float64frombits(uint64(int64(n)+1023)<<52))
}

// ExpSlice32 sets dst[i] = Exp32(src[i]) (to within one unit in the last
// place) for i < len(src); dst must be at least as long as src and may be src
// itself. On amd64 with AVX2 and FMA it runs eight lanes at a time with a
// float32 Cephes-style polynomial (relative error under 2e-7).
func ExpSlice32(dst, src []float32) {
	n := len(src)
	if len(dst) < n {
		panic("kernels: ExpSlice32: dst shorter than src")
	}
	n8 := 0
	if haveVecExp {
		n8 = n &^ 7
		if n8 > 0 {
			expVec32(&dst[0], &src[0], n8)
		}
	}
	for i := n8; i < n; i++ {
		dst[i] = Exp32(src[i])
	}
}
