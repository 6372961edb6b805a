package graph

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// embedOp lays out one segment's input embeddings, (B*L, C) with L = 2M+S:
//
//	row b*L+t = mem[b][t]              t < M        (read memory)
//	          = wte[ids[b*S+t-M]]      M <= t < M+S (tokens)
//	          = mem[b][t-M-S]          t >= M+S     (write memory)
//	          (+ wpe[t] for GPT-2: positions restart at 0 in every segment
//	           and count the memory rows too)
//
// Inputs: wte (V, C), ids (B*S) int, then mem (B*M, C) when M > 0, then
// wpe (P, C) for GPT-2.
//
// The associative memory's layout (tail) is [tokens | memory], L = S+M:
// row b*L+t = wte[ids[b*S+t]] for t < S, mem[t-S] after, with mem (M, C)
// one set of rows shared by every batch row (armt.memory).
type embedOp struct {
	opBase
	b, s, m, c, v int
	hasPos, tail  bool
	head          *lossOp // the head, when it shares wte (tied)
}

func newEmbedOp(dt tensor.Dtype, b, s, m, c, v int, hasPos, tail bool) *embedOp {
	ins := []hm.Type{tt(dt, 2), intVec}
	if m > 0 {
		ins = append(ins, tt(dt, 2))
	}
	if hasPos {
		ins = append(ins, tt(dt, 2))
	}
	L := 2*m + s
	if tail {
		L = s + m
	}
	return &embedOp{opBase: newBase("Embed", dt, tensor.Shape{b * L, c}, ins...), b: b, s: s, m: m, c: c, v: v, hasPos: hasPos, tail: tail}
}

// rows is L, the positions of one batch row.
func (o *embedOp) rows() int {
	if o.tail {
		return o.s + o.m
	}
	return 2*o.m + o.s
}

// tokenAt is the token index of position t, or -1 at a memory row; memAt
// the memory row of position t of batch row b (in the mem input), or -1.
func (o *embedOp) tokenAt(t int) int {
	switch {
	case o.tail && t < o.s:
		return t
	case !o.tail && t >= o.m && t < o.m+o.s:
		return t - o.m
	}
	return -1
}

func (o *embedOp) memAt(b, t int) int {
	switch {
	case o.tail && t >= o.s:
		return t - o.s
	case o.tail:
		return -1
	case t < o.m:
		return b*o.m + t
	case t >= o.m+o.s:
		return b*o.m + t - o.m - o.s
	}
	return -1
}

func (o *embedOp) memIdx() int { return 2 }
func (o *embedOp) posIdx() int {
	if o.m > 0 {
		return 3
	}
	return 2
}

func (o *embedOp) Do(vals ...G.Value) (G.Value, error) {
	ids := ints(vals[1])
	for i, id := range ids {
		if id < 0 || id >= o.v {
			return nil, fmt.Errorf("graph: token id %d at position %d is outside the vocabulary [0, %d)", id, i, o.v)
		}
	}
	return dispatch(o.dt, func() (G.Value, error) { return embedDo[float32](o, vals) }, func() (G.Value, error) { return embedDo[float64](o, vals) })
}

func embedDo[T kernels.Float](o *embedOp, vals []G.Value) (G.Value, error) {
	out := o.newOut()
	y := out.Data().([]T)
	wte, ids := floats[T](vals[0]), ints(vals[1])
	var mem, wpe []T
	if o.m > 0 {
		mem = floats[T](vals[o.memIdx()])
	}
	if o.hasPos {
		wpe = floats[T](vals[o.posIdx()])
	}
	L, c := o.rows(), o.c
	for b := 0; b < o.b; b++ {
		for t := 0; t < L; t++ {
			row := y[(b*L+t)*c : (b*L+t+1)*c]
			if tok := o.tokenAt(t); tok >= 0 {
				copy(row, wte[ids[b*o.s+tok]*c:])
			} else {
				copy(row, mem[o.memAt(b, t)*c:])
			}
			if wpe != nil {
				for j := range row {
					row[j] += wpe[t*c+j]
				}
			}
		}
	}
	return out, nil
}

func (o *embedOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	d[0] = true
	for i := 2; i < n; i++ {
		d[i] = true
	}
	return d
}

func (o *embedOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	res := make(G.Nodes, len(in))
	mk := func(which int, shape tensor.Shape) *G.Node {
		op := &embedGradOp{opBase: newBase("EmbedGrad", o.dt, shape, intVec, tt(o.dt, 2)), e: o, which: which}
		op.sinkable = which != 1 || o.tail // parameters, not RMT's memory state
		return apply(op, in[1], grad)
	}
	if o.head != nil {
		// Tied: one op writes the head's product and adds the token rows,
		// rather than two V x C gradients summed by Gorgonia.
		h := o.head
		op := &embedGradOp{opBase: newBase("TiedEmbedGrad", o.dt, in[0].Shape(), intVec, tt(o.dt, 2), tt(o.dt, 2), tt(o.dt, 0)), e: o, which: 0}
		op.sinkable = true
		res[0] = apply(op, in[1], grad, h.h, h.grad)
	} else {
		res[0] = mk(0, in[0].Shape())
	}
	if o.m > 0 {
		res[o.memIdx()] = mk(1, in[o.memIdx()].Shape())
	}
	if o.hasPos {
		res[o.posIdx()] = mk(2, in[o.posIdx()].Shape())
	}
	return res, nil
}

// embedGradOp computes one input gradient of embedOp from (ids, dy):
// which 0 scatters token rows into dwte, 1 sums the read and write copies
// into dmem (ARMT: every batch row's memory rows into darmt.memory), 2 sums positions over the batch into dwpe. With a tied head,
// which 0 also reads (h, dloss) and first writes the head's gradient,
// dW = g·dlogitsᵀ·h[rows] (lossGradOp's product), then adds the rows.
type embedGradOp struct {
	opBase
	e     *embedOp
	which int
}

func (o *embedGradOp) Do(vals ...G.Value) (G.Value, error) {
	return dispatch(o.dt, func() (G.Value, error) { return embedGradDo[float32](o, vals) }, func() (G.Value, error) { return embedGradDo[float64](o, vals) })
}

func embedGradDo[T kernels.Float](o *embedGradOp, vals []G.Value) (G.Value, error) {
	kp := o.kpool()
	tied := o.which == 0 && o.e.head != nil
	out, d, beta := gradOut[T](&o.opBase, !tied) // scattered: cleared unless a sink
	if tied {
		l := o.e.head
		if r := len(l.rows); r > 0 {
			h, g := floats[T](vals[2]), T(scalarOf(vals[3]))
			hs := gatherRows(scratch[T](&o.opBase, r*l.c), h, l.rows, l.c)
			kernels.Gemm(kp, true, false, l.v, l.c, r, g, dlogits[T](l)[:r*l.v], l.v, hs, l.c, beta, d, l.c)
		} else if beta == 0 {
			clear(d)
		}
	}
	ids, dy := ints(vals[0]), floats[T](vals[1])
	e := o.e
	L, c := e.rows(), e.c
	addRow := func(dst, src []T) {
		for j := range dst[:c] {
			dst[j] += src[j]
		}
	}
	for b := 0; b < e.b; b++ {
		for t := 0; t < L; t++ {
			src := dy[(b*L+t)*c:]
			switch o.which {
			case 0:
				if tok := e.tokenAt(t); tok >= 0 {
					addRow(d[ids[b*e.s+tok]*c:], src)
				}
			case 1:
				if r := e.memAt(b, t); r >= 0 {
					addRow(d[r*c:], src)
				}
			case 2:
				addRow(d[t*c:], src)
			}
		}
	}
	return out, nil
}
