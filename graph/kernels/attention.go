package kernels

import (
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// Causal multi-head self-attention with rotary embeddings, grouped-query
// heads and a key-padding mask, forward and backward.
//
// Legend: B batch rows, L sequence length, H query heads, KVH key/value heads,
// Dh head width, W = (H+2·KVH)·Dh, G = H/KVH query heads per key/value head.
//
//	qkv:  (B·L, W)    row b·L+t = [q heads 0..H-1 | k heads 0..KVH-1 | v heads 0..KVH-1]
//	out:  (B·L, H·Dh) row b·L+t = [head 0 | head 1 | …]
//	P:    (L, L) per (b, h), kept in the cache for the backward pass
//
// For query t of head h in batch row b, with q, k rotated by their positions:
//
//	s[t'] = scale·q_t·k_t'  for visible keys: t' <= t and keyMask[b·L+t'] != 0
//	P[t]  = softmax(s) over the visible keys (all zero if none is visible)
//	out_t = Σ_t' P[t][t']·v_t'
//
// and backward, with dO the gradient of out:
//
//	dP[t][t'] = dO_t·v_t'
//	dS[t][t'] = P[t][t']·(dP[t][t'] - Σ_u P[t][u]·dP[t][u])
//	dq_t  = scale·Σ_t' dS[t][t']·k_t'     dk_t' = scale·Σ_t dS[t][t']·q_t
//	dv_t' = Σ_t P[t][t']·dO_t
//
// followed by the transposed rotation for dq and dk, and a sum over the G
// query heads that share a key/value head for dk and dv.
//
// Two schedules compute the same thing. Small heads (Dh < attnGemmMinDh, as
// in stories260K with Dh=8) go row by row with vector loops over keys: q·Kᵀ is
// a sum of Dh axpys over K kept transposed as (Dh, L), P·V is Dh dot products.
// Wide heads (GPT-2, Dh=64) go through Gemm on blocks of attnBlock query rows,
// skipping the blocks above the diagonal. Work is spread over (b, h) in the
// forward pass and over (b, key/value head) in the backward pass, so that the
// dk and dv sums over a group stay in one goroutine.

// AttnDims is the shape of an attention call: B batch rows, L sequence
// length, H query heads, KVH key/value heads (H % KVH == 0; query head h uses
// key/value head h/(H/KVH)) and Dh the head width (even when rope is used).
type AttnDims struct{ B, L, H, KVH, Dh int }

// Rope holds rotate-half tables for positions 0..MaxLen-1:
// Cos[t·Half+i], Sin[t·Half+i] = cos, sin of t·θ^(-2i/Dh) for i < Half = Dh/2.
type Rope[T Float] struct {
	Cos, Sin     []T
	MaxLen, Half int
}

// NewRope returns the rotary tables for maxLen positions and head width dh.
//
// For float64 the angles are computed in float64. For float32 they follow
// HuggingFace's LlamaRotaryEmbedding step by step in float32, so that the
// tables match PyTorch's:
//
//	inv_freq[i] = 1 / θ^(float32(2i)/float32(dh))   (θ cast to float32, each op rounded to float32)
//	angle       = float32(t)·inv_freq[i]            (rounded to float32)
//	cos, sin    = cos(angle), sin(angle)            (rounded to float32)
//
// The elementary functions (pow, cos, sin) are evaluated in float64 and
// rounded once, that is correctly rounded in practice; PyTorch's vectorised
// float32 versions are accurate to 1 ulp, so an entry can rarely differ in
// the last bit.
func NewRope[T Float](maxLen, dh int, theta float64) *Rope[T] {
	if dh <= 0 || dh%2 != 0 || maxLen < 0 {
		panic(fmt.Sprintf("kernels: NewRope: maxLen %d, dh %d: want maxLen >= 0 and an even dh > 0", maxLen, dh))
	}
	half := dh / 2
	r := &Rope[T]{Cos: make([]T, maxLen*half), Sin: make([]T, maxLen*half), MaxLen: maxLen, Half: half}
	f32 := unsafe.Sizeof(T(0)) == 4
	for i := range half {
		inv64 := math.Pow(theta, -float64(2*i)/float64(dh))
		inv32 := float32(1) / float32(math.Pow(float64(float32(theta)), float64(float32(2*i)/float32(dh))))
		for t := range maxLen {
			a := float64(t) * inv64
			if f32 {
				a = float64(float32(t) * inv32)
			}
			r.Cos[t*half+i] = T(math.Cos(a))
			r.Sin[t*half+i] = T(math.Sin(a))
		}
	}
	return r
}

// attnGemmMinDh is the head width from which attention uses Gemm on blocks
// instead of the row-by-row vector loops; attnBlock is the block height.
var (
	attnGemmMinDh = 32
	attnBlock     = 64
)

// AttnCache keeps what AttentionBackward needs from AttentionForward of the
// same inputs: the rotated and scaled queries, the keys and values in the
// layout the kernels read, and the softmax probabilities P. Its buffers are
// reused across calls and only grow; the zero value is ready to use. One
// cache serves one forward/backward pair at a time.
type AttnCache[T Float] struct {
	d    AttnDims
	gemm bool // the Gemm schedule filled the cache
	rope bool // q and k were rotated (gemm schedule packs them only then)
	lp   int  // row stride of p (row schedule: also of the transposed k and v)

	q    []T // (B·H, L, Dh): scale·rope(q); gemm schedule: only with rope
	k, v []T // row schedule: (B·KVH, Dh, lp), transposed, zero-padded; gemm: k only with rope, (B·KVH, L, Dh)
	p    []T // (B·H, L, lp): row t holds P[t], zero up to where the kernels read
	bias []T // (B, lp): 0 for visible keys, -Inf for masked ones; empty without keyMask

	dk, dv  []T // backward sums over a group: layout as the row schedule's k (row) or (B·KVH, L, Dh) (gemm)
	scratch []T // slots·slotLen, one slot per concurrently running worker
	slotLen int
	slots   int
	next    atomic.Int32

	// Arguments of the running call, for the worker functions below; bound
	// once as method values so that a warm call does not allocate.
	ks                   *rowKernels[T]
	qkv, out, dout, dqkv []T
	scale                T
	ropeT                *Rope[T]
	masked               bool

	packFn, fwdFn, bwdFn func(lo, hi int)
}

// AttentionForward writes out = softmax(scale·q·kᵀ, causal, keyMask)·v for
// every batch row and query head (shapes and formulas above). rope may be nil
// (GPT-2); otherwise q and k are rotated by position (rotate-half) before the
// scores. keyMask, if not nil, has length B·L, and key t' of batch row b is
// visible only where keyMask[b·L+t'] != 0. A query with no visible key gives
// zeros. The cache is filled for AttentionBackward.
func AttentionForward[T Float](d AttnDims, qkv, out []T, scale T, rope *Rope[T], keyMask []T, cache *AttnCache[T]) {
	checkAttn("AttentionForward", d, qkv, out, "out", d.H*d.Dh, rope, keyMask)
	c := cache
	c.begin(d, qkv, scale, rope, keyMask)
	c.out = out
	if c.gemm && rope == nil {
		// Nothing to pack: Gemm reads q, k and v in place.
	} else {
		ParallelFor(d.B*d.KVH, 1, c.packFn)
	}
	c.next.Store(0)
	ParallelFor(d.B*d.H, 1, c.fwdFn)
	c.end()
}

// AttentionBackward overwrites dqkv (same shape as qkv) with the gradient of
// Σ out·dout with respect to qkv, given the qkv, scale, rope and keyMask of
// the AttentionForward call that filled cache.
func AttentionBackward[T Float](d AttnDims, qkv, dout, dqkv []T, scale T, rope *Rope[T], keyMask []T, cache *AttnCache[T]) {
	checkAttn("AttentionBackward", d, qkv, dout, "dout", d.H*d.Dh, rope, keyMask)
	if len(dqkv) != len(qkv) {
		panic(fmt.Sprintf("kernels: AttentionBackward: len(dqkv) = %d, want %d", len(dqkv), len(qkv)))
	}
	c := cache
	if c.d != d || c.rope != (rope != nil) || (len(c.bias) > 0) != (keyMask != nil) || c.gemm != (d.Dh >= attnGemmMinDh) {
		panic(fmt.Sprintf("kernels: AttentionBackward: cache holds a forward pass of %+v (rope %v, mask %v), want %+v (rope %v, mask %v)",
			c.d, c.rope, len(c.bias) > 0, d, rope != nil, keyMask != nil))
	}
	c.ks = kernelsFor(qkv)
	c.qkv, c.dout, c.dqkv, c.scale, c.ropeT = qkv, dout, dqkv, scale, rope
	c.next.Store(0)
	ParallelFor(d.B*d.KVH, 1, c.bwdFn)
	c.end()
}

func checkAttn[T Float](fn string, d AttnDims, qkv, o []T, oName string, oWidth int, rope *Rope[T], keyMask []T) {
	switch {
	case d.B < 1 || d.L < 1 || d.H < 1 || d.KVH < 1 || d.Dh < 1 || d.H%d.KVH != 0:
		panic(fmt.Sprintf("kernels: %s: dims %+v: want positive sizes and H %% KVH == 0", fn, d))
	case len(qkv) != d.B*d.L*(d.H+2*d.KVH)*d.Dh:
		panic(fmt.Sprintf("kernels: %s: len(qkv) = %d, want %d for %+v", fn, len(qkv), d.B*d.L*(d.H+2*d.KVH)*d.Dh, d))
	case len(o) != d.B*d.L*oWidth:
		panic(fmt.Sprintf("kernels: %s: len(%s) = %d, want %d for %+v", fn, oName, len(o), d.B*d.L*oWidth, d))
	case keyMask != nil && len(keyMask) != d.B*d.L:
		panic(fmt.Sprintf("kernels: %s: len(keyMask) = %d, want %d", fn, len(keyMask), d.B*d.L))
	case rope != nil && (d.Dh%2 != 0 || rope.Half != d.Dh/2 || rope.MaxLen < d.L ||
		len(rope.Cos) < d.L*rope.Half || len(rope.Sin) < d.L*rope.Half):
		panic(fmt.Sprintf("kernels: %s: rope for %d positions of width %d, want at least %d positions of width %d", fn, rope.MaxLen, 2*rope.Half, d.L, d.Dh))
	}
}

func roundUp(n, m int) int { return (n + m - 1) / m * m }

// grow returns buf resized to n, reallocating only when its capacity is short.
func grow[T Float](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// begin sizes the cache for d and records the call's arguments.
func (c *AttnCache[T]) begin(d AttnDims, qkv []T, scale T, rope *Rope[T], keyMask []T) {
	if c.fwdFn == nil {
		c.packFn, c.fwdFn, c.bwdFn = c.packGroups, c.forwardHeads, c.backwardGroups
	}
	c.d, c.gemm, c.rope = d, d.Dh >= attnGemmMinDh, rope != nil
	c.ks = kernelsFor(qkv)
	c.qkv, c.scale, c.ropeT, c.masked = qkv, scale, rope, keyMask != nil
	B, L, H, KVH, Dh := d.B, d.L, d.H, d.KVH, d.Dh
	if c.gemm {
		c.lp = roundUp(L, 8)
		if rope != nil {
			c.q = grow(c.q, B*H*L*Dh)
			c.k = grow(c.k, B*KVH*L*Dh)
		}
		c.dk = grow(c.dk, B*KVH*L*Dh)
		c.dv = grow(c.dv, B*KVH*L*Dh)
		c.slotLen = L*c.lp + L*Dh // dS and dq of one head
	} else {
		// The transposed k rows are padded to a multiple of 64 keys because
		// the score loop runs fastest on blocks of 64.
		c.lp = roundUp(L, 64)
		c.q = grow(c.q, B*H*L*Dh)
		c.k = grow(c.k, B*KVH*Dh*c.lp)
		c.v = grow(c.v, B*KVH*Dh*c.lp)
		c.dk = grow(c.dk, B*KVH*Dh*c.lp)
		c.dv = grow(c.dv, B*KVH*Dh*c.lp)
		c.slotLen = c.lp + Dh // one dS row and one dq row
	}
	c.p = grow(c.p, B*H*L*c.lp)
	c.bias = c.bias[:0]
	if keyMask != nil {
		c.bias = grow(c.bias, B*c.lp)
		inf := T(math.Inf(-1))
		for b := range B {
			row := c.bias[b*c.lp : (b+1)*c.lp]
			for t := range row {
				if t < L && keyMask[b*L+t] == 0 {
					row[t] = inf
				} else {
					row[t] = 0
				}
			}
		}
	}
	c.slots = max(runtime.GOMAXPROCS(0), 1)
	c.scratch = grow(c.scratch, c.slots*c.slotLen)
}

// end drops the call's references to the caller's slices.
func (c *AttnCache[T]) end() {
	c.qkv, c.out, c.dout, c.dqkv, c.ropeT = nil, nil, nil, nil, nil
}

// slot returns scratch space private to the calling worker.
func (c *AttnCache[T]) slot() []T {
	s := int(c.next.Add(1)) - 1
	if s >= c.slots {
		return make([]T, c.slotLen) // only if GOMAXPROCS grew during the call
	}
	return c.scratch[s*c.slotLen : (s+1)*c.slotLen]
}

// rotate sets y = s·rope_t(x) for one head vector of width 2·len(cos):
// y[i] = x[i]·cos - x[i+half]·sin, y[i+half] = x[i+half]·cos + x[i]·sin.
// Without rope (cos == nil) it sets y = s·x. The explicit conversions keep
// each product rounded on its own, as PyTorch computes it.
func rotate[T Float](y, x, cos, sin []T, s T) {
	if cos == nil {
		for i, xi := range x {
			y[i] = s * xi
		}
		return
	}
	half := len(cos)
	for i, c := range cos {
		sn := sin[i]
		x1, x2 := x[i], x[i+half]
		y[i] = s * (T(x1*c) - T(x2*sn))
		y[i+half] = s * (T(x2*c) + T(x1*sn))
	}
}

// unrotate sets dx = s·rope_tᵀ(dy), the gradient through rotate.
func unrotate[T Float](dx, dy, cos, sin []T, s T) {
	if cos == nil {
		for i, v := range dy {
			dx[i] = s * v
		}
		return
	}
	half := len(cos)
	for i, c := range cos {
		sn := sin[i]
		d1, d2 := dy[i], dy[i+half]
		dx[i] = s * (d1*c + d2*sn)
		dx[i+half] = s * (d2*c - d1*sn)
	}
}

// ropeAt returns the tables for position t, or nils without rope.
func (c *AttnCache[T]) ropeAt(t int) (cos, sin []T) {
	if c.ropeT == nil {
		return nil, nil
	}
	h := c.ropeT.Half
	return c.ropeT.Cos[t*h : (t+1)*h], c.ropeT.Sin[t*h : (t+1)*h]
}

// packGroups packs, for each (b, g) in [lo, hi), key/value head g of batch
// row b and the query heads that use it.
func (c *AttnCache[T]) packGroups(lo, hi int) {
	d := c.d
	L, H, KVH, Dh, lp := d.L, d.H, d.KVH, d.Dh, c.lp
	W, G := (H+2*KVH)*Dh, H/KVH
	var kr [64]T
	tmp := kr[:0]
	if Dh > len(kr) {
		tmp = make([]T, Dh)
	}
	tmp = tmp[:Dh]
	for bg := lo; bg < hi; bg++ {
		b, g := bg/KVH, bg%KVH
		for t := range L {
			row := c.qkv[(b*L+t)*W : (b*L+t+1)*W]
			cos, sin := c.ropeAt(t)
			for h := g * G; h < (g+1)*G; h++ {
				rotate(c.q[((b*H+h)*L+t)*Dh:][:Dh], row[h*Dh:(h+1)*Dh], cos, sin, c.scale)
			}
			kx := row[(H+g)*Dh : (H+g+1)*Dh]
			if c.gemm {
				rotate(c.k[(bg*L+t)*Dh:][:Dh], kx, cos, sin, 1)
				continue
			}
			rotate(tmp, kx, cos, sin, 1)
			kt, vt := c.k[bg*Dh*lp:], c.v[bg*Dh*lp:]
			vx := row[(H+KVH+g)*Dh:]
			for i := range Dh {
				kt[i*lp+t] = tmp[i]
				vt[i*lp+t] = vx[i]
			}
		}
		if !c.gemm {
			for i := range Dh {
				clear(c.k[bg*Dh*lp+i*lp+L : bg*Dh*lp+(i+1)*lp])
				clear(c.v[bg*Dh*lp+i*lp+L : bg*Dh*lp+(i+1)*lp])
			}
		}
	}
}

// softmaxRow turns the scores row[:n] into probabilities in place, adding
// bias[:n] first when given, and zeroes row[n:w]. It reports whether any key
// was visible (otherwise the row is all zeros).
func softmaxRow[T Float](ks *rowKernels[T], row []T, n, w int, bias []T) bool {
	e := min(roundUp(n, 8), w) // vector loops run to e; lanes n..e-1 give 0
	if bias != nil {
		ks.add(row[:e], bias[:e])
	}
	inf := T(math.Inf(-1))
	for j := n; j < e; j++ {
		row[j] = inf
	}
	m := ks.max(row[:e])
	if m == inf {
		clear(row[:w])
		return false
	}
	s := ks.expSub(row[:e], m)
	ks.scal(row[:e], 1/s)
	clear(row[e:w])
	return true
}

// forwardHeads runs the forward pass for heads (b, h) with b·H+h in [lo, hi).
func (c *AttnCache[T]) forwardHeads(lo, hi int) {
	d := c.d
	L, H, KVH, Dh, lp := d.L, d.H, d.KVH, d.Dh, c.lp
	W, G, ldo := (H+2*KVH)*Dh, H/KVH, H*Dh
	ks := c.ks
	for bh := lo; bh < hi; bh++ {
		b, h := bh/H, bh%H
		bg := b*KVH + h/G
		var bias []T
		if c.masked {
			bias = c.bias[b*lp : (b+1)*lp]
		}
		p := c.p[bh*L*lp : (bh+1)*L*lp]
		out := c.out[b*L*ldo+h*Dh:]
		if c.gemm {
			q, ldq, alpha := c.qView(b, h)
			k, ldk := c.kView(b, bg%KVH)
			v := c.qkv[b*L*W+(H+KVH+bg%KVH)*Dh:]
			bs := attnBlock
			for i0 := 0; i0 < L; i0 += bs {
				i1 := min(i0+bs, L)
				Gemm(false, true, i1-i0, i1, Dh, alpha, q[i0*ldq:], ldq, k, ldk, 0, p[i0*lp:], lp)
				for i := i0; i < i1; i++ {
					softmaxRow(ks, p[i*lp:(i+1)*lp], i+1, i1, bias)
				}
				Gemm(false, false, i1-i0, Dh, i1, 1, p[i0*lp:], lp, v, W, 0, out[i0*ldo:], ldo)
			}
			continue
		}
		q := c.q[bh*L*Dh : (bh+1)*L*Dh]
		kt, vt := c.k[bg*Dh*lp:(bg+1)*Dh*lp], c.v[bg*Dh*lp:(bg+1)*Dh*lp]
		for i := range L {
			n8, nw := roundUp(i+1, 8), min(roundUp(i+1, 64), lp)
			row := p[i*lp : (i+1)*lp]
			ks.gemvT(row[:nw], q[i*Dh:(i+1)*Dh], kt, lp, nw)
			o := out[i*ldo : i*ldo+Dh]
			if !softmaxRow(ks, row, i+1, n8, bias) {
				clear(o)
				continue
			}
			ks.gemvN(o, row[:n8], vt, lp, n8)
		}
	}
}

// qView returns the queries of head (b, h) for the gemm schedule as rows of
// stride ld, and the factor alpha still to be applied to them.
func (c *AttnCache[T]) qView(b, h int) (q []T, ld int, alpha T) {
	d := c.d
	if c.rope {
		return c.q[(b*d.H+h)*d.L*d.Dh:], d.Dh, 1
	}
	return c.qkv[b*d.L*(d.H+2*d.KVH)*d.Dh+h*d.Dh:], (d.H + 2*d.KVH) * d.Dh, c.scale
}

// kView returns the keys of head (b, g) for the gemm schedule as rows of
// stride ld.
func (c *AttnCache[T]) kView(b, g int) ([]T, int) {
	d := c.d
	if c.rope {
		return c.k[(b*d.KVH+g)*d.L*d.Dh:], d.Dh
	}
	return c.qkv[b*d.L*(d.H+2*d.KVH)*d.Dh+(d.H+g)*d.Dh:], (d.H + 2*d.KVH) * d.Dh
}

// backwardGroups runs the backward pass for key/value heads (b, g) with
// b·KVH+g in [lo, hi), including the query heads that use them.
func (c *AttnCache[T]) backwardGroups(lo, hi int) {
	d := c.d
	L, H, KVH, Dh, lp := d.L, d.H, d.KVH, d.Dh, c.lp
	W, G, ldo := (H+2*KVH)*Dh, H/KVH, H*Dh
	ks := c.ks
	sl := c.slot()
	for bg := lo; bg < hi; bg++ {
		b, g := bg/KVH, bg%KVH
		if c.gemm {
			c.backwardGroupGemm(b, g, sl)
			continue
		}
		dkt := c.dk[bg*Dh*lp : (bg+1)*Dh*lp]
		dvt := c.dv[bg*Dh*lp : (bg+1)*Dh*lp]
		clear(dkt)
		clear(dvt)
		kt, vt := c.k[bg*Dh*lp:(bg+1)*Dh*lp], c.v[bg*Dh*lp:(bg+1)*Dh*lp]
		ds, dq := sl[:lp], sl[lp:lp+Dh]
		for h := g * G; h < (g+1)*G; h++ {
			bh := b*H + h
			q := c.q[bh*L*Dh : (bh+1)*L*Dh]
			p := c.p[bh*L*lp : (bh+1)*L*lp]
			for i := range L {
				n8, nw := roundUp(i+1, 8), min(roundUp(i+1, 64), lp)
				row := p[i*lp : i*lp+n8]
				do := c.dout[(b*L+i)*ldo+h*Dh:][:Dh]
				ks.gemvT(ds[:nw], do, vt, lp, nw)
				ks.dsub(ds[:n8], row, ds[:n8], ks.dot(row, ds[:n8]))
				ks.gemvN(dq, ds[:n8], kt, lp, n8)
				cos, sin := c.ropeAt(i)
				unrotate(c.dqkv[(b*L+i)*W+h*Dh:][:Dh], dq, cos, sin, c.scale)
				ks.ger(dkt, q[i*Dh:(i+1)*Dh], ds[:n8], lp, n8)
				ks.ger(dvt, do, row, lp, n8)
			}
		}
		var kr [64]T
		tmp := kr[:0]
		if Dh > len(kr) {
			tmp = make([]T, Dh)
		}
		tmp = tmp[:Dh]
		for t := range L {
			dst := c.dqkv[(b*L+t)*W:]
			for i := range Dh {
				tmp[i] = dkt[i*lp+t]
				dst[(H+KVH+g)*Dh+i] = dvt[i*lp+t]
			}
			cos, sin := c.ropeAt(t)
			unrotate(dst[(H+g)*Dh:(H+g+1)*Dh], tmp, cos, sin, 1)
		}
	}
}

// backwardGroupGemm is backwardGroups for the gemm schedule.
func (c *AttnCache[T]) backwardGroupGemm(b, g int, sl []T) {
	d := c.d
	L, H, KVH, Dh, lp := d.L, d.H, d.KVH, d.Dh, c.lp
	W, G, ldo := (H+2*KVH)*Dh, H/KVH, H*Dh
	ks := c.ks
	bg := b*KVH + g
	dk := c.dk[bg*L*Dh : (bg+1)*L*Dh]
	dv := c.dv[bg*L*Dh : (bg+1)*L*Dh]
	ds, dq := sl[:L*lp], sl[L*lp:L*lp+L*Dh]
	k, ldk := c.kView(b, g)
	v := c.qkv[b*L*W+(H+KVH+g)*Dh:]
	bs := attnBlock
	for h := g * G; h < (g+1)*G; h++ {
		var beta T
		if h > g*G {
			beta = 1
		}
		q, ldq, alpha := c.qView(b, h)
		p := c.p[(b*H+h)*L*lp : (b*H+h+1)*L*lp]
		do := c.dout[b*L*ldo+h*Dh:]
		for i0 := 0; i0 < L; i0 += bs {
			i1 := min(i0+bs, L)
			Gemm(false, true, i1-i0, i1, Dh, 1, do[i0*ldo:], ldo, v, W, 0, ds[i0*lp:], lp)
			for i := i0; i < i1; i++ {
				row, dsr := p[i*lp:i*lp+i1], ds[i*lp:i*lp+i1]
				ks.dsub(dsr, row, dsr, ks.dot(row, dsr))
			}
			Gemm(false, false, i1-i0, Dh, i1, 1, ds[i0*lp:], lp, k, ldk, 0, dq[i0*Dh:], Dh)
		}
		for i := range L {
			cos, sin := c.ropeAt(i)
			unrotate(c.dqkv[(b*L+i)*W+h*Dh:][:Dh], dq[i*Dh:(i+1)*Dh], cos, sin, c.scale)
		}
		for j0 := 0; j0 < L; j0 += bs {
			j1 := min(j0+bs, L)
			Gemm(true, false, j1-j0, Dh, L-j0, alpha, ds[j0*lp+j0:], lp, q[j0*ldq:], ldq, beta, dk[j0*Dh:], Dh)
			Gemm(true, false, j1-j0, Dh, L-j0, 1, p[j0*lp+j0:], lp, do[j0*ldo:], ldo, beta, dv[j0*Dh:], Dh)
		}
	}
	for t := range L {
		dst := c.dqkv[(b*L+t)*W:]
		copy(dst[(H+KVH+g)*Dh:(H+KVH+g+1)*Dh], dv[t*Dh:(t+1)*Dh])
		cos, sin := c.ropeAt(t)
		unrotate(dst[(H+g)*Dh:(H+g+1)*Dh], dk[t*Dh:(t+1)*Dh], cos, sin, 1)
	}
}
