package kernels

import (
	"fmt"
	"math"
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
//	dS[t][t'] = P[t][t']·(dP[t][t'] - Σ_u P[t][u]·dP[t][u])   (the sum is dO_t·out_t)
//	dq_t  = scale·Σ_t' dS[t][t']·k_t'     dk_t' = scale·Σ_t dS[t][t']·q_t
//	dv_t' = Σ_t P[t][t']·dO_t
//
// followed by the transposed rotation for dq and dk, and a sum over the G
// query heads that share a key/value head for dk and dv.
//
// Schedule. All six products go through one register-tiled kernel
// (rowKernels.strip: AVX-512 or AVX2 assembly for float32, Go loops
// otherwise) on strips of mr = 8 or 6 query rows, so the work above the
// causal diagonal is skipped at strip granularity. Keys and values are kept
// as contiguous rows and transposed, (Dh, L), so that every product streams
// contiguous rows of its right-hand side. For narrow heads (Dh < 16) dk and
// dv are computed transposed, and with AVX-512 and Dh = 8, P·v and dS·k take
// keys two at a time (rowKernels.pair8), so that the vector lanes stay full.
// Work is spread over (b, h) in the forward pass and over (b, key/value
// head) in the backward pass, so that the dk and dv sums over a group stay
// in one goroutine. A warm call does not allocate.
//
// The kernel does not call BLAS: per-head products are small (544×544×64 for
// GPT-2), and OpenBLAS called from several goroutines while running its own
// threads oversubscribes the cores (measured 80× slower on 2 cores).

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

// AttnCache keeps what AttentionBackward needs from AttentionForward of the
// same inputs: the rotated queries and keys, keys and values in the layouts
// the products read, the softmax probabilities P and the output. Its buffers
// are reused across calls and only grow; the zero value is ready to use. One
// cache serves one forward/backward pair at a time.
//
// A cache with ForwardOnly set keeps P for one head per worker instead of
// for every head, and cannot serve a backward pass: inference needs nothing
// after the call, so one such cache can serve every layer of a model (for
// stories260K's 8 heads of 544 positions, 2.4 MB instead of 9.5 MB a layer).
type AttnCache[T Float] struct {
	ForwardOnly bool

	d    AttnDims
	rope bool // q and k were rotated
	lp   int  // row stride of p, dS and the transposed k, v: L rounded up to 32

	q    []T // (B·H, L, Dh): rope(q), only with rope (else q is read in place)
	kr   []T // (B·KVH, L, Dh): rope(k), rows contiguous
	kt   []T // (B·KVH, Dh, lp): the same transposed, zero past L
	vr   []T // (B·KVH, L, Dh): v, rows contiguous
	vt   []T // (B·KVH, Dh, lp): vᵀ, packed by the backward pass
	v2   []T // (B·KVH, ⌈L/2⌉, 16): v as interleaved row pairs, for pair8 (Dh = 8)
	k2   []T // (B·KVH, ⌈L/2⌉, 16): rope(k) likewise, packed by the backward pass
	p    []T // (B·H, L, lp): row t holds P[t], zero from t+1 up to zeroTo
	o    []T // (B·H, L, Dh): the output, for rowsum(P∘dP) = dO·out in the backward pass
	bias []T // (B, lp): 0 for visible keys, -Inf for masked ones; empty without keyMask
	dk   []T // (B·KVH, L, Dh): backward sum of rope(k)'s gradient over a group, only with rope
	dkt  []T // (B·KVH, Dh, lp): the same transposed, for narrow heads
	dvt  []T // (B·KVH, Dh, lp): v's gradient transposed, for narrow heads

	scratch []T // slots·slotLen: per worker dS (L, lp), dq (mr, Dh), dO and q packed (L, Dh)
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
func AttentionForward[T Float](p *Pool, d AttnDims, qkv, out []T, scale T, rope *Rope[T], keyMask []T, cache *AttnCache[T]) {
	checkAttn("AttentionForward", d, qkv, out, "out", d.H*d.Dh, rope, keyMask)
	c := cache
	c.begin(p, d, qkv, scale, rope, keyMask)
	c.out = out
	p.For(d.B*d.KVH, 1, c.packFn)
	c.next.Store(0)
	p.For(d.B*d.H, 1, c.fwdFn)
	c.end()
}

// AttentionBackward overwrites dqkv (same shape as qkv) with the gradient of
// Σ out·dout with respect to qkv, given the qkv, scale, rope and keyMask of
// the AttentionForward call that filled cache.
func AttentionBackward[T Float](p *Pool, d AttnDims, qkv, dout, dqkv []T, scale T, rope *Rope[T], keyMask []T, cache *AttnCache[T]) {
	checkAttn("AttentionBackward", d, qkv, dout, "dout", d.H*d.Dh, rope, keyMask)
	if len(dqkv) != len(qkv) {
		panic(fmt.Sprintf("kernels: AttentionBackward: len(dqkv) = %d, want %d", len(dqkv), len(qkv)))
	}
	c := cache
	if c.ForwardOnly {
		panic("kernels: AttentionBackward: the cache was made ForwardOnly")
	}
	if c.d != d || c.rope != (rope != nil) || (len(c.bias) > 0) != (keyMask != nil) {
		panic(fmt.Sprintf("kernels: AttentionBackward: cache holds a forward pass of %+v (rope %v, mask %v), want %+v (rope %v, mask %v)",
			c.d, c.rope, len(c.bias) > 0, d, rope != nil, keyMask != nil))
	}
	// c.ks stays the forward pass's table: the backward strips must have the
	// same height as those that wrote P.
	c.qkv, c.dout, c.dqkv, c.scale, c.ropeT = qkv, dout, dqkv, scale, rope
	c.slots = max(p.Workers(), 1)
	c.scratch = grow(c.scratch, c.slots*c.slotLen)
	c.next.Store(0)
	p.For(d.B*d.KVH, 1, c.bwdFn)
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
// Bytes is the memory the cache holds, in bytes.
func (c *AttnCache[T]) Bytes() int64 {
	var z T
	size := int64(unsafe.Sizeof(z))
	var n int64
	for _, s := range [][]T{c.q, c.kr, c.kt, c.vr, c.vt, c.v2, c.k2, c.p, c.o, c.bias, c.dk, c.dkt, c.dvt, c.scratch} {
		n += int64(cap(s)) * size
	}
	return n
}

func grow[T Float](buf []T, n int) []T {
	if cap(buf) < n {
		return make([]T, n)
	}
	return buf[:n]
}

// begin sizes the cache for d and records the call's arguments.
func (c *AttnCache[T]) begin(p *Pool, d AttnDims, qkv []T, scale T, rope *Rope[T], keyMask []T) {
	if c.fwdFn == nil {
		c.packFn, c.fwdFn, c.bwdFn = c.packGroups, c.forwardHeads, c.backwardGroups
	}
	c.d, c.rope = d, rope != nil
	c.ks = kernelsFor(qkv)
	c.qkv, c.scale, c.ropeT, c.masked = qkv, scale, rope, keyMask != nil
	B, L, H, KVH, Dh := d.B, d.L, d.H, d.KVH, d.Dh
	c.lp = roundUp(L, 32) // rows 64-byte aligned, whole chunks of 32 keys
	back := !c.ForwardOnly
	if rope != nil {
		c.q = grow(c.q, B*H*L*Dh)
		if back {
			c.dk = grow(c.dk, B*KVH*L*Dh)
		}
	}
	c.kr = grow(c.kr, B*KVH*L*Dh)
	c.kt = grow(c.kt, B*KVH*Dh*c.lp)
	c.vr = grow(c.vr, B*KVH*L*Dh)
	c.o = grow(c.o, B*H*L*Dh)
	if !back {
		c.slots = max(p.Workers(), 1)
		c.p = grow(c.p, c.slots*L*c.lp)
		if c.pairs() {
			c.v2 = grow(c.v2, B*KVH*c.pairLen())
		}
		c.slotLen = 0
	} else {
		c.vt = grow(c.vt, B*KVH*Dh*c.lp)
		c.p = grow(c.p, B*H*L*c.lp)
	}
	if back && c.narrow() {
		c.dkt = grow(c.dkt, B*KVH*Dh*c.lp)
		c.dvt = grow(c.dvt, B*KVH*Dh*c.lp)
	}
	if back && c.pairs() {
		c.v2 = grow(c.v2, B*KVH*c.pairLen())
		c.k2 = grow(c.k2, B*KVH*c.pairLen())
	}
	if back {
		c.slotLen = roundUp(L*c.lp+c.ks.mr*Dh+2*L*Dh, 16)
	}
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
}

// end drops the call's references to the caller's slices.
func (c *AttnCache[T]) end() {
	c.qkv, c.out, c.dout, c.dqkv, c.ropeT = nil, nil, nil, nil, nil
}

// slot returns scratch space private to the calling worker.
func (c *AttnCache[T]) slot() []T {
	s := int(c.next.Add(1)) - 1
	if s >= c.slots {
		return make([]T, c.slotLen) // only if a nil Pool's GOMAXPROCS grew during the call
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

// packT sets dst (Dh, ld) to srcᵀ for src (L, Dh) with contiguous rows, and
// clears dst's padding columns L..ld-1, which the score strips read.
func packT[T Float](ks *rowKernels[T], dst []T, ld int, src []T, L, Dh int) {
	ks.transpose(dst, ld, src, Dh, L, Dh)
	for i := range Dh {
		clear(dst[i*ld+L : (i+1)*ld])
	}
}

// packRows copies L rows of width Dh and stride ld from src to dst (L, Dh).
func packRows[T Float](dst, src []T, ld, L, Dh int) {
	for t := range L {
		copy(dst[t*Dh:(t+1)*Dh], src[t*ld:t*ld+Dh])
	}
}

// packGroups packs, for each (b, g) in [lo, hi), key/value head g of batch
// row b and, with rope, the rotated query heads that use it.
func (c *AttnCache[T]) packGroups(lo, hi int) {
	d := c.d
	L, H, KVH, Dh, lp := d.L, d.H, d.KVH, d.Dh, c.lp
	W, G := (H+2*KVH)*Dh, H/KVH
	for bg := lo; bg < hi; bg++ {
		b, g := bg/KVH, bg%KVH
		kr := c.kr[bg*L*Dh : (bg+1)*L*Dh]
		base := c.qkv[b*L*W:]
		if c.rope {
			for t := range L {
				row := base[t*W : (t+1)*W]
				cos, sin := c.ropeAt(t)
				for h := g * G; h < (g+1)*G; h++ {
					rotate(c.q[((b*H+h)*L+t)*Dh:][:Dh], row[h*Dh:(h+1)*Dh], cos, sin, 1)
				}
				rotate(kr[t*Dh:(t+1)*Dh], row[(H+g)*Dh:(H+g+1)*Dh], cos, sin, 1)
			}
		} else {
			packRows(kr, base[(H+g)*Dh:], W, L, Dh)
		}
		packT(c.ks, c.kt[bg*Dh*lp:(bg+1)*Dh*lp], lp, kr, L, Dh)
		vr := c.vr[bg*L*Dh : (bg+1)*L*Dh]
		packRows(vr, base[(H+KVH+g)*Dh:], W, L, Dh)
		if c.pairs() {
			packPairs(c.v2[bg*c.pairLen():(bg+1)*c.pairLen()], vr, L)
		}
	}
}

// qRows returns the (rotated) queries of head (b, h) as rows of stride ld.
func (c *AttnCache[T]) qRows(b, h int) ([]T, int) {
	d := c.d
	if c.rope {
		return c.q[(b*d.H+h)*d.L*d.Dh:], d.Dh
	}
	return c.qkv[b*d.L*(d.H+2*d.KVH)*d.Dh+h*d.Dh:], (d.H + 2*d.KVH) * d.Dh
}

// softmaxRow turns the scores row[:n] (computed up to w) into probabilities
// in place, adding bias[:n] first when given, and zeroes row[n:zw]. It
// reports whether any key was visible (otherwise row[:zw] is all zeros).
func softmaxRow[T Float](ks *rowKernels[T], row []T, n, w, zw int, bias []T) bool {
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
		clear(row[:zw])
		return false
	}
	s := ks.expSub(row[:e], m)
	ks.scal(row[:e], 1/s)
	clear(row[e:zw])
	return true
}

// The schedule works on strips of mr query rows [r, r+m). A strip's scores
// cover keys [0, w) with w = r+m rounded up to 8, which is the causal limit
// of its last row: only the small triangle right of the diagonal inside the
// strip is computed in vain (and zeroed by softmaxRow). The backward pass
// reads P and dS by columns, in strips of the same mr keys or, for narrow
// heads, in chunks of 32 keys; so every row t of P and dS is kept valid, and
// zero past t, up to zeroTo(t, w) >= w and t+1 rounded up to 32.

// zeroTo is how far row t of P and dS is kept valid, given its strip's w.
func (c *AttnCache[T]) zeroTo(t, w int) int { return min(max(w, roundUp(t+1, 32)), c.lp) }

// pairs reports whether P·v and dS·k go through rowKernels.pair8, which
// fills the vector lanes for heads of width 8 by taking keys two at a time.
func (c *AttnCache[T]) pairs() bool { return c.ks.pair8 != nil && c.d.Dh == 8 }

// pairLen is the size of one head of v2 or k2.
func (c *AttnCache[T]) pairLen() int { return (c.d.L + 1) / 2 * 16 }

// narrow reports whether dk and dv are computed transposed, as (Dh, L) =
// qᵀ·dS and dOᵀ·P, which keeps the long key axis in the vector lanes where
// Dh is too small to fill them.
func (c *AttnCache[T]) narrow() bool { return c.d.Dh < 16 }

// forwardHeads runs the forward pass for heads (b, h) with b·H+h in [lo, hi).
func (c *AttnCache[T]) forwardHeads(lo, hi int) {
	d := c.d
	L, H, KVH, Dh, lp := d.L, d.H, d.KVH, d.Dh, c.lp
	G, ldo := H/KVH, H*Dh
	ks := c.ks
	var own []T // ForwardOnly: this worker's P, reused head after head
	if c.ForwardOnly {
		if s := int(c.next.Add(1)) - 1; s < c.slots {
			own = c.p[s*L*lp : (s+1)*L*lp]
		} else {
			own = make([]T, L*lp) // only if a nil Pool's GOMAXPROCS grew during the call
		}
	}
	for bh := lo; bh < hi; bh++ {
		b, h := bh/H, bh%H
		bg := b*KVH + h/G
		var bias []T
		if c.masked {
			bias = c.bias[b*lp : (b+1)*lp]
		}
		q, ldq := c.qRows(b, h)
		kt := c.kt[bg*Dh*lp : (bg+1)*Dh*lp]
		v := c.vr[bg*L*Dh : (bg+1)*L*Dh]
		p := own
		if p == nil {
			p = c.p[bh*L*lp : (bh+1)*L*lp]
		}
		o := c.o[bh*L*Dh : (bh+1)*L*Dh]
		for r := 0; r < L; r += ks.mr {
			m := min(ks.mr, L-r)
			w := roundUp(r+m, 8)
			ks.strip(p[r*lp:], lp, q[r*ldq:], ldq, 1, kt, lp, m, w, Dh, c.scale, false) // S = scale·q·kᵀ
			for i := r; i < r+m; i++ {
				softmaxRow(ks, p[i*lp:(i+1)*lp], i+1, w, c.zeroTo(i, w), bias)
			}
			if c.pairs() {
				ks.pair8(o[r*Dh:], Dh, p[r*lp:], lp, c.v2[bg*c.pairLen():(bg+1)*c.pairLen()], m, r+m, 1, false)
				continue
			}
			ks.strip(o[r*Dh:], Dh, p[r*lp:], lp, 1, v, Dh, m, Dh, r+m, 1, false) // out = P·v
		}
		for t := range L {
			copy(c.out[(b*L+t)*ldo+h*Dh:][:Dh], o[t*Dh:(t+1)*Dh])
		}
	}
}

// backwardGroups runs the backward pass for key/value heads (b, g) with
// b·KVH+g in [lo, hi), including the query heads that use them. Gradients
// for v, and without rope for q and k, are written into dqkv by the strips
// themselves, summed over the group's query heads; with rope, dq goes
// through a scratch strip and dk through the cache to be rotated back.
func (c *AttnCache[T]) backwardGroups(lo, hi int) {
	d := c.d
	L, H, KVH, Dh, lp := d.L, d.H, d.KVH, d.Dh, c.lp
	W, G, ldo := (H+2*KVH)*Dh, H/KVH, H*Dh
	ks := c.ks
	sl := c.slot()
	ds := sl[:L*lp]
	dq := sl[L*lp : L*lp+ks.mr*Dh]
	do := sl[L*lp+ks.mr*Dh : L*lp+ks.mr*Dh+L*Dh]
	qbuf := sl[L*lp+ks.mr*Dh+L*Dh : L*lp+ks.mr*Dh+2*L*Dh]
	for bg := lo; bg < hi; bg++ {
		b, g := bg/KVH, bg%KVH
		vt := c.vt[bg*Dh*lp : (bg+1)*Dh*lp]
		packT(ks, vt, lp, c.vr[bg*L*Dh:(bg+1)*L*Dh], L, Dh)
		k := c.kr[bg*L*Dh : (bg+1)*L*Dh]
		var k2 []T
		if c.pairs() {
			k2 = c.k2[bg*c.pairLen() : (bg+1)*c.pairLen()]
			packPairs(k2, k, L)
		}
		base := c.dqkv[b*L*W:]
		dk, lddk := base[(H+g)*Dh:], W
		if c.rope {
			dk, lddk = c.dk[bg*L*Dh:(bg+1)*L*Dh], Dh
		}
		dv := base[(H+KVH+g)*Dh:]
		for h := g * G; h < (g+1)*G; h++ {
			bh := b*H + h
			p := c.p[bh*L*lp : (bh+1)*L*lp]
			o := c.o[bh*L*Dh : (bh+1)*L*Dh]
			packRows(do, c.dout[b*L*ldo+h*Dh:], ldo, L, Dh)
			q, ldq := c.qRows(b, h)
			if ldq != Dh {
				packRows(qbuf, q, ldq, L, Dh)
				q = qbuf
			}
			for r := 0; r < L; r += ks.mr {
				m := min(ks.mr, L-r)
				w := roundUp(r+m, 8)
				ks.strip(ds[r*lp:], lp, do[r*Dh:], Dh, 1, vt, lp, m, w, Dh, 1, false) // dP = dO·vᵀ
				for i := r; i < r+m; i++ {
					// dS = P∘(dP - rowsum(P∘dP)), where rowsum(P∘dP) = dO·out.
					dsr := ds[i*lp : i*lp+w]
					ks.dsub(dsr, p[i*lp:i*lp+w], dsr, ks.dot(do[i*Dh:(i+1)*Dh], o[i*Dh:(i+1)*Dh]))
					clear(ds[i*lp+w : i*lp+c.zeroTo(i, w)])
				}
				dqr, lddq := dq, Dh
				if !c.rope {
					dqr, lddq = base[r*W+h*Dh:], W
				}
				if k2 != nil {
					ks.pair8(dqr, lddq, ds[r*lp:], lp, k2, m, r+m, c.scale, false)
				} else {
					ks.strip(dqr, lddq, ds[r*lp:], lp, 1, k, Dh, m, Dh, r+m, c.scale, false) // dq = scale·dS·k
				}
				if !c.rope {
					continue
				}
				for i := r; i < r+m; i++ {
					cos, sin := c.ropeAt(i)
					unrotate(base[i*W+h*Dh:][:Dh], dq[(i-r)*Dh:(i-r+1)*Dh], cos, sin, 1)
				}
			}
			// dk = scale·dSᵀ·q and dv = Pᵀ·dO by strips of keys [j, j+m):
			// only queries from j on see them. Narrow heads compute dkᵀ =
			// scale·qᵀ·dS and dvᵀ = dOᵀ·P instead, by chunks of 32 keys.
			acc := h > g*G
			if c.narrow() {
				dkt, dvt := c.dkt[bg*Dh*lp:(bg+1)*Dh*lp], c.dvt[bg*Dh*lp:(bg+1)*Dh*lp]
				for j := 0; j < L; j += 32 {
					n := min(32, roundUp(L, 8)-j)
					for d0 := 0; d0 < Dh; d0 += ks.mr {
						m := min(ks.mr, Dh-d0)
						ks.strip(dkt[d0*lp+j:], lp, q[j*Dh+d0:], 1, Dh, ds[j*lp+j:], lp, m, n, L-j, c.scale, acc)
						ks.strip(dvt[d0*lp+j:], lp, do[j*Dh+d0:], 1, Dh, p[j*lp+j:], lp, m, n, L-j, 1, acc)
					}
				}
				continue
			}
			for j := 0; j < L; j += ks.mr {
				m := min(ks.mr, L-j)
				ks.strip(dk[j*lddk:], lddk, ds[j*lp+j:], 1, lp, q[j*Dh:], Dh, m, Dh, L-j, c.scale, acc)
				ks.strip(dv[j*W:], W, p[j*lp+j:], 1, lp, do[j*Dh:], Dh, m, Dh, L-j, 1, acc)
			}
		}
		if c.narrow() {
			ks.transpose(dk, lddk, c.dkt[bg*Dh*lp:], lp, Dh, L)
			ks.transpose(dv, W, c.dvt[bg*Dh*lp:], lp, Dh, L)
		}
		if c.rope {
			for t := range L {
				cos, sin := c.ropeAt(t)
				unrotate(base[t*W+(H+g)*Dh:][:Dh], dk[t*Dh:(t+1)*Dh], cos, sin, 1)
			}
		}
	}
}
