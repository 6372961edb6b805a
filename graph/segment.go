package graph

import (
	"fmt"
	"slices"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/rmtgo/rmt/graph/kernels"
)

// Shape legend for this file:
//
//	B batch rows, S tokens per segment, M memory tokens, L positions
//	(2M+S for RMT, S+M for ARMT), C model width, V vocabulary,
//	R requested logit rows, K = 6·d_mem ARMT's key width.

// SegmentShape fixes the sizes a segment graph is built and compiled for.
// One graph serves every segment of that shape.
type SegmentShape struct {
	Batch     int  // B
	Tokens    int  // S
	Mem       int  // M; 0 runs plain segments without memory
	LogitRows int  // R rows of logits returned by Forward; 0 for none
	KeyMask   bool // accept a key mask (padded final segments)
	// DMem > 0 builds the associative memory (ARMT) with keys of d_mem:
	// rows [tokens | armt.memory], a read before and a write after every
	// layer; the state is every layer's (A, z).
	DMem int
	// ReadOnly (ARMT) reads memory but has no memory rows and writes
	// nothing: the final segment of a question, as the authors run it.
	ReadOnly bool
	// Features is ARMT's feature map (FeaturesDPFP when empty).
	Features string
}

// memRows is the number of memory rows after the tokens (RMT's write
// copy, ARMT's armt.memory).
func (s SegmentShape) memRows() int {
	if s.ReadOnly {
		return 0
	}
	return s.Mem
}

// Positions is L, the sequence length the decoder sees: 2M+S for RMT,
// S+M for ARMT.
func (s SegmentShape) Positions() int {
	L, _ := s.kind().positions(s)
	return L
}

// TokenOffset is the position of a row's first token.
func (s SegmentShape) TokenOffset() int { return s.kind().tokenOffset(s) }

// Name is the shape as reports show it ("2x72+2x4 masked").
func (s SegmentShape) Name() string {
	name := s.kind().shapeName(s)
	if s.KeyMask {
		name += " masked"
	}
	if s.LogitRows > 0 {
		name += fmt.Sprintf(" %d logit rows", s.LogitRows)
	}
	return name
}

// keyWidth is ARMT's K = 2ν·d_mem.
func (s SegmentShape) keyWidth() int { return 2 * dpfpNu * s.DMem }

// StateParts is the size of each piece of the state handed between
// segments, in the order of the flat state: RMT one (B*M*C), ARMT one per
// layer, B rows of A (K, C) then z (K).
func (s SegmentShape) StateParts(c Config) []int { return s.kind().stateParts(s, c) }

// Batch holds one segment's inputs for every row, in token coordinates:
// index b*S+t is token t of row b.
type Batch[T kernels.Float] struct {
	IDs         []int // (B*S) token ids
	Targets     []int // (B*S) the id each position predicts; ignored where LossWeights is 0
	LossWeights []T   // (B*S) the weight of each prediction in the loss (mask / N)
	KeyMask     []T   // (B*L) 1 for real keys, 0 for padding; nil when unmasked
	LogitRows   []int // (R) token indices b*S+t whose logits Forward returns
}

// Segment is the compiled graph of one segment through the decoder: RMT's
// [mem | tokens | mem] or ARMT's [tokens | armt.memory] with its per-layer
// reads and writes. It computes the loss, the new state (RMT: final-norm
// hidden states at the M write positions; ARMT: every layer's (A, z)),
// optional logits, and, when built for training, the gradients of the
// loss plus sum(stateOut ⊙ gstate) with respect to every parameter and to
// the input state.
type Segment[T kernels.Float] struct {
	Shape SegmentShape
	cfg   Config
	dt    tensor.Dtype
	g     *G.ExprGraph

	ids, targets, lossW, keyMask, rows *G.Node
	params                             []*G.Node
	paramData                          [][]T
	loss, logits, cost                 *G.Node
	grads                              []*G.Node
	// The state, one node per part (StateParts): input, its gradient
	// input, output, and the gradient of the cost with respect to it.
	state, gstate, stateOut, stateGrad []*G.Node
	parts                              []int
	writes                             []*armtWriteOp // ARMT's, for gradient checks to hold γ

	fwd, train G.VM
	sunk       []bool // per gradient: added into the caller's buffer by its op (Backward)

	// kern is where the ops read their kernel settings: the owning Cell's
	// Kernels field, or own for a segment built on its own.
	kern **kernels.Pool
	own  *kernels.Pool
}

// BuildOptions choose what a segment graph computes.
type BuildOptions struct {
	// Train adds the backward pass (parameter and memory gradients).
	Train bool
	// Kernels is how the graph's ops split their work (nil: the kernels'
	// defaults). A Cell passes its own Kernels field instead.
	Kernels *kernels.Pool
	// pool lends the op outputs (a Cell's graphs share one); nil: the
	// graph's ops own theirs.
	pool *bufferPool
	// kern, when set, is where the ops read their settings at each run
	// (&Cell.Kernels), in place of Kernels.
	kern **kernels.Pool
}

// NewSegment builds and compiles the segment graph of w for shape. For
// T = float32 the graph reads the parameters in place, so updates to
// w.Params are seen by the next run; for float64 (gradient checks) it works
// on a copy taken now (see ParamData).
func NewSegment[T kernels.Float](w *Weights, shape SegmentShape, opt BuildOptions) (s *Segment[T], err error) {
	c := w.Config
	if err := checkShape(c, shape); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			s, err = nil, fmt.Errorf("graph: building the segment graph: %v", r)
		}
	}()
	var zero T
	dt := tensor.Float32
	if any(zero) == any(float64(0)) {
		dt = tensor.Float64
	}
	s = &Segment[T]{Shape: shape, cfg: c, dt: dt, g: G.NewGraph()}
	s.build(w, !opt.Train)
	if opt.Train {
		wrt := append(slices.Clone(s.params), s.state...)
		grads, err := G.Grad(s.cost, wrt...)
		if err != nil {
			return nil, fmt.Errorf("graph: differentiating the segment graph: %w", err)
		}
		s.grads = grads[:len(s.params)]
		s.stateGrad = grads[len(s.params):]
		roots := append(append(G.Nodes{s.cost}, grads...), s.stateOut...)
		s.train = G.NewTapeMachine(s.g.SubgraphRoots(roots...))
	}
	fwdRoots := append(G.Nodes{s.loss}, s.stateOut...)
	if s.logits != nil {
		fwdRoots = append(fwdRoots, s.logits)
	}
	s.fwd = G.NewTapeMachine(s.g.SubgraphRoots(fwdRoots...))
	if opt.pool != nil {
		opt.pool.lend(s.g)
	}
	s.own, s.kern = opt.Kernels, opt.kern
	if s.kern == nil {
		s.kern = &s.own
	}
	for _, n := range s.g.AllNodes() {
		if b, ok := n.Op().(interface{ base() *opBase }); ok {
			b.base().kern = s.kern
		}
	}
	return s, nil
}

func checkShape(c Config, shape SegmentShape) error {
	switch {
	case shape.Batch < 1:
		return fmt.Errorf("graph: batch size %d, want at least 1", shape.Batch)
	case shape.Tokens < 1:
		return fmt.Errorf("graph: segment size %d, want at least 1 token", shape.Tokens)
	case shape.Mem < 0:
		return fmt.Errorf("graph: %d memory tokens, want 0 or more", shape.Mem)
	case shape.LogitRows < 0:
		return fmt.Errorf("graph: %d logit rows, want 0 or more", shape.LogitRows)
	case shape.DMem < 0:
		return fmt.Errorf("graph: d_mem %d, want at least 1 (ARMT) or 0 (RMT)", shape.DMem)
	}
	if err := shape.kind().checkShape(shape); err != nil {
		return err
	}
	if L, rule := shape.kind().positions(shape); c.HardPositionLimit() && L > c.MaxPositions() {
		return fmt.Errorf("graph: a segment of %d tokens with %d memory tokens needs %d positions (%s), more than the model's limit n_positions = %d",
			shape.Tokens, shape.Mem, L, rule, c.MaxPositions())
	}
	return nil
}

func (s *Segment[T]) input(name string, dt tensor.Dtype, shape ...int) *G.Node {
	if len(shape) == 1 {
		return G.NewVector(s.g, dt, G.WithShape(shape...), G.WithName(name))
	}
	return G.NewMatrix(s.g, dt, G.WithShape(shape...), G.WithName(name))
}

// build declares the segment graph: parameters and inputs, the decoder,
// the loss, the memory output and the logits. forwardOnly: a graph without
// a backward pass (its attention keeps nothing for one).
func (s *Segment[T]) build(w *Weights, forwardOnly bool) {
	c, sh, dt := s.cfg, s.Shape, s.dt
	B, S, L, C, V := sh.Batch, sh.Tokens, sh.Positions(), c.Hidden(), c.VocabSize
	N := B * L
	p := map[string]*G.Node{}
	for _, prm := range w.Params {
		if prm.Name == MemoryName {
			continue
		}
		data := toT[T](prm.Data)
		t := tensor.New(tensor.WithShape(prm.Shape...), tensor.WithBacking(data))
		n := G.NewTensor(s.g, dt, len(prm.Shape), G.WithShape(prm.Shape...), G.WithName(prm.Name), G.WithValue(t))
		s.params = append(s.params, n)
		s.paramData = append(s.paramData, data)
		p[prm.Name] = n
	}
	s.ids = s.input("ids", tensor.Int, B*S)
	s.targets = s.input("targets", tensor.Int, N)
	s.lossW = s.input("loss_weights", dt, N)
	s.parts = sh.StateParts(c)
	for j, n := range s.parts {
		s.state = append(s.state, s.input(fmt.Sprintf("state.%d", j), dt, sh.kind().stateNode(sh, c, n)...))
	}
	if sh.KeyMask {
		s.keyMask = s.input("key_mask", dt, N)
	}
	mem := sh.kind().layers(dt, sh, c, p, s.state)
	hf, emb := decoder(dt, c, sh, p, s.ids, s.keyMask, forwardOnly, mem)
	head := p[c.HeadName()]
	lop := newLossOp(dt, N, C, V)
	if c.HeadName() == c.EmbeddingName() {
		lop.tied, emb.head = true, lop
	}
	s.loss = apply(lop, hf, head, s.targets, s.lossW)
	s.cost = s.loss
	s.stateOut = mem.handOn(hf)
	if am, ok := mem.(*armtLayers); ok {
		s.writes = am.writes
	}
	for j, out := range s.stateOut {
		g := s.input(fmt.Sprintf("state_grad.%d", j), dt, s.state[j].Shape()...)
		s.gstate = append(s.gstate, g)
		var err error
		if s.cost, err = G.Add(s.cost, apply(newDotOp(dt, 2), out, g)); err != nil {
			panic(err)
		}
	}
	if sh.LogitRows > 0 {
		s.rows = s.input("logit_rows", tensor.Int, sh.LogitRows)
		s.logits = apply(newLogitsOp(dt, sh.LogitRows, C, V), hf, head, s.rows)
	}
}

// decoder declares the transformer on [mem | embed(ids) | mem] (ARMT:
// [embed(ids) | mem]), top to bottom, and returns the final-norm hidden
// states hf (B*L, C), HF's hidden_states[-1], and the embedding op. p maps
// HF parameter names to their nodes; keyMask may be nil. forwardOnly builds
// attention for a graph without a backward pass. mem is the memory's
// pieces: the memory rows (RMT's state or armt.memory) and each layer's
// read and write.
func decoder(dt tensor.Dtype, c Config, sh SegmentShape, p map[string]*G.Node, ids, keyMask *G.Node, forwardOnly bool, mem segmentMemory) (*G.Node, *embedOp) {
	B, S, M, L, C, V := sh.Batch, sh.Tokens, sh.memRows(), sh.Positions(), c.Hidden(), c.VocabSize
	N := B * L
	b := blocks{dt: dt, cfg: c, p: p, keyMask: keyMask}
	if forwardOnly {
		b.c32 = &kernels.AttnCache[float32]{ForwardOnly: true}
		b.c64 = &kernels.AttnCache[float64]{ForwardOnly: true}
	}
	// x: (B*L, C)
	embIn := G.Nodes{p[c.EmbeddingName()], ids}
	if M > 0 {
		embIn = append(embIn, mem.rows())
	}
	if c.IsGPT2() {
		embIn = append(embIn, p["transformer.wpe.weight"])
	}
	emb := newEmbedOp(dt, B, S, M, C, V, c.IsGPT2(), mem.tail())
	x := apply(emb, embIn...)
	for i := 0; i < c.Layers(); i++ {
		x = mem.read(i, x)
		x = b.layer(i, x, N, L)
		mem.write(i, x)
	}
	if c.IsGPT2() {
		return b.norm(x, p["transformer.ln_f.weight"], p["transformer.ln_f.bias"]), emb
	}
	return b.norm(x, p["model.norm.weight"], nil), emb
}

// layer is decoder layer i on x (N = B*L rows of L positions), residuals
// included.
func (b blocks) layer(i int, x *G.Node, N, L int) *G.Node {
	c, dt, p := b.cfg, b.dt, b.p
	C, H, KVH, Dh, F := c.Hidden(), c.Heads(), c.KVHeads(), c.HeadDim(), c.FFN()
	dims := kernels.AttnDims{B: N / L, L: L, H: H, KVH: KVH, Dh: Dh}
	if c.IsGPT2() {
		pre := fmt.Sprintf("transformer.h.%d.", i)
		h := b.norm(x, p[pre+"ln_1.weight"], p[pre+"ln_1.bias"])
		qkv := b.linear(h, false, []int{3 * C}, p[pre+"attn.c_attn.weight"], p[pre+"attn.c_attn.bias"])
		a := b.attention(qkv, dims, false)
		x = apply(newAddOp(dt, x.Shape()), x, b.linear(a, false, []int{C}, p[pre+"attn.c_proj.weight"], p[pre+"attn.c_proj.bias"]))
		h = b.norm(x, p[pre+"ln_2.weight"], p[pre+"ln_2.bias"])
		f := b.linear(h, false, []int{F}, p[pre+"mlp.c_fc.weight"], p[pre+"mlp.c_fc.bias"])
		f = apply(newActOp(dt, N, F, false), f)
		return apply(newAddOp(dt, x.Shape()), x, b.linear(f, false, []int{C}, p[pre+"mlp.c_proj.weight"], p[pre+"mlp.c_proj.bias"]))
	}
	pre := fmt.Sprintf("model.layers.%d.", i)
	at, mlp := pre+"self_attn.", pre+"mlp."
	h := b.norm(x, p[pre+"input_layernorm.weight"], nil)
	qkv := b.linear(h, true, []int{H * Dh, KVH * Dh, KVH * Dh},
		p[at+"q_proj.weight"], p[at+"k_proj.weight"], p[at+"v_proj.weight"],
		p[at+"q_proj.bias"], p[at+"k_proj.bias"], p[at+"v_proj.bias"])
	a := b.attention(qkv, dims, true)
	x = apply(newAddOp(dt, x.Shape()), x, b.linear(a, true, []int{C}, p[at+"o_proj.weight"], p[at+"o_proj.bias"]))
	h = b.norm(x, p[pre+"post_attention_layernorm.weight"], nil)
	gu := b.linear(h, true, []int{F, F}, p[mlp+"gate_proj.weight"], p[mlp+"up_proj.weight"], p[mlp+"gate_proj.bias"], p[mlp+"up_proj.bias"])
	f := apply(newActOp(dt, N, F, true), gu)
	return apply(newAddOp(dt, x.Shape()), x, b.linear(f, true, []int{C}, p[mlp+"down_proj.weight"], p[mlp+"down_proj.bias"]))
}

// blocks declares the pieces of a decoder layer as custom ops.
type blocks struct {
	dt      tensor.Dtype
	cfg     Config
	p       map[string]*G.Node
	keyMask *G.Node
	// Forward-only graphs share one attention cache among all layers (it
	// keeps nothing between calls without a backward pass); nil otherwise.
	c32 *kernels.AttnCache[float32]
	c64 *kernels.AttnCache[float64]
}

func (s blocks) norm(x, g, b *G.Node) *G.Node {
	n, c := x.Shape()[0], x.Shape()[1]
	if b == nil {
		return apply(newNormOp(s.dt, n, c, true, s.cfg.NormEps()), x, g)
	}
	return apply(newNormOp(s.dt, n, c, false, s.cfg.NormEps()), x, g, b)
}

// linear applies weights ws (and biases, nil entries meaning none) to x.
func (s blocks) linear(x *G.Node, transposed bool, outs []int, wb ...*G.Node) *G.Node {
	k := len(outs)
	in := G.Nodes{x}
	in = append(in, wb[:k]...)
	bias := len(wb) == 2*k && wb[k] != nil
	if bias {
		in = append(in, wb[k:]...)
	}
	return apply(newLinearOp(s.dt, x.Shape()[0], x.Shape()[1], outs, transposed, bias), in...)
}

func (s blocks) attention(qkv *G.Node, d kernels.AttnDims, rope bool) *G.Node {
	op := newAttnOp(s.dt, d, s.cfg.AttnScale(), rope, s.cfg.Theta(), s.keyMask != nil)
	if s.c32 != nil {
		op.c32, op.c64 = s.c32, s.c64
	}
	if s.keyMask != nil {
		return apply(op, qkv, s.keyMask)
	}
	return apply(op, qkv)
}

// toT returns data as []T: the same slice for float32, a copy for float64.
func toT[T kernels.Float](data []float32) []T {
	if out, ok := any(data).([]T); ok {
		return out
	}
	out := make([]T, len(data))
	for i, v := range data {
		out[i] = T(v)
	}
	return out
}

// ParamData returns the values the graph reads for parameter i (in
// Weights.Params order, rmt.memory excluded): for float64 graphs a copy that
// gradient checks may perturb.
func (s *Segment[T]) ParamData(i int) []T { return s.paramData[i] }

// NumParams is the number of parameter tensors in the graph.
func (s *Segment[T]) NumParams() int { return len(s.params) }

// Result is what one segment run returns. Slices are fresh copies.
type Result[T kernels.Float] struct {
	Loss   float64
	MemOut []T // the new state (RMT: B*M*C, the new memory)
	Logits []T // (R*V) logits at Batch.LogitRows
}

func (s *Segment[T]) bind(in *Batch[T], mem, gmem []T, train bool) error {
	sh := s.Shape
	B, S, L, O := sh.Batch, sh.Tokens, sh.Positions(), sh.TokenOffset()
	if len(in.IDs) != B*S {
		return fmt.Errorf("graph: %d token ids, want %d (batch %d x segment %d)", len(in.IDs), B*S, B, S)
	}
	for i, id := range in.IDs {
		if id < 0 || id >= s.cfg.VocabSize {
			return fmt.Errorf("graph: token id %d at position %d is outside the vocabulary [0, %d)", id, i, s.cfg.VocabSize)
		}
	}
	// Targets and weights live on the L positions of each row; memory rows
	// carry weight 0.
	targets, weights := make([]int, B*L), make([]T, B*L)
	if in.LossWeights != nil {
		if len(in.LossWeights) != B*S || len(in.Targets) != B*S {
			return fmt.Errorf("graph: %d targets and %d loss weights, want %d each", len(in.Targets), len(in.LossWeights), B*S)
		}
		for b := 0; b < B; b++ {
			for t := 0; t < S; t++ {
				targets[b*L+O+t], weights[b*L+O+t] = in.Targets[b*S+t], in.LossWeights[b*S+t]
			}
		}
	}
	lets := []binding{{s.ids, vec(in.IDs)}, {s.targets, vec(targets)}, {s.lossW, vec(weights)}}
	if n := sumInts(s.parts); n > 0 {
		if len(mem) != n {
			return fmt.Errorf("graph: memory state has %d values, want %d (%s)", len(mem), n, s.stateDesc())
		}
		if gmem == nil && len(s.gstate) > 0 {
			gmem = make([]T, n)
		}
		if gmem != nil && len(gmem) != n {
			return fmt.Errorf("graph: memory state gradient has %d values, want %d", len(gmem), n)
		}
		off := 0
		for j, size := range s.parts {
			sh := s.state[j].Shape()
			lets = append(lets, binding{s.state[j], mat(mem[off:off+size], sh[0], sh[1])})
			if j < len(s.gstate) {
				lets = append(lets, binding{s.gstate[j], mat(gmem[off:off+size], sh[0], sh[1])})
			}
			off += size
		}
	}
	if s.keyMask != nil {
		km := in.KeyMask
		if km == nil {
			km = make([]T, B*L)
			for i := range km {
				km[i] = 1
			}
		}
		if len(km) != B*L {
			return fmt.Errorf("graph: key mask has %d values, want %d (batch %d x %d positions)", len(km), B*L, B, L)
		}
		lets = append(lets, binding{s.keyMask, vec(km)})
	}
	if s.rows != nil && !train {
		if len(in.LogitRows) != sh.LogitRows {
			return fmt.Errorf("graph: %d logit rows requested, the graph was built for %d", len(in.LogitRows), sh.LogitRows)
		}
		rows := make([]int, len(in.LogitRows))
		for i, r := range in.LogitRows {
			if r < 0 || r >= B*S {
				return fmt.Errorf("graph: logit row %d outside [0, %d)", r, B*S)
			}
			rows[i] = (r/S)*L + O + r%S
		}
		lets = append(lets, binding{s.rows, vec(rows)})
	}
	for _, l := range lets {
		if err := G.Let(l.n, l.v); err != nil {
			return fmt.Errorf("graph: binding %s: %w", l.n.Name(), err)
		}
	}
	return nil
}

// binding is an input node and the value a run gives it.
type binding struct {
	n *G.Node
	v tensor.Tensor
}

func vec[E any](x []E) *tensor.Dense {
	return tensor.New(tensor.WithShape(len(x)), tensor.WithBacking(x))
}

func mat[E any](x []E, r, c int) *tensor.Dense {
	return tensor.New(tensor.WithShape(r, c), tensor.WithBacking(x))
}

func clone[T kernels.Float](n *G.Node) []T {
	if n == nil || n.Value() == nil {
		return nil
	}
	return slices.Clone(floats[T](n.Value()))
}

// stateDesc describes the state's layout for errors.
func (s *Segment[T]) stateDesc() string { return s.Shape.kind().stateDesc(s.Shape, s.cfg) }

// StateSize is the number of values of the state the segment reads.
func (s *Segment[T]) StateSize() int { return sumInts(s.parts) }

func sumInts(x []int) int {
	n := 0
	for _, v := range x {
		n += v
	}
	return n
}

// concat returns the values of nodes one after the other (nil for none).
func concat[T kernels.Float](nodes []*G.Node) []T {
	var out []T
	for _, n := range nodes {
		out = append(out, floats[T](n.Value())...)
	}
	return out
}

// Forward runs the segment without gradients: the state (StateSize values)
// in, the loss, the new state and the requested logits out. A read-only
// segment returns no new state.
func (s *Segment[T]) Forward(in *Batch[T], mem []T) (Result[T], error) {
	s.fwd.Reset()
	if err := s.bind(in, mem, nil, false); err != nil {
		return Result[T]{}, err
	}
	if err := s.fwd.RunAll(); err != nil {
		return Result[T]{}, fmt.Errorf("graph: forward: %w", err)
	}
	return Result[T]{Loss: scalarOf(s.loss.Value()), MemOut: concat[T](s.stateOut), Logits: clone[T](s.logits)}, nil
}

// Backward re-runs the segment from the state mem with gradients of
// loss + sum(stateOut ⊙ gmem) (gmem nil means zero). It adds each
// parameter's gradient into grads[i] (Weights.Params order, rmt.memory
// excluded; a nil entry is allocated) and returns the gradient with respect
// to mem.
func (s *Segment[T]) Backward(in *Batch[T], mem, gmem []T, grads [][]T) (Result[T], []T, error) {
	if s.train == nil {
		return Result[T]{}, nil, fmt.Errorf("graph: Backward on a segment built without Train")
	}
	if len(grads) != len(s.params) {
		return Result[T]{}, nil, fmt.Errorf("graph: %d gradient buffers, want %d", len(grads), len(s.params))
	}
	s.train.Reset()
	if err := s.bind(in, mem, gmem, true); err != nil {
		return Result[T]{}, nil, err
	}
	// A gradient computed by one of our ops is added into grads[i] by the
	// op itself; one that Gorgonia sums over several uses (a tied head) is
	// added below.
	if len(s.sunk) != len(s.grads) {
		s.sunk = make([]bool, len(s.grads))
	}
	sunk := s.sunk
	for i, gn := range s.grads {
		if grads[i] == nil {
			grads[i] = make([]T, gn.Shape().TotalSize())
		}
		if op, ok := gn.Op().(sinker); ok {
			sunk[i] = op.setSink(grads[i])
		}
	}
	defer func() {
		for i, gn := range s.grads {
			if sunk[i] {
				gn.Op().(sinker).setSink(nil)
			}
		}
	}()
	if err := s.train.RunAll(); err != nil {
		return Result[T]{}, nil, fmt.Errorf("graph: backward: %w", err)
	}
	kp := *s.kern
	for i, gn := range s.grads {
		if sunk[i] {
			continue
		}
		g := floats[T](gn.Value())
		dst := grads[i]
		kp.For(len(g), 1<<15, func(lo, hi int) {
			for j := lo; j < hi; j++ {
				dst[j] += g[j]
			}
		})
	}
	res := Result[T]{Loss: scalarOf(s.loss.Value()), MemOut: concat[T](s.stateOut)}
	return res, concat[T](s.stateGrad), nil
}
