package graph

import (
	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// attnOp is causal multi-head attention over the fused projection
// qkv (B*L, (H+2*KVH)*Dh) = [q heads | k heads | v heads] per row, giving
// (B*L, H*Dh). Rotary embeddings (Llama) are applied to q and k inside the
// kernel; scale, causal mask, the optional key mask and softmax are fused, so
// no (B*H, L, L) mask or broadcast is ever materialised. The forward pass
// leaves what the backward pass needs in a cache shared with attnGradOp.
//
// Inputs: qkv, then keyMask (B*L) when masked.
type attnOp struct {
	opBase
	d      kernels.AttnDims
	scale  float64
	masked bool
	rope32 *kernels.Rope[float32]
	rope64 *kernels.Rope[float64]
	c32    *kernels.AttnCache[float32]
	c64    *kernels.AttnCache[float64]
}

func newAttnOp(dt tensor.Dtype, d kernels.AttnDims, scale float64, rope bool, theta float64, masked bool) *attnOp {
	ins := []hm.Type{tt(dt, 2)}
	if masked {
		ins = append(ins, tt(dt, 1))
	}
	o := &attnOp{opBase: newBase("Attention", dt, tensor.Shape{d.B * d.L, d.H * d.Dh}, ins...), d: d, scale: scale, masked: masked,
		c32: new(kernels.AttnCache[float32]), c64: new(kernels.AttnCache[float64])}
	if rope {
		if dt == tensor.Float64 {
			o.rope64 = kernels.NewRope[float64](d.L, d.Dh, theta)
		} else {
			o.rope32 = kernels.NewRope[float32](d.L, d.Dh, theta)
		}
	}
	return o
}

func (o *attnOp) Do(vals ...G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	if o.dt == tensor.Float64 {
		kernels.AttentionForward(kp, o.d, floats[float64](vals[0]), out.Data().([]float64), o.scale, o.rope64, maskOf[float64](o.masked, vals), o.c64)
	} else {
		kernels.AttentionForward(kp, o.d, floats[float32](vals[0]), out.Data().([]float32), float32(o.scale), o.rope32, maskOf[float32](o.masked, vals), o.c32)
	}
	return out, nil
}

func maskOf[T kernels.Float](masked bool, vals []G.Value) []T {
	if !masked {
		return nil
	}
	return floats[T](vals[1])
}

func (o *attnOp) DiffWRT(n int) []bool {
	d := make([]bool, n)
	d[0] = true
	return d
}

func (o *attnOp) SymDiff(in G.Nodes, out, grad *G.Node) (G.Nodes, error) {
	types := []hm.Type{tt(o.dt, 2)}
	args := G.Nodes{in[0]}
	if o.masked {
		types = append(types, tt(o.dt, 1))
		args = append(args, in[1])
	}
	types = append(types, tt(o.dt, 2))
	args = append(args, grad)
	op := &attnGradOp{opBase: newBase("AttentionGrad", o.dt, in[0].Shape(), types...), a: o}
	res := make(G.Nodes, len(in))
	res[0] = apply(op, args...)
	return res, nil
}

// attnGradOp computes dqkv from (qkv, [keyMask], dout) and the forward cache.
type attnGradOp struct {
	opBase
	a *attnOp
}

func (o *attnGradOp) Do(vals ...G.Value) (G.Value, error) {
	kp := o.kpool()
	out := o.newOut()
	a := o.a
	dout := vals[len(vals)-1]
	if o.dt == tensor.Float64 {
		kernels.AttentionBackward(kp, a.d, floats[float64](vals[0]), floats[float64](dout), out.Data().([]float64), a.scale, a.rope64, maskOf[float64](a.masked, vals), a.c64)
	} else {
		kernels.AttentionBackward(kp, a.d, floats[float32](vals[0]), floats[float32](dout), out.Data().([]float32), float32(a.scale), a.rope32, maskOf[float32](a.masked, vals), a.c32)
	}
	return out, nil
}
