package graph

import (
	"math"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// The associative memory's ops (docs/armt.md). Shape legend:
//
//	B batch rows, L positions per row, M memory rows, C model width,
//	d = d_mem the key width before features, K = 6d the feature width,
//	W = K*C + K one layer's state per row: A (K, C) then z (K).

// armtEps is ε of the read, the write and the correction, as the authors'.
const armtEps = 1e-5

// dpfpNu is ν of the DPFP features; the feature width is 2ν·d.
const dpfpNu = 3

// dpfp writes φ(x) (2ν·d values) for one row x (d values):
// x' = [relu(x), relu(-x)], φ[(j-1)·2d + i] = x'_i · x'_{(i-j) mod 2d}, j = 1..ν.
func dpfp[T kernels.Float](x, phi, xp []T) {
	dpfpPrime(x, xp)
	n := 2 * len(x)
	for j := 1; j <= dpfpNu; j++ {
		out := phi[(j-1)*n : j*n]
		for i := range n {
			out[i] = xp[i] * xp[(i-j+n)%n]
		}
	}
}

// dpfpPrime writes x' = [relu(x), relu(-x)] into xp.
func dpfpPrime[T kernels.Float](x, xp []T) {
	d := len(x)
	for i, v := range x {
		xp[i], xp[d+i] = max(v, 0), max(-v, 0)
	}
}

// dpfpBackward writes dx for one row from x, dφ and x' (dpfp's scratch).
func dpfpBackward[T kernels.Float](x, dphi, xp, dxp, dx []T) {
	d, n := len(x), 2*len(x)
	clear(dxp[:n])
	for j := 1; j <= dpfpNu; j++ {
		g := dphi[(j-1)*n : j*n]
		for i := range n {
			r := (i - j + n) % n
			dxp[i] += g[i] * xp[r]
			dxp[r] += g[i] * xp[i]
		}
	}
	for i, v := range x {
		switch {
		case v > 0:
			dx[i] = dxp[i]
		case v < 0:
			dx[i] = -dxp[d+i]
		default:
			dx[i] = 0
		}
	}
}

// dpfpOp is φ row by row: x (n, d) -> (n, 2ν·d), each row L2-normalised
// after DPFP when normalize is set (armt_features.go).
type dpfpOp struct {
	opBase
	n, d      int
	normalize bool
}

func newDPFPOp(dt tensor.Dtype, n, d int) *dpfpOp {
	return &dpfpOp{opBase: newBase("DPFP", dt, tensor.Shape{n, 2 * dpfpNu * d}, tt(dt, 2)), n: n, d: d}
}

func (o *dpfpOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return dpfpDo[float32](o, vals) }, func() (G.Value, error) { return dpfpDo[float64](o, vals) })
}

func dpfpDo[T kernels.Float](o *dpfpOp, vals []G.Value) (G.Value, error) {
	out := o.newOut()
	x, y, K := floats[T](vals[0]), out.Data().([]T), 2*dpfpNu*o.d
	xp := scratch[T](&o.opBase, 2*o.d)
	for r := range o.n {
		dpfp(x[r*o.d:(r+1)*o.d], y[r*K:(r+1)*K], xp)
		if o.normalize {
			l2Normalize(y[r*K : (r+1)*K])
		}
	}
	return out, nil
}

func (o *dpfpOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *dpfpOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	op := &dpfpGradOp{opBase: newBase("DPFPGrad", o.dt, in[0].Shape(), tt(o.dt, 2), tt(o.dt, 2)), f: o}
	return G.Nodes{apply(op, in[0], grad)}, nil
}

// dpfpGradOp is dx from (x, dφ).
type dpfpGradOp struct {
	opBase
	f *dpfpOp
}

func (o *dpfpGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return dpfpGradDo[float32](o, vals) }, func() (G.Value, error) { return dpfpGradDo[float64](o, vals) })
}

func dpfpGradDo[T kernels.Float](o *dpfpGradOp, vals []G.Value) (G.Value, error) {
	out := o.newOut()
	x, dy, dx := floats[T](vals[0]), floats[T](vals[1]), out.Data().([]T)
	d, K := o.f.d, 2*dpfpNu*o.f.d
	s := scratch[T](&o.opBase, 4*d+2*K)
	xp, dxp, phi, dphi := s[:2*d], s[2*d:4*d], s[4*d:4*d+K], s[4*d+K:]
	for r := range o.f.n {
		xr, g := x[r*d:(r+1)*d], dy[r*K:(r+1)*K]
		if o.f.normalize {
			dpfp(xr, phi, xp)
			l2NormalizeBackward(phi, g, dphi)
			g = dphi
		}
		dpfpPrime(xr, xp)
		dpfpBackward(xr, g, xp, dxp, dx[r*d:(r+1)*d])
	}
	return out, nil
}

// armtReadOp is a layer's associative read, before the layer, on every
// row: h + (φ A) / (φ·z + ε), with φ = φ(h W_mqᵀ) given as an input.
// Inputs: h (B*L, C), φ (B*L, K), state (B, W). At segment 1 the state is
// zero and the read adds exactly zero.
type armtReadOp struct {
	opBase
	b, l, c, k int
}

func newARMTReadOp(dt tensor.Dtype, b, l, c, k int) *armtReadOp {
	return &armtReadOp{opBase: newBase("ARMTRead", dt, tensor.Shape{b * l, c}, tt(dt, 2), tt(dt, 2), tt(dt, 2)), b: b, l: l, c: c, k: k}
}

func (o *armtReadOp) width() int { return o.k*o.c + o.k }

func (o *armtReadOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return armtReadDo[float32](o, vals) }, func() (G.Value, error) { return armtReadDo[float64](o, vals) })
}

// readRow computes, for batch row b, num = φ A (L, C) into num and
// den = φ·z + ε (L) into den.
func readRow[T kernels.Float](o *armtReadOp, phi, st []T, b int, num, den []T) {
	kp := o.kpool()
	L, C, K, W := o.l, o.c, o.k, o.width()
	f := phi[b*L*K : (b+1)*L*K]
	A, z := st[b*W:b*W+K*C], st[b*W+K*C:(b+1)*W]
	kernels.Gemm(kp, false, false, L, C, K, 1, f, K, A, C, 0, num, C)
	for t := range L {
		den[t] = T(dot(f[t*K:(t+1)*K], z)) + armtEps
	}
}

func armtReadDo[T kernels.Float](o *armtReadOp, vals []G.Value) (G.Value, error) {
	out := o.newOut()
	h, phi, st, y := floats[T](vals[0]), floats[T](vals[1]), floats[T](vals[2]), out.Data().([]T)
	L, C := o.l, o.c
	s := scratch[T](&o.opBase, L*C+L)
	num, den := s[:L*C], s[L*C:]
	for b := range o.b {
		readRow(o, phi, st, b, num, den)
		for t := range L {
			off := (b*L + t) * C
			for j := range C {
				y[off+j] = h[off+j] + num[t*C+j]/den[t]
			}
		}
	}
	return out, nil
}

func (o *armtReadOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *armtReadOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := G.Nodes{grad, nil, nil}
	for which := 1; which <= 2; which++ {
		op := &armtReadGradOp{opBase: newBase("ARMTReadGrad", o.dt, in[which].Shape(), tt(o.dt, 2), tt(o.dt, 2), tt(o.dt, 2)), r: o, which: which}
		res[which] = apply(op, in[1], in[2], grad)
	}
	return res, nil
}

// armtReadGradOp computes from (φ, state, dy) dφ (which 1) or dstate
// (which 2). With r = num/den:
//
//	dnum = dy/den, dden = -Σ_c dy⊙r / den,
//	dA = φᵀ dnum, dz = φᵀ dden, dφ = dnum Aᵀ + dden zᵀ.
type armtReadGradOp struct {
	opBase
	r     *armtReadOp
	which int
}

func (o *armtReadGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return armtReadGradDo[float32](o, vals) }, func() (G.Value, error) { return armtReadGradDo[float64](o, vals) })
}

func armtReadGradDo[T kernels.Float](o *armtReadGradOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	r := o.r
	phi, st, dy, d := floats[T](vals[0]), floats[T](vals[1]), floats[T](vals[2]), out.Data().([]T)
	L, C, K, W := r.l, r.c, r.k, r.width()
	s := scratch[T](&o.opBase, 2*L*C+2*L)
	num, den, dnum, dden := s[:L*C], s[L*C:L*C+L], s[L*C+L:2*L*C+L], s[2*L*C+L:]
	for b := range r.b {
		readRow(r, phi, st, b, num, den)
		for t := range L {
			var acc float64
			for j := range C {
				g := dy[(b*L+t)*C+j]
				dnum[t*C+j] = g / den[t]
				acc += float64(g) * float64(num[t*C+j])
			}
			dden[t] = T(-acc / (float64(den[t]) * float64(den[t])))
		}
		f := phi[b*L*K : (b+1)*L*K]
		A, z := st[b*W:b*W+K*C], st[b*W+K*C:(b+1)*W]
		if o.which == 1 {
			df := d[b*L*K : (b+1)*L*K]
			kernels.Gemm(kp, false, true, L, K, C, 1, dnum, C, A, C, 0, df, K)
			for t := range L {
				for a := range K {
					df[t*K+a] += dden[t] * z[a]
				}
			}
			continue
		}
		dA, dz := d[b*W:b*W+K*C], d[b*W+K*C:(b+1)*W]
		kernels.Gemm(kp, true, false, K, C, L, 1, f, K, dnum, C, 0, dA, C)
		clear(dz)
		for t := range L {
			for a := range K {
				dz[a] += f[t*K+a] * dden[t]
			}
		}
	}
	return out, nil
}

// armtWriteOp is a layer's delta-rule write from its output at the M
// memory rows. Inputs, per memory row i of batch row b: k = φ(m W_mkᵀ)
// (B*M, K), v = m W_mvᵀ (B*M, C), the gate's logit m W_mbᵀ + b_mb (B*M, 1),
// and the state (B, W). Output: the new state (B, W),
//
//	β = σ(logit), den = k·z + ε, v̄ = (k A)/den,
//	γ = clip(1 - den/(‖k‖² + ε), 0, 1)   (no ε with normalized keys),
//	A' = A + Σ_i β_i k_iᵀ (v_i - v̄_i),   z' = z + Σ_i γ_i k_i.
//
// A row whose z is all zero has never been written (segment 1): v̄ = 0 and
// γ = 1 there. γ is a constant to the gradient, as in the authors' code.
type armtWriteOp struct {
	opBase
	b, m, c, k int
	// gammas, when set, records every γ the op computes (frozen false) or
	// replays them in order, cyclically (frozen true): finite-difference
	// checks hold γ at its forward value, as the gradient does.
	gammas *gammaTape
	// normalized: the keys are L2-normalised features, and γ's ‖k‖² takes
	// no ε (the authors' current code).
	normalized bool
}

// gammaTape records and replays the γ of every write, in run order.
type gammaTape struct {
	frozen bool
	vals   [][]float64
	pos    int
}

func newARMTWriteOp(dt tensor.Dtype, b, m, c, k int) *armtWriteOp {
	return &armtWriteOp{opBase: newBase("ARMTWrite", dt, tensor.Shape{b, k*c + k}, tt(dt, 2), tt(dt, 2), tt(dt, 2), tt(dt, 2)), b: b, m: m, c: c, k: k}
}

func (o *armtWriteOp) width() int { return o.k*o.c + o.k }

// fresh reports whether z (the state's z of one row) has never been written.
func fresh[T kernels.Float](z []T) bool {
	for _, v := range z {
		if v != 0 {
			return false
		}
	}
	return true
}

func sigmoidT[T kernels.Float](x T) T { return T(1 / (1 + math.Exp(-float64(x)))) }

// writeTerms computes, for batch row b, β (M), den (M), v̄ (M, C) and γ (M)
// (v̄ and den unused on a fresh row), and reports whether the row is fresh.
// The forward passes the op's γ tape, the backward nil.
func writeTerms[T kernels.Float](o *armtWriteOp, tape *gammaTape, k, logit, st []T, b int, beta, den, vbar, gamma []T) bool {
	kp := o.kpool()
	M, C, K, W := o.m, o.c, o.k, o.width()
	A, z := st[b*W:b*W+K*C], st[b*W+K*C:(b+1)*W]
	kb := k[b*M*K : (b+1)*M*K]
	isFresh := fresh(z)
	for i := range M {
		beta[i] = sigmoidT(logit[b*M+i])
	}
	if !isFresh {
		kernels.Gemm(kp, false, false, M, C, K, 1, kb, K, A, C, 0, vbar, C)
	}
	for i := range M {
		ki := kb[i*K : (i+1)*K]
		if isFresh {
			gamma[i] = 1
			continue
		}
		den[i] = T(dot(ki, z)) + armtEps
		for j := range C {
			vbar[i*C+j] /= den[i]
		}
		g := 1 - float64(den[i])/(dot(ki, ki)+o.gammaEps())
		gamma[i] = T(min(max(g, 0), 1))
	}
	if t := tape; t != nil {
		if t.frozen {
			for i, v := range t.vals[t.pos%len(t.vals)] {
				gamma[i] = T(v)
			}
		} else {
			rec := make([]float64, M)
			for i, v := range gamma[:M] {
				rec[i] = float64(v)
			}
			t.vals = append(t.vals, rec)
		}
		t.pos++
	}
	return isFresh
}

func (o *armtWriteOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return armtWriteDo[float32](o, vals) }, func() (G.Value, error) { return armtWriteDo[float64](o, vals) })
}

func armtWriteDo[T kernels.Float](o *armtWriteOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	k, v, logit, st, y := floats[T](vals[0]), floats[T](vals[1]), floats[T](vals[2]), floats[T](vals[3]), out.Data().([]T)
	M, C, K, W := o.m, o.c, o.k, o.width()
	s := scratch[T](&o.opBase, 2*M*C+3*M)
	vbar, diff, beta, den, gamma := s[:M*C], s[M*C:2*M*C], s[2*M*C:2*M*C+M], s[2*M*C+M:2*M*C+2*M], s[2*M*C+2*M:]
	copy(y, st)
	for b := range o.b {
		isFresh := writeTerms(o, o.gammas, k, logit, st, b, beta, den, vbar, gamma)
		kb := k[b*M*K : (b+1)*M*K]
		for i := range M {
			for j := range C {
				dv := v[(b*M+i)*C+j]
				if !isFresh {
					dv -= vbar[i*C+j]
				}
				diff[i*C+j] = beta[i] * dv
			}
		}
		// A' = A + kᵀ (β ⊙ (v - v̄)), z' = z + kᵀ γ
		kernels.Gemm(kp, true, false, K, C, M, 1, kb, K, diff, C, 1, y[b*W:b*W+K*C], C)
		z := y[b*W+K*C : (b+1)*W]
		for i := range M {
			for a := range K {
				z[a] += gamma[i] * kb[i*K+a]
			}
		}
	}
	return out, nil
}

func (o *armtWriteOp) DiffWRT(n int) []bool { return allTrue(n) }

func (o *armtWriteOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, 4)
	for which := range 4 {
		op := &armtWriteGradOp{opBase: newBase("ARMTWriteGrad", o.dt, in[which].Shape(), tt(o.dt, 2), tt(o.dt, 2), tt(o.dt, 2), tt(o.dt, 2), tt(o.dt, 2)), w: o, which: which}
		res[which] = apply(op, in[0], in[1], in[2], in[3], grad)
	}
	return res, nil
}

// armtWriteGradOp computes one input gradient of armtWriteOp from
// (k, v, logit, state, dy), dy = (dA', dz') per row; which 0 dk, 1 dv,
// 2 dlogit, 3 dstate. With D = v - v̄, P = k dA' (M, C):
//
//	dβ_i = P_i·D_i,  dv_i = β_i P_i,  dv̄_i = -β_i P_i,
//	dk_i = β_i dA' D_i + γ_i dz' + A dv̄_i/den_i - (dv̄_i·v̄_i/den_i) z,
//	dA = dA' + Σ_i k_iᵀ dv̄_i/den_i,  dz = dz' - Σ_i (dv̄_i·v̄_i/den_i) k_i.
//
// The v̄ terms vanish on a fresh row.
type armtWriteGradOp struct {
	opBase
	w     *armtWriteOp
	which int
}

func (o *armtWriteGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return armtWriteGradDo[float32](o, vals) }, func() (G.Value, error) { return armtWriteGradDo[float64](o, vals) })
}

func armtWriteGradDo[T kernels.Float](o *armtWriteGradOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	w := o.w
	k, v, logit, st, dy, d := floats[T](vals[0]), floats[T](vals[1]), floats[T](vals[2]), floats[T](vals[3]), floats[T](vals[4]), out.Data().([]T)
	M, C, K, W := w.m, w.c, w.k, w.width()
	s := scratch[T](&o.opBase, 3*M*C+4*M)
	vbar, P, dnum := s[:M*C], s[M*C:2*M*C], s[2*M*C:3*M*C]
	beta, den, gamma, dden := s[3*M*C:3*M*C+M], s[3*M*C+M:3*M*C+2*M], s[3*M*C+2*M:3*M*C+3*M], s[3*M*C+3*M:]
	for b := range w.b {
		isFresh := writeTerms(w, nil, k, logit, st, b, beta, den, vbar, gamma)
		kb := k[b*M*K : (b+1)*M*K]
		A, z := st[b*W:b*W+K*C], st[b*W+K*C:(b+1)*W]
		dA1, dz1 := dy[b*W:b*W+K*C], dy[b*W+K*C:(b+1)*W]
		kernels.Gemm(kp, false, false, M, C, K, 1, kb, K, dA1, C, 0, P, C)
		D := func(i, j int) T {
			x := v[(b*M+i)*C+j]
			if !isFresh {
				x -= vbar[i*C+j]
			}
			return x
		}
		// dnum_i = dv̄_i/den_i = -β_i P_i/den_i; dden_i = -dv̄_i·v̄_i/den_i.
		if !isFresh {
			for i := range M {
				var acc float64
				for j := range C {
					dvb := -beta[i] * P[i*C+j]
					dnum[i*C+j] = dvb / den[i]
					acc += float64(dvb) * float64(vbar[i*C+j])
				}
				dden[i] = T(-acc / float64(den[i]))
			}
		}
		switch o.which {
		case 0: // dk
			dk := d[b*M*K : (b+1)*M*K]
			for i := range M {
				for j := range C {
					P[i*C+j] = beta[i] * D(i, j) // reuse P as β ⊙ D
				}
			}
			kernels.Gemm(kp, false, true, M, K, C, 1, P, C, dA1, C, 0, dk, K)
			if !isFresh {
				kernels.Gemm(kp, false, true, M, K, C, 1, dnum, C, A, C, 1, dk, K)
			}
			for i := range M {
				for a := range K {
					dk[i*K+a] += gamma[i] * dz1[a]
					if !isFresh {
						dk[i*K+a] += dden[i] * z[a]
					}
				}
			}
		case 1: // dv
			for i := range M {
				for j := range C {
					d[(b*M+i)*C+j] = beta[i] * P[i*C+j]
				}
			}
		case 2: // dlogit
			for i := range M {
				var acc float64
				for j := range C {
					acc += float64(P[i*C+j]) * float64(D(i, j))
				}
				d[b*M+i] = T(acc) * beta[i] * (1 - beta[i])
			}
		case 3: // dstate
			dA, dz := d[b*W:b*W+K*C], d[b*W+K*C:(b+1)*W]
			copy(dA, dA1)
			copy(dz, dz1)
			if isFresh {
				continue
			}
			kernels.Gemm(kp, true, false, K, C, M, 1, kb, K, dnum, C, 1, dA, C)
			for i := range M {
				for a := range K {
					dz[a] += dden[i] * kb[i*K+a]
				}
			}
		}
	}
	return out, nil
}

var _ hm.Type = tensor.Float64
