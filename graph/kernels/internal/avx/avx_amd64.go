//go:build !purego

package avx

// Each function takes raw pointers to float32 data; n counts elements and is
// a multiple of 8 (Max needs n >= 8). Callers check bounds and the CPU
// (AVX2 and FMA) before calling.

// Exp sets dst[i] = e^src[i] for i < n, with a relative error under 2e-7;
// e^x is 0 for x < -87.3365 (below the smallest normal float32), +Inf for
// x > 88.7228, NaN for NaN.
//
//go:noescape
func Exp(dst, src *float32, n int)

// ExpSub sets x[i] = e^(x[i]-m) for i < n, as Exp does, and returns their sum.
//
//go:noescape
func ExpSub(x *float32, n int, m float32) float32

// Max returns the largest of x[0:n].
//
//go:noescape
func Max(x *float32, n int) float32

// Scal sets x[i] *= a for i < n.
//
//go:noescape
func Scal(x *float32, n int, a float32)

// Add sets x[i] += b[i] for i < n.
//
//go:noescape
func Add(x, b *float32, n int)

// Dot returns Σ a[i]·b[i] for i < n.
//
//go:noescape
func Dot(a, b *float32, n int) float32

// DSub sets ds[i] = p[i]·(dp[i]-d) for i < n.
//
//go:noescape
func DSub(ds, p, dp *float32, n int, d float32)

// GemvT sets y[j] = Σ_{k<dh} a[k]·x[k·ld+j] for j < n: y = Xᵀa for X (dh, n)
// with row stride ld.
//
//go:noescape
func GemvT(y, a, x *float32, ld, dh, n int)

// GemvN sets y[k] = Σ_{j<n} a[j]·x[k·ld+j] for k < dh: y = X·a for X (dh, n)
// with row stride ld.
//
//go:noescape
func GemvN(y, a, x *float32, ld, dh, n int)

// Ger adds a rank-one update, x[k·ld+j] += a[k]·b[j] for k < dh, j < n.
//
//go:noescape
func Ger(x, a, b *float32, ld, dh, n int)
