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

// StripRows is the most rows Strip computes at once.
const StripRows = 6

// Strip computes rows r < m <= StripRows of a matrix product,
//
//	C[r·ldc+j] = alpha·Σ_{p<k} A[r·rsA+p·csA]·B[p·ldb+j]   for j < n,
//
// adding to C instead when acc is set. A is addressed through general
// strides (rsA = 1 reads Aᵀ); B and C rows are contiguous. n is a multiple of
// 8; strides and counts are in elements.
//
//go:noescape
func Strip(c *float32, ldc int, a *float32, rsA, csA int, b *float32, ldb, m, n, k int, alpha float32, acc bool)

// Strip512Rows is the most rows Strip512 computes at once.
const Strip512Rows = 8

// Strip512 is Strip for CPUs with AVX-512 F and VL, for up to Strip512Rows
// rows.
//
//go:noescape
func Strip512(c *float32, ldc int, a *float32, rsA, csA int, b *float32, ldb, m, n, k int, alpha float32, acc bool)

// Transpose sets dst[j·ldd+i] = src[i·lds+j] for i < rows, j < cols, both
// multiples of 8, in 8×8 blocks.
//
//go:noescape
func Transpose(dst *float32, ldd int, src *float32, lds, rows, cols int)

// The AVX-512 row loops below take n a multiple of 16 (Max512: n >= 16).

// ExpSub512 is ExpSub for AVX-512.
//
//go:noescape
func ExpSub512(x *float32, n int, m float32) float32

// Max512 is Max for AVX-512.
//
//go:noescape
func Max512(x *float32, n int) float32

// Scal512 is Scal for AVX-512.
//
//go:noescape
func Scal512(x *float32, n int, a float32)

// Add512 is Add for AVX-512.
//
//go:noescape
func Add512(x, b *float32, n int)

// DSub512 is DSub for AVX-512.
//
//go:noescape
func DSub512(ds, p, dp *float32, n int, d float32)

// StripPair512 computes C[r·ldc+d] = alpha·Σ_{p<2kp} A[r·lda+p]·B[p][d] for
// r < m <= Strip512Rows and d < 8, or adds it to C with acc, where B is given
// as interleaved pairs of rows: b2[q·16+2d+e] = B[2q+e][d]. It is Strip512
// for eight columns with all sixteen lanes busy.
//
//go:noescape
func StripPair512(c *float32, ldc int, a *float32, lda int, b2 *float32, m, kp int, alpha float32, acc bool)
