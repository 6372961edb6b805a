package kernels

import "math"

// geluC is sqrt(2/pi), the constant of GPT-2's tanh approximation (gelu_new).
const geluC = 0.7978845608028654

// GELU computes gelu_new: 0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3))).
func GELU[T Float](p *Pool, x, y []T) {
	if x32, ok := any(x).([]float32); ok {
		gelu32(p, x32, any(y).([]float32), nil, nil)
		return
	}
	p.For(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x[i])
			y[i] = T(0.5 * v * (1 + math.Tanh(geluC*(v+0.044715*v*v*v))))
		}
	})
}

// GELUBackward writes dx = dy * gelu'(x).
func GELUBackward[T Float](p *Pool, x, dy, dx []T) {
	if x32, ok := any(x).([]float32); ok {
		gelu32(p, x32, nil, any(dy).([]float32), any(dx).([]float32))
		return
	}
	p.For(len(x), 4096, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x[i])
			th := math.Tanh(geluC * (v + 0.044715*v*v*v))
			d := 0.5*(1+th) + 0.5*v*(1-th*th)*geluC*(1+3*0.044715*v*v)
			dx[i] = T(float64(dy[i]) * d)
		}
	})
}

// SwiGLU computes y = silu(gate) * up for each of n rows, where row r of gu
// is [gate (f) | up (f)] (the fused output of gate_proj and up_proj).
func SwiGLU[T Float](p *Pool, n, f int, gu, y []T) {
	if g32, ok := any(gu).([]float32); ok {
		swiglu32(p, n, f, g32, any(y).([]float32), nil, nil)
		return
	}
	p.For(n, 8, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			g, u, yr := gu[2*r*f:2*r*f+f], gu[2*r*f+f:2*(r+1)*f], y[r*f:(r+1)*f]
			for j := range yr {
				yr[j] = silu(g[j]) * u[j]
			}
		}
	})
}

// SwiGLUBackward writes dgu = [dy*up*silu'(gate) | dy*silu(gate)].
func SwiGLUBackward[T Float](p *Pool, n, f int, gu, dy, dgu []T) {
	if g32, ok := any(gu).([]float32); ok {
		swiglu32(p, n, f, g32, nil, any(dy).([]float32), any(dgu).([]float32))
		return
	}
	p.For(n, 8, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			g, u, dyr := gu[2*r*f:2*r*f+f], gu[2*r*f+f:2*(r+1)*f], dy[r*f:(r+1)*f]
			dg, du := dgu[2*r*f:2*r*f+f], dgu[2*r*f+f:2*(r+1)*f]
			for j := range dyr {
				s := sigmoid(g[j])
				du[j] = dyr[j] * g[j] * s
				dg[j] = dyr[j] * u[j] * s * (1 + g[j]*(1-s))
			}
		}
	})
}

func sigmoid[T Float](x T) T {
	return T(1 / (1 + math.Exp(-float64(x))))
}

func silu[T Float](x T) T { return x * sigmoid(x) }

// swiglu32 is the float32 SwiGLU, forward (y != nil) or backward, with the
// sigmoids of a row computed by the vectorised exp.
func swiglu32(p *Pool, n, f int, gu, y, dy, dgu []float32) {
	p.For(n, 8, func(lo, hi int) {
		sig := make([]float32, f)
		for r := lo; r < hi; r++ {
			g, u := gu[2*r*f:2*r*f+f], gu[2*r*f+f:2*(r+1)*f]
			for j, v := range g {
				sig[j] = -v
			}
			ExpSlice32(sig, sig)
			for j := range sig {
				sig[j] = 1 / (1 + sig[j])
			}
			if y != nil {
				yr := y[r*f : (r+1)*f]
				for j, s := range sig {
					yr[j] = g[j] * s * u[j]
				}
				continue
			}
			dyr := dy[r*f : (r+1)*f]
			dg, du := dgu[2*r*f:2*r*f+f], dgu[2*r*f+f:2*(r+1)*f]
			for j, s := range sig {
				du[j] = dyr[j] * g[j] * s
				dg[j] = dyr[j] * u[j] * s * (1 + g[j]*(1-s))
			}
		}
	})
}

// gelu32 is the float32 GELU, forward (y != nil) or backward, with
// tanh(u) = 1 - 2/(exp(2u)+1) on the vectorised exp: math.Tanh in float64
// was a large share of a GPT-2 step. exp overflowing to +Inf or flushing to
// 0 gives tanh's limits exactly.
func gelu32(p *Pool, x, y, dy, dx []float32) {
	const chunk = 1024
	p.For((len(x)+chunk-1)/chunk, 4, func(lo, hi int) {
		th := make([]float32, chunk)
		for c := lo; c < hi; c++ {
			xs := x[c*chunk : min((c+1)*chunk, len(x))]
			t := th[:len(xs)]
			for i, v := range xs {
				t[i] = 2 * geluC * (v + 0.044715*v*v*v)
			}
			ExpSlice32(t, t)
			for i := range t {
				t[i] = 1 - 2/(t[i]+1)
			}
			if y != nil {
				ys := y[c*chunk:]
				for i, v := range xs {
					ys[i] = 0.5 * v * (1 + t[i])
				}
				continue
			}
			dys, dxs := dy[c*chunk:], dx[c*chunk:]
			for i, v := range xs {
				d := 0.5*(1+t[i]) + 0.5*v*(1-t[i]*t[i])*geluC*(1+3*0.044715*v*v)
				dxs[i] = dys[i] * d
			}
		}
	})
}
