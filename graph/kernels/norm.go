package kernels

import "math"

// Shapes: x, y, dy, dx are (n, c) row-major; g and b are (c).

// LayerNorm computes y = (x - mean) / sqrt(var + eps) * g + b per row, with
// the biased variance, as torch.nn.LayerNorm. Row statistics are accumulated
// in float64.
func LayerNorm[T Float](p *Pool, n, c int, x, g, b, y []T, eps float64) {
	p.For(n, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			mean, rstd := meanRstd(xr, eps)
			for j, v := range xr {
				yr[j] = T((float64(v)-mean)*rstd)*g[j] + b[j]
			}
		}
	})
}

func meanRstd[T Float](xr []T, eps float64) (mean, rstd float64) {
	var s float64
	for _, v := range xr {
		s += float64(v)
	}
	mean = s / float64(len(xr))
	var ss float64
	for _, v := range xr {
		d := float64(v) - mean
		ss += d * d
	}
	return mean, 1 / math.Sqrt(ss/float64(len(xr))+eps)
}

// LayerNormBackwardX writes dx for y = LayerNorm(x; g, b):
// dx = rstd * (dxh - mean(dxh) - xh * mean(dxh*xh)), with xh the normalised
// row and dxh = dy*g.
func LayerNormBackwardX[T Float](p *Pool, n, c int, x, g, dy, dx []T, eps float64) {
	p.For(n, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, dyr, dxr := x[r*c:(r+1)*c], dy[r*c:(r+1)*c], dx[r*c:(r+1)*c]
			mean, rstd := meanRstd(xr, eps)
			var sdxh, sdxhxh float64
			for j, v := range xr {
				xh := (float64(v) - mean) * rstd
				dxh := float64(dyr[j]) * float64(g[j])
				sdxh += dxh
				sdxhxh += dxh * xh
			}
			sdxh /= float64(c)
			sdxhxh /= float64(c)
			for j, v := range xr {
				xh := (float64(v) - mean) * rstd
				dxh := float64(dyr[j]) * float64(g[j])
				dxr[j] = T(rstd * (dxh - sdxh - xh*sdxhxh))
			}
		}
	})
}

// LayerNormBackwardG writes dg = sum over rows of dy * xh.
func LayerNormBackwardG[T Float](p *Pool, n, c int, x, dy, dg []T, eps float64) {
	stats := make([]float64, 2*n)
	p.For(n, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			stats[2*r], stats[2*r+1] = meanRstd(x[r*c:(r+1)*c], eps)
		}
	})
	columnSums(p, n, c, dg, func(r, j int) float64 {
		return float64(dy[r*c+j]) * (float64(x[r*c+j]) - stats[2*r]) * stats[2*r+1]
	})
}

// ColumnSums writes out[j] = sum over n rows of m[r*stride+j], j < c (the
// gradient of a bias; stride lets it read a column block of a wider matrix).
func ColumnSums[T Float](p *Pool, n, c, stride int, m, out []T) {
	columnSums(p, n, c, out, func(r, j int) float64 { return float64(m[r*stride+j]) })
}

// columnSums reduces f(r, j) over rows into out[j], splitting columns across
// workers so that no partial sums need merging.
func columnSums[T Float](p *Pool, n, c int, out []T, f func(r, j int) float64) {
	p.For(c, 32, func(lo, hi int) {
		acc := make([]float64, hi-lo)
		for r := 0; r < n; r++ {
			for j := lo; j < hi; j++ {
				acc[j-lo] += f(r, j)
			}
		}
		for j := lo; j < hi; j++ {
			out[j] = T(acc[j-lo])
		}
	})
}

// RMSNorm computes y = x / sqrt(mean(x^2) + eps) * g per row, as HF's
// LlamaRMSNorm (which also works in float32 for float32 weights).
func RMSNorm[T Float](p *Pool, n, c int, x, g, y []T, eps float64) {
	p.For(n, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, yr := x[r*c:(r+1)*c], y[r*c:(r+1)*c]
			rs := T(rmsScale(xr, eps))
			for j, v := range xr {
				yr[j] = g[j] * (v * rs)
			}
		}
	})
}

func rmsScale[T Float](xr []T, eps float64) float64 {
	var ss float64
	for _, v := range xr {
		ss += float64(v) * float64(v)
	}
	return 1 / math.Sqrt(ss/float64(len(xr))+eps)
}

// RMSNormBackwardX writes dx = r*dy*g - x * r^3 * mean(dy*g*x), r the row's
// inverse RMS.
func RMSNormBackwardX[T Float](p *Pool, n, c int, x, g, dy, dx []T, eps float64) {
	p.For(n, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			xr, dyr, dxr := x[r*c:(r+1)*c], dy[r*c:(r+1)*c], dx[r*c:(r+1)*c]
			rs := rmsScale(xr, eps)
			var dot float64
			for j, v := range xr {
				dot += float64(dyr[j]) * float64(g[j]) * float64(v)
			}
			k := rs * rs * rs * dot / float64(c)
			for j, v := range xr {
				dxr[j] = T(rs*float64(dyr[j])*float64(g[j]) - float64(v)*k)
			}
		}
	})
}

// RMSNormBackwardG writes dg = sum over rows of dy * x * r.
func RMSNormBackwardG[T Float](p *Pool, n, c int, x, dy, dg []T, eps float64) {
	rs := make([]float64, n)
	p.For(n, 16, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			rs[r] = rmsScale(x[r*c:(r+1)*c], eps)
		}
	})
	columnSums(p, n, c, dg, func(r, j int) float64 {
		return float64(dy[r*c+j]) * float64(x[r*c+j]) * rs[r]
	})
}
