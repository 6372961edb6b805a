package graph

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rmtgo/rmt/graph/kernels"
)

// The Recurrent Memory Transformer (Bulatov et al. 2022, 2023) around any
// decoder this package builds. A row of tokens is cut into segments of S;
// segment i runs as
//
//	E_i   = [ mem_{i-1} | embed(x_i) | mem_{i-1} ]        (M + S + M rows)
//	H_i   = decoder(E_i)                                   positions 0..L-1
//	mem_i = H_i[M+S : L]                                   final-norm states at the write rows
//	z_i   = head(H_i[M : M+S])                             token logits
//
// with mem_0 = rmt.memory (M, C) for every row. The loss is the shifted
// cross-entropy over the concatenation z_1 ... z_n, one mean over every
// scored prediction of the batch.

// InitMemory adds rmt.memory (m, C) to w, drawn as randn(m, C) times the
// standard deviation of the token embedding (unbiased), as the official
// create_memory does.
func InitMemory(w *Weights, m int, seed uint64) error {
	if m <= 0 {
		return fmt.Errorf("graph: %d memory tokens, want at least 1", m)
	}
	std := embeddingStd(w)
	rng := rand.New(rand.NewPCG(seed, 0x6d656d))
	C := w.Config.Hidden()
	p := &Param{Name: MemoryName, Shape: []int{m, C}, Data: make([]float32, m*C)}
	for i := range p.Data {
		p.Data[i] = float32(rng.NormFloat64() * std)
	}
	return w.Add(p)
}

// embeddingStd is the standard deviation (unbiased) of the token embedding.
func embeddingStd(w *Weights) float64 {
	emb := w.Get(w.Config.EmbeddingName())
	var sum, sq float64
	for _, v := range emb.Data {
		sum += float64(v)
	}
	mean := sum / float64(len(emb.Data))
	for _, v := range emb.Data {
		sq += (float64(v) - mean) * (float64(v) - mean)
	}
	return math.Sqrt(sq / float64(len(emb.Data)-1))
}

// Sequence is a batch of token rows for a memory run. Every row must cut
// into the same number of segments; a row whose last segment is short is
// padded, with the padding masked out of attention and of the loss.
type Sequence struct {
	IDs [][]int // B rows of token ids
	// Score[b][t] selects the prediction made at position t (of IDs[b][t+1])
	// for the loss. nil scores every prediction (language modelling).
	Score [][]bool
	// Part, when set, says that these rows are one process's share of a
	// larger batch split across processes (data parallelism): the loss and
	// the stability penalty are then this share's part of the whole
	// batch's objective, so that the shares' gradients sum to the whole
	// batch's, and memory noise is drawn as for the whole batch.
	Part *Part
}

// Part places a Sequence inside a whole batch.
type Part struct {
	Row    int // index of the Sequence's first row in the whole batch
	Rows   int // rows in the whole batch
	Scored int // scored predictions in the whole batch: the loss normaliser
}

// Cell runs a decoder with M memory tokens over segments of S tokens. It
// keeps one compiled graph per segment shape (full segments, and a padded
// last segment when needed) and reuses it for every segment.
type Cell[T kernels.Float] struct {
	W        *Weights
	Mem, Seg int
	// DMem > 0 makes the memory associative (ARMT, armt.go) with keys of
	// DMem; 0 is RMT. Everything below serves both kinds: only the segment
	// graph and the state it hands on differ.
	DMem int
	// Features is ARMT's feature map (FeaturesDPFP when empty).
	Features string
	// traceGammas makes every graph's ARMT writes record their γ
	// (TraceGammas, armt_inspect.go).
	traceGammas bool
	train       bool
	graphs      map[SegmentShape]*Segment[T]
	// grads is the one set of parameter gradients Gradients fills, in
	// W.Params order: allocated by the first call, cleared and refilled by
	// every later one, so that a training step allocates no gradient
	// buffers after the first.
	grads [][]T
	// pool lends op outputs to all the cell's graphs (bufferPool).
	pool *bufferPool
	// twins are the cells Twins made.
	twins []*Cell[T]
	// Mem0, when set, replaces rmt.memory (M*C values) as the initial
	// memory: float64 gradient checks perturb it without float32 rounding.
	Mem0 []T
	// MemNoise, when above 0, makes Gradients add Gaussian noise to every
	// memory hand-off (mem_1..mem_{n-1}): each memory token gets noise of
	// MemNoise times its own RMS, drawn from NoiseSeed. The noise enters
	// the stored state, so the replays see it too and its gradient is the
	// identity (its scale counts as a constant). It trains memory to survive small perturbations, that is
	// to hold its content at a stable point of the hand-off map rather
	// than along a path that only works for the hand-off count trained on.
	MemNoise  float64
	NoiseSeed uint64
	// MemStability, when above 0, adds to the training objective of
	// Gradients the penalty MemStability * sum_j mean((mem_j - mem_{j-1})^2)
	// over consecutive hand-offs j = 2..n-1 (the first state written from
	// rmt.memory is free). It asks memory to change little once written,
	// so that content survives more hand-offs than the ones trained on; a
	// task whose facts arrive late pays for it in writing them. With
	// MemNoise the states compared are the ones before noise: segment j,
	// read from a noisy mem_{j-1}, is asked to give back the clean one.
	MemStability float64
	// Kernels is how the cell's ops split their work across threads (nil:
	// the kernels' defaults, GOMAXPROCS workers with spinning helpers).
	// Every op of the cell's graphs reads it at each run, so a change
	// between runs reaches graphs already compiled; two cells with
	// different Kernels run side by side in one process without seeing
	// each other's. Twins copies it.
	Kernels *kernels.Pool
	// KeepEvery sets which states Gradients keeps from its forward pass:
	// every KeepEvery-th (and the initial one); the replay recomputes the
	// others a stretch at a time from the nearest kept one, so a run of n
	// segments holds about n/k + k states at once for one more forward of
	// each segment. 0 chooses: every state for RMT (M x C per row, small),
	// about √n for ARMT (a d_key x C matrix per layer per row). With
	// MemStability or MemNoise every state is kept.
	KeepEvery int
}

// keepEvery is the interval of kept states for n segments.
func (c *Cell[T]) keepEvery(n int) int {
	switch {
	case c.MemStability > 0 || c.MemNoise > 0:
		return 1
	case c.KeepEvery > 0:
		return c.KeepEvery
	}
	return c.kind().keepEvery(n)
}

// stability is the MemStability penalty over hand-offs mem_1..mem_{n-1}
// of mems (mem_0..mem_n), and, when grad is true, its gradient with
// respect to each mem_j (nil where zero).
// share is the fraction of the whole batch's rows that mems holds (1 but
// for a Sequence.Part): the penalty is a mean over the whole batch.
func (c *Cell[T]) stability(mems [][]T, n int, grad bool, share float64) (float64, [][]T) {
	if c.MemStability <= 0 || c.Mem == 0 || n < 3 {
		return 0, nil
	}
	var pen float64
	var gs [][]T
	if grad {
		gs = make([][]T, n)
	}
	for j := 2; j <= n-1; j++ {
		a, b := mems[j], mems[j-1]
		scale := c.MemStability / float64(len(a)) * share
		var ss float64
		if grad && gs[j] == nil {
			gs[j] = make([]T, len(a))
		}
		if grad && gs[j-1] == nil {
			gs[j-1] = make([]T, len(a))
		}
		for k := range a {
			d := float64(a[k]) - float64(b[k])
			ss += d * d
			if grad {
				gs[j][k] += T(2 * scale * d)
				gs[j-1][k] -= T(2 * scale * d)
			}
		}
		pen += scale * ss
	}
	return pen, gs
}

// StabilityPenalty is the MemStability penalty of a forward trace over n
// segments (Trace.Mems holds mem_0..mem_n).
func (c *Cell[T]) StabilityPenalty(tr *Trace[T]) float64 {
	pen, _ := c.stability(tr.Mems, len(tr.Mems)-1, false, 1)
	return pen
}

// NewCell prepares a cell for w with m memory tokens (w must hold its
// memory's parameters when m > 0) and segments of s tokens, of the memory
// kind w holds (MemoryOf). train builds graphs with the backward pass.
func NewCell[T kernels.Float](w *Weights, m, s int, train bool) (*Cell[T], error) {
	kind := MemoryOf(w)
	kind.Tokens = m
	if m == 0 {
		kind = Memory{Kind: KindRMT} // no memory: the plain decoder
	}
	return NewMemoryCell[T](w, kind, s, train)
}

// NewMemoryCell prepares a cell of any memory kind for w (which must hold
// that kind's parameters) with segments of s tokens.
func NewMemoryCell[T kernels.Float](w *Weights, mem Memory, s int, train bool) (*Cell[T], error) {
	k, err := mem.kind()
	if err != nil {
		return nil, err
	}
	c := w.Config
	if s < 1 {
		return nil, fmt.Errorf("graph: segment size %d, want at least 1", s)
	}
	sh := SegmentShape{Batch: 1, Tokens: s, Mem: mem.Tokens, DMem: mem.DMem}
	if L, rule := k.positions(sh); c.HardPositionLimit() && L > c.MaxPositions() {
		return nil, fmt.Errorf("graph: segment size %d with %d memory tokens needs %s = %d positions, more than n_positions = %d; lower the segment size or the memory tokens",
			s, mem.Tokens, rule, L, c.MaxPositions())
	}
	if err := k.holds(w, mem); err != nil {
		return nil, err
	}
	return &Cell[T]{W: w, Mem: mem.Tokens, DMem: mem.DMem, Features: mem.ARMTFeatures(), Seg: s, train: train, graphs: map[SegmentShape]*Segment[T]{}}, nil
}

// Twins returns n cells for n goroutines: c itself and n-1 cells of the
// same weights, memory, segments and settings with graphs and buffers of
// their own (a cell's graphs hold their activations, so one cell runs one
// segment at a time). The twins are made on first need and kept, so their
// graphs are compiled once; the weights are shared and must not change
// while the cells run.
func (c *Cell[T]) Twins(n int) []*Cell[T] {
	cells := []*Cell[T]{c}
	for i := range max(n-1, 0) {
		if i == len(c.twins) {
			c.twins = append(c.twins, &Cell[T]{graphs: map[SegmentShape]*Segment[T]{}})
		}
		t := c.twins[i]
		own := *t
		*t = *c // every setting, those added later included
		t.graphs, t.grads, t.pool, t.twins = own.graphs, own.grads, own.pool, nil
		cells = append(cells, t)
	}
	return cells
}

func (c *Cell[T]) graph(shape SegmentShape) (*Segment[T], error) {
	if g, ok := c.graphs[shape]; ok {
		return g, nil
	}
	// Gradients never asks for logits: a shape with logit rows (generation)
	// is only ever run forward, so it is built without the backward pass.
	if c.pool == nil {
		c.pool = newBufferPool()
	}
	g, err := NewSegment[T](c.W, shape, BuildOptions{Train: c.train && shape.LogitRows == 0, pool: c.pool, kern: &c.Kernels})
	if err != nil {
		return nil, err
	}
	if c.traceGammas {
		g.TraceGammas()
	}
	c.graphs[shape] = g
	return g, nil
}

// Kind is the cell's memory kind.
func (c *Cell[T]) Kind() Memory {
	return Memory{Kind: c.kind().name(), Tokens: c.Mem, DMem: c.DMem, Features: c.Features}
}

func (c *Cell[T]) kind() memoryKind { return c.Shape(1).kind() }

// Shape is the segment shape of the cell for b rows.
func (c *Cell[T]) Shape(b int) SegmentShape {
	return SegmentShape{Batch: b, Tokens: c.Seg, Mem: c.Mem, DMem: c.DMem, Features: c.Features}
}

// InitialMemory is the state before segment 1 for b rows: RMT's mem_0,
// rmt.memory (or Mem0) repeated (b*M*C); ARMT's zero (A_l, z_l) of every
// layer; nil without memory.
func (c *Cell[T]) InitialMemory(b int) []T {
	sh := c.Shape(b)
	m0 := c.Mem0
	if m0 == nil {
		if row := sh.kind().initialRow(c.W, sh); row != nil {
			m0 = toT[T](row)
		}
	}
	if m0 == nil {
		if n := sumInts(sh.StateParts(c.W.Config)); n > 0 {
			return make([]T, n)
		}
		return nil
	}
	out := make([]T, 0, b*len(m0))
	for range b {
		out = append(out, m0...)
	}
	return out
}

// plan is a Sequence cut into segments: per segment, the graph shape and
// the batch of inputs (targets shifted over the whole row).
type plan[T kernels.Float] struct {
	shapes  []SegmentShape
	batches []*Batch[T]
	scored  []bool  // whether the segment has any scored prediction
	n       int     // scored predictions in the whole batch (the loss normaliser)
	share   float64 // the Sequence's fraction of the whole batch's rows (Part)
	row0    int     // its first row's index in the whole batch (Part)
}

func (c *Cell[T]) plan(seq Sequence) (*plan[T], error) {
	B := len(seq.IDs)
	if B == 0 {
		return nil, fmt.Errorf("graph: empty batch")
	}
	if seq.Score != nil && len(seq.Score) != B {
		return nil, fmt.Errorf("graph: %d score rows for %d token rows", len(seq.Score), B)
	}
	S := c.Seg
	nseg := -1
	for b, row := range seq.IDs {
		if len(row) == 0 {
			return nil, fmt.Errorf("graph: row %d is empty", b)
		}
		if seq.Score != nil && len(seq.Score[b]) != len(row) {
			return nil, fmt.Errorf("graph: row %d has %d tokens and %d score flags", b, len(row), len(seq.Score[b]))
		}
		n := (len(row) + S - 1) / S
		if nseg >= 0 && n != nseg {
			return nil, fmt.Errorf("graph: row %d cuts into %d segments of %d tokens, row 0 into %d; every row of a batch needs the same segment count", b, n, S, nseg)
		}
		nseg = n
	}
	p := &plan[T]{}
	for b, row := range seq.IDs {
		for t := 0; t+1 < len(row); t++ {
			if seq.Score == nil || seq.Score[b][t] {
				p.n++
			}
		}
	}
	p.share = 1
	if pt := seq.Part; pt != nil {
		if pt.Row < 0 || pt.Rows < pt.Row+B || pt.Scored < p.n {
			return nil, fmt.Errorf("graph: part of a batch at row %d of %d with %d scored predictions cannot hold %d rows with %d", pt.Row, pt.Rows, pt.Scored, B, p.n)
		}
		p.n, p.share, p.row0 = pt.Scored, float64(B)/float64(pt.Rows), pt.Row
	}
	w := T(0)
	if p.n > 0 {
		w = 1 / T(p.n)
	}
	shape := c.Shape(B)
	L, O := shape.Positions(), shape.TokenOffset()
	for i := 0; i < nseg; i++ {
		in := &Batch[T]{IDs: make([]int, B*S), Targets: make([]int, B*S), LossWeights: make([]T, B*S)}
		padded := false
		for b, row := range seq.IDs {
			for t := 0; t < S; t++ {
				pos := i*S + t
				if pos >= len(row) {
					padded = true
					continue
				}
				in.IDs[b*S+t] = row[pos]
				if pos+1 < len(row) && (seq.Score == nil || seq.Score[b][pos]) {
					in.Targets[b*S+t], in.LossWeights[b*S+t] = row[pos+1], w
				}
			}
		}
		if padded {
			in.KeyMask = make([]T, B*L)
			for b, row := range seq.IDs {
				for t := 0; t < L; t++ {
					tok := t - O
					if tok < 0 || tok >= S || i*S+tok < len(row) {
						in.KeyMask[b*L+t] = 1
					}
				}
			}
		}
		scored := slices.ContainsFunc(in.LossWeights, func(x T) bool { return x != 0 })
		sh := shape
		sh.KeyMask = padded
		p.shapes = append(p.shapes, sh)
		p.batches = append(p.batches, in)
		p.scored = append(p.scored, scored)
	}
	return p, nil
}

// segment is segment i's graph shape and inputs (Cell.Run).
func (p *plan[T]) segment(i int) (SegmentShape, *Batch[T]) { return p.shapes[i], p.batches[i] }

// Trace is a forward run over a Sequence.
type Trace[T kernels.Float] struct {
	Loss      float64   // mean over every scored prediction of the batch
	LossParts []float64 // each segment's share; they sum to Loss
	Mems      [][]T     // mem_0 .. mem_n, each (B*M*C)
	// clean holds the hand-offs before training noise (nil without noise).
	clean [][]T
}

// Forward runs every segment without gradients, carrying memory.
func (c *Cell[T]) Forward(seq Sequence) (*Trace[T], error) {
	p, err := c.plan(seq)
	if err != nil {
		return nil, err
	}
	return c.run(p, len(p.shapes), len(seq.IDs), false)
}

// run forwards the first n segments of a plan for b rows; noisy adds the
// hand-off noise of MemNoise.
func (c *Cell[T]) run(p *plan[T], n, b int, noisy bool) (*Trace[T], error) {
	tr := &Trace[T]{Mems: [][]T{c.InitialMemory(b)}}
	_, err := c.Run(tr.Mems[0], 0, n, p.segment, func(i int, r *Result[T]) {
		tr.Loss += r.Loss
		tr.LossParts = append(tr.LossParts, r.Loss)
		if noisy && c.MemNoise > 0 && c.Mem > 0 {
			if c.MemStability > 0 {
				tr.clean = append(tr.clean, slices.Clone(r.MemOut))
			}
			addMemNoise(r.MemOut, c.W.Config.Hidden(), c.MemNoise, c.NoiseSeed, i, p.row0*c.Mem)
		}
		tr.Mems = append(tr.Mems, r.MemOut)
	})
	if err != nil {
		return nil, err
	}
	return tr, nil
}

// addMemNoise adds to each memory token (row of width C) of mem Gaussian
// noise of sigma times the row's RMS, from a stream of (seed, hand-off).
// The stream's first skip tokens' draws belong to rows of the batch that
// other processes hold (Sequence.Part).
func addMemNoise[T kernels.Float](mem []T, C int, sigma float64, seed uint64, handoff, skip int) {
	rng := rand.New(rand.NewPCG(seed, uint64(handoff)))
	for range skip * C {
		rng.NormFloat64()
	}
	for off := 0; off+C <= len(mem); off += C {
		row := mem[off : off+C]
		ss := 0.0
		for _, v := range row {
			ss += float64(v) * float64(v)
		}
		s := sigma * math.Sqrt(ss/float64(C))
		for j := range row {
			row[j] += T(s * rng.NormFloat64())
		}
	}
}

// Gradients is the result of backprop through time over a Sequence.
type Gradients[T kernels.Float] struct {
	*Trace[T]
	// Params holds the gradient of the loss for every parameter, in
	// W.Params order (rmt.memory included, summed over the batch rows).
	// The buffers belong to the cell: the next Gradients call clears and
	// refills them, so a caller that keeps gradients across calls copies.
	Params [][]T
	// The Trace's mem_n is nil when the last segment needed no replay;
	// with KeepEvery above 1 only the kept states are left (the others nil).
	// Handoff[j-1] is dLoss/dmem_j as carried into the replay of segment j
	// (zero across a truncation cut), j = 1..n-1; kept only when every
	// state is (KeepEvery 1), else nil.
	Handoff [][]T
	// Replayed counts the segments that needed a backward pass.
	Replayed int
	// Penalty is the MemStability term of the objective (not in Loss).
	Penalty float64
}

// Gradients backpropagates through the memory chain by segment replay
// (docs/method.md), in the memory of one segment whatever the count:
//
//  1. forward segments 1..n-1 without gradients, keeping only the memory
//     states (segment n is only ever run in its replay: mem_n feeds nothing);
//  2. for i = n..1, re-run segment i from mem_{i-1} with the objective
//     loss_i + sum(mem_i ⊙ g_i), add its parameter gradients, and take
//     g_{i-1} = d objective / d mem_{i-1}.
//
// depth k < 0 backpropagates through every hand-off; otherwise the
// gradient crosses only the hand-offs inside the last k segments: g_i is
// set to zero for i <= n-k, so a segment outside the window learns from its
// own loss alone. rmt.memory always receives segment 1's g_0 (ARMT's
// initial state is zero, not a parameter). A segment with no scored
// prediction and a zero g needs no replay at all. Step 1 keeps only every
// KeepEvery-th state; step 2 recomputes a missing mem_{i-1} from the kept
// state before it, keeping that stretch until its replay is done. With
// MemStability the objective also holds the stability penalty, whose
// gradient with respect to mem_i joins g_i inside the window.
func (c *Cell[T]) Gradients(seq Sequence, depth int) (*Gradients[T], error) {
	if !c.train {
		return nil, fmt.Errorf("graph: Gradients on a cell built without train")
	}
	if depth == 0 {
		return nil, fmt.Errorf("graph: bptt depth 0; want -1 (all segments) or at least 1")
	}
	if c.MemNoise > 0 && !c.kind().takesNoise() {
		return nil, fmt.Errorf("graph: memory noise perturbs rmt memory tokens; the %s memory takes none", c.kind().name())
	}
	p, err := c.plan(seq)
	if err != nil {
		return nil, err
	}
	// Step 1 runs segments 1..n-1 only: mem_n feeds nothing, and the last
	// segment's loss comes out of its replay.
	n := len(p.shapes)
	k := c.keepEvery(n)
	var tr *Trace[T]
	if k == 1 {
		tr, err = c.run(p, n-1, len(seq.IDs), true)
	} else {
		tr = &Trace[T]{Mems: make([][]T, n)}
		tr.Mems[0] = c.InitialMemory(len(seq.IDs))
		tr.LossParts = make([]float64, n-1)
		err = c.recompute(p, tr, 0, n-1, func(i int) bool { return i%k == 0 })
		for _, l := range tr.LossParts {
			tr.Loss += l
		}
	}
	if err != nil {
		return nil, err
	}
	tr.LossParts = append(tr.LossParts, 0)
	tr.Mems = append(tr.Mems, nil)
	out := &Gradients[T]{Trace: tr, Params: c.gradBuffers(), Handoff: make([][]T, max(n-1, 0))}
	segGrads := make([][]T, 0, len(c.W.Params))
	memIdx := -1
	for i, prm := range c.W.Params {
		if prm.Name == MemoryName {
			memIdx = i
			continue
		}
		segGrads = append(segGrads, out.Params[i])
	}
	var pg [][]T // gradient of the stability penalty per hand-off
	states := tr.Mems
	if tr.clean != nil {
		states = append([][]T{tr.Mems[0]}, tr.clean...) // mem_0 has no noise
	}
	out.Penalty, pg = c.stability(states, n, true, p.share)
	var g []T // dLoss/dmem_i entering the replay of segment i; nil is zero
	for i := n; i >= 1; i-- {
		if i < n && pg != nil && pg[i] != nil && !(depth > 0 && i <= n-depth) {
			if g == nil {
				g = make([]T, len(pg[i]))
			}
			for k, v := range pg[i] {
				g[k] += v
			}
		}
		if i < n && k == 1 {
			out.Handoff[i-1] = g
			if g == nil {
				out.Handoff[i-1] = make([]T, len(tr.Mems[0]))
			}
		}
		if i < n && i%k != 0 {
			tr.Mems[i] = nil // recomputed for this stretch only
		}
		if g == nil && !p.scored[i-1] {
			continue
		}
		if tr.Mems[i-1] == nil {
			from := (i - 1) / k * k
			if err := c.recompute(p, tr, from, i-1, func(int) bool { return true }); err != nil {
				return nil, err
			}
		}
		seg, err := c.graph(p.shapes[i-1])
		if err != nil {
			return nil, err
		}
		r, dmem, err := seg.Backward(p.batches[i-1], tr.Mems[i-1], g, segGrads)
		if err != nil {
			return nil, fmt.Errorf("segment %d: %w", i, err)
		}
		if i == n {
			tr.Loss += r.Loss
			tr.LossParts[n-1], tr.Mems[n] = r.Loss, r.MemOut
		}
		out.Replayed++
		if i == 1 && memIdx >= 0 {
			sumRows(out.Params[memIdx], dmem)
		}
		g = dmem
		if depth > 0 && i-1 <= n-depth {
			g = nil // truncation cut: nothing crosses into mem_{i-1}
		}
	}
	return out, nil
}

// recompute runs segments from+1..to forward from tr.Mems[from], storing
// state i in tr.Mems[i] where keep(i) and each segment's loss in
// tr.LossParts when that slot is still zero.
func (c *Cell[T]) recompute(p *plan[T], tr *Trace[T], from, to int, keep func(int) bool) error {
	_, err := c.Run(tr.Mems[from], from, to, p.segment, func(j int, r *Result[T]) {
		i := j + 1 // state i is segment i's (1-based) output
		if tr.LossParts[i-1] == 0 {
			tr.LossParts[i-1] = r.Loss
		}
		if keep(i) {
			tr.Mems[i] = r.MemOut
		}
	})
	return err
}

// gradBuffers returns the cell's gradient buffers, one per parameter in
// W.Params order, cleared: allocated on the first call, reused after.
func (c *Cell[T]) gradBuffers() [][]T {
	if len(c.grads) != len(c.W.Params) {
		c.grads = make([][]T, len(c.W.Params))
	}
	for i, prm := range c.W.Params {
		if len(c.grads[i]) != prm.Size() {
			c.grads[i] = make([]T, prm.Size())
			continue
		}
		clear(c.grads[i])
	}
	return c.grads
}

// sumRows adds the B row blocks of x into dst (len(dst) values each).
func sumRows[T kernels.Float](dst, x []T) {
	for off := 0; off < len(x); off += len(dst) {
		for j := range dst {
			dst[j] += x[off+j]
		}
	}
}
