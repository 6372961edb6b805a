package train

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

func optParam(name string, data ...float32) *graph.Param {
	return &graph.Param{Name: name, Shape: []int{len(data)}, Data: data}
}

// refAdamW is an independent float64 AdamW written from the paper's
// Algorithm 2 in the PyTorch form: decay p first, then take the Adam step.
type refAdamW struct {
	b1, b2, eps, wd float64
	t               int
	m, v            []float64
}

func (r *refAdamW) step(p, g []float64, lr float64) {
	if r.m == nil {
		r.m, r.v = make([]float64, len(p)), make([]float64, len(p))
	}
	r.t++
	for i := range p {
		r.m[i] = r.b1*r.m[i] + (1-r.b1)*g[i]
		r.v[i] = r.b2*r.v[i] + (1-r.b2)*g[i]*g[i]
		mhat := r.m[i] / (1 - math.Pow(r.b1, float64(r.t)))
		vhat := r.v[i] / (1 - math.Pow(r.b2, float64(r.t)))
		p[i] *= 1 - lr*r.wd
		p[i] -= lr * mhat / (math.Sqrt(vhat) + r.eps)
	}
}

func optClose(got float32, want, tol float64) bool {
	return math.Abs(float64(got)-want) <= tol*max(1, math.Abs(want))
}

func TestAdamWTwoSteps(t *testing.T) {
	cfg := AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.1}
	p0 := []float64{0.5, -1.25, 2, 0}
	g1 := []float64{0.1, -0.2, 0.3, 0}
	g2 := []float64{-0.05, 0.4, 0.3, 1e-3}
	const lr = 0.01

	w := optParam("w", optF32(p0)...)
	opt := NewAdamW(cfg)
	if _, err := opt.Update([]*graph.Param{w}, [][]float32{optF32(g1)}, lr); err != nil {
		t.Fatalf("Update(step 1) = %v, want nil", err)
	}
	// Step 1 by hand: m̂ = g, v̂ = g², so the Adam step is lr·g/(|g|+ε).
	for i, p := range p0 {
		want := p*(1-lr*cfg.WeightDecay) - lr*g1[i]/(math.Abs(g1[i])+cfg.Eps)
		if !optClose(w.Data[i], want, 1e-6) {
			t.Errorf("Update step 1: w[%d] = %.9g, want %.9g", i, w.Data[i], want)
		}
	}
	if _, err := opt.Update([]*graph.Param{w}, [][]float32{optF32(g2)}, lr); err != nil {
		t.Fatalf("Update(step 2) = %v, want nil", err)
	}

	// Step 2 against the reference, fed the same float32-rounded inputs.
	ref := &refAdamW{b1: cfg.Beta1, b2: cfg.Beta2, eps: cfg.Eps, wd: cfg.WeightDecay}
	p := optF64(optF32(p0))
	ref.step(p, optF64(optF32(g1)), lr)
	ref.step(p, optF64(optF32(g2)), lr)
	if opt.Step != 2 {
		t.Errorf("Step = %d, want 2", opt.Step)
	}
	for i := range p {
		if !optClose(w.Data[i], p[i], 1e-6) {
			t.Errorf("Update step 2: w[%d] = %.9g, want %.9g", i, w.Data[i], p[i])
		}
		// m₂ = β1(1-β1)g₁ + (1-β1)g₂, v₂ = β2(1-β2)g₁² + (1-β2)g₂².
		m := 0.9*0.1*g1[i] + 0.1*g2[i]
		v := 0.999*0.001*g1[i]*g1[i] + 0.001*g2[i]*g2[i]
		if !optClose(opt.M["w"][i], m, 1e-6) {
			t.Errorf("M[w][%d] = %.9g, want %.9g", i, opt.M["w"][i], m)
		}
		if !optClose(opt.V["w"][i], v, 1e-6) {
			t.Errorf("V[w][%d] = %.9g, want %.9g", i, opt.V["w"][i], v)
		}
	}
}

func TestDefaultNoDecay(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"transformer.h.0.ln_1.weight", true},
		{"transformer.h.11.ln_2.bias", true},
		{"transformer.ln_f.weight", true},
		{"model.norm.weight", true},
		{"model.layers.0.input_layernorm.weight", true},
		{"model.layers.3.post_attention_layernorm.weight", true},
		{"transformer.h.0.attn.c_attn.bias", true},
		{"transformer.h.0.mlp.c_fc.bias", true},
		{graph.MemoryName, true},
		{"transformer.h.0.attn.c_attn.weight", false},
		{"transformer.wte.weight", false},
		{"transformer.wpe.weight", false},
		{"model.layers.0.mlp.up_proj.weight", false},
		{"model.layers.0.self_attn.q_proj.weight", false},
		{"lm_head.weight", false},
	}
	for _, tt := range tests {
		if got := DefaultNoDecay(tt.name); got != tt.want {
			t.Errorf("DefaultNoDecay(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestAdamWWeightDecay uses zero gradients, so m = v = 0 and the Adam term
// is exactly 0: a decayed parameter becomes p·(1 - lr·wd), others stay put.
func TestAdamWWeightDecay(t *testing.T) {
	const lr, wd = 0.1, 0.5
	tests := []struct {
		name    string
		noDecay func(string) bool
		decayed bool
	}{
		{"transformer.h.0.ln_1.weight", nil, false},
		{"transformer.ln_f.bias", nil, false},
		{"model.norm.weight", nil, false},
		{"transformer.h.0.attn.c_proj.bias", nil, false},
		{graph.MemoryName, nil, false},
		{"transformer.h.0.attn.c_proj.weight", nil, true},
		{"model.layers.0.mlp.down_proj.weight", nil, true},
		{"custom rule exempts", func(string) bool { return true }, false},
		{"custom rule decays memory", func(string) bool { return false }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultAdamW()
			cfg.WeightDecay, cfg.NoDecay = wd, tt.noDecay
			name := tt.name
			if tt.noDecay != nil {
				name = graph.MemoryName
			}
			p := optParam(name, 1, -2, 4)
			if _, err := NewAdamW(cfg).Update([]*graph.Param{p}, [][]float32{{0, 0, 0}}, lr); err != nil {
				t.Fatalf("Update = %v, want nil", err)
			}
			for i, x := range []float64{1, -2, 4} {
				want := x
				if tt.decayed {
					want = x * (1 - lr*wd)
				}
				if !optClose(p.Data[i], want, 1e-7) {
					t.Errorf("Update(%q zero grad) data[%d] = %g, want %g", name, i, p.Data[i], want)
				}
			}
		})
	}
}

func TestGlobalNorm(t *testing.T) {
	tests := []struct {
		name  string
		grads [][]float32
		want  float64
	}{
		{"empty", nil, 0},
		{"one tensor", [][]float32{{3, 4}}, 5},
		{"across tensors", [][]float32{{1, 2}, {}, {2}, {-4}}, 5},
		{"squares beyond float32 range", [][]float32{{3 << 70, 4 << 70}}, 5 << 70},
	}
	for _, tt := range tests {
		if got := GlobalNorm(tt.grads); math.Abs(got-tt.want) > 1e-12*max(1, tt.want) {
			t.Errorf("GlobalNorm(%v) = %g, want %g", tt.grads, got, tt.want)
		}
	}
}

// TestAdamWClip reads the clipped gradient back from the first moment:
// after one step from zero, M = (1-β1)·g_clipped.
func TestAdamWClip(t *testing.T) {
	tests := []struct {
		name      string
		clipNorm  float64
		clipValue float64
		grads     [][]float32
		want      [][]float64 // the gradient after clipping
		wantNorm  float64     // returned: the norm before any clipping
	}{
		{"no clipping", 0, 0, [][]float32{{3}, {4}}, [][]float64{{3}, {4}}, 5},
		{"norm under threshold", 10, 0, [][]float32{{3}, {4}}, [][]float64{{3}, {4}}, 5},
		{"norm at threshold", 5, 0, [][]float32{{3}, {4}}, [][]float64{{3}, {4}}, 5},
		{"norm over threshold", 1, 0, [][]float32{{3}, {4}}, [][]float64{{0.6}, {0.8}}, 5},
		{"zero gradient", 1, 0, [][]float32{{0}, {0}}, [][]float64{{0}, {0}}, 0},
		{"value", 0, 1, [][]float32{{3, -0.5}, {-4}}, [][]float64{{1, -0.5}, {-1}}, math.Sqrt(25.25)},
		// Value first: (3, 4) → (2, 2) of norm √8, then scaled to norm 1.
		{"value then norm", 1, 2, [][]float32{{3}, {4}}, [][]float64{{2 / math.Sqrt(8)}, {2 / math.Sqrt(8)}}, 5},
		{"value keeps the norm under threshold", 3, 2, [][]float32{{3}, {4}}, [][]float64{{2}, {2}}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultAdamW()
			cfg.ClipNorm, cfg.ClipValue = tt.clipNorm, tt.clipValue
			var params []*graph.Param
			for i, g := range tt.grads {
				params = append(params, optParam(string(rune('a'+i)), make([]float32, len(g))...))
			}
			grads := optClone(tt.grads)
			opt := NewAdamW(cfg)
			norm, err := opt.Update(params, grads, 1e-3)
			if err != nil {
				t.Fatalf("Update = %v, want nil", err)
			}
			if math.Abs(norm-tt.wantNorm) > 1e-6 {
				t.Errorf("Update(%v) norm = %g, want %g", tt.grads, norm, tt.wantNorm)
			}
			for i, p := range params {
				for j, want := range tt.want[i] {
					if got := opt.M[p.Name][j]; !optClose(got, (1-cfg.Beta1)*want, 1e-6) {
						t.Errorf("Update(%v): M[%s][%d] = %g, want (1-β1)·%g", tt.grads, p.Name, j, got, want)
					}
				}
			}
			for i := range grads {
				if !slices.Equal(grads[i], tt.grads[i]) {
					t.Errorf("Update changed the caller's gradient %d to %v, want %v", i, grads[i], tt.grads[i])
				}
			}
		})
	}
}

// TestAdamWErrorsLeaveState checks that every rejected update leaves
// weights, moments and step as they were.
func TestAdamWErrorsLeaveState(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	tests := []struct {
		name   string
		setup  func(*AdamW)
		params []*graph.Param
		grads  [][]float32
		lr     float64
		want   string
	}{
		{"NaN gradient", nil, nil, [][]float32{{0.1, nan}, {0.2}, {0.3}}, 1e-3, `gradient norm is NaN (first non-finite gradient in "a")`},
		{"Inf gradient", nil, nil, [][]float32{{0.1, 0.2}, {0.2}, {-inf}}, 1e-3, `first non-finite gradient in "new"`},
		{"Inf gradient hidden by value clip", func(o *AdamW) { o.Config.ClipValue = 1 }, nil, [][]float32{{inf, 0}, {0.2}, {0.3}}, 1e-3, "gradient norm is +Inf"},
		{"first moment size mismatch", func(o *AdamW) { o.M["b"] = make([]float32, 2) }, nil, [][]float32{{1, 2}, {3}, {4}}, 1e-3, `moments of "b" have 2 and 1 elements, want 1`},
		{"second moment size mismatch", func(o *AdamW) { o.V["a"] = make([]float32, 5) }, nil, [][]float32{{1, 2}, {3}, {4}}, 1e-3, `moments of "a" have 2 and 5 elements, want 2`},
		{"one moment missing", func(o *AdamW) { delete(o.V, "b") }, nil, [][]float32{{1, 2}, {3}, {4}}, 1e-3, `"b" has only one of its two moments`},
		{"gradient count", nil, nil, [][]float32{{1, 2}, {3}}, 1e-3, "2 gradients for 3 parameters"},
		{"gradient size", nil, nil, [][]float32{{1, 2}, {3, 4}, {5}}, 1e-3, `gradient of "b" has 2 elements, want 1`},
		{"duplicate name", nil, []*graph.Param{optParam("a", 1, 2), optParam("a", 3, 4)}, [][]float32{{1, 2}, {3, 4}}, 1e-3, `parameter "a" appears twice`},
		{"negative lr", nil, nil, [][]float32{{1, 2}, {3}, {4}}, -1e-3, "learning rate -0.001"},
		{"NaN lr", nil, nil, [][]float32{{1, 2}, {3}, {4}}, math.NaN(), "learning rate NaN"},
		{"bad beta", func(o *AdamW) { o.Config.Beta2 = 1 }, nil, [][]float32{{1, 2}, {3}, {4}}, 1e-3, "beta2 = 1"},
		{"zero eps", func(o *AdamW) { o.Config.Eps = 0 }, nil, [][]float32{{1, 2}, {3}, {4}}, 1e-3, "eps = 0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := optParam("a", 1, -1), optParam("b", 0.5)
			opt := NewAdamW(DefaultAdamW())
			if _, err := opt.Update([]*graph.Param{a, b}, [][]float32{{0.3, -0.1}, {0.2}}, 1e-2); err != nil {
				t.Fatalf("Update(first step) = %v, want nil", err)
			}
			if tt.setup != nil {
				tt.setup(opt)
			}
			params := tt.params
			if params == nil {
				params = []*graph.Param{a, b, optParam("new", 7)}
			}
			before := optSnapshot(opt, params)
			_, err := opt.Update(params, tt.grads, tt.lr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Update(%v) = %v, want an error containing %q", tt.grads, err, tt.want)
			}
			if after := optSnapshot(opt, params); !after.equal(before) {
				t.Errorf("Update(%v) after error: optState %+v, want unchanged %+v", tt.grads, after, before)
			}
		})
	}
}

// TestAdamWQuadratic minimises ½ Σ aᵢ(pᵢ - cᵢ)², conditioned 1:1000, with a
// warm-up and cosine decay as in training.
func TestAdamWQuadratic(t *testing.T) {
	a := []float64{1, 10, 100, 1000}
	c := []float64{3, -2, 0.5, -0.25}
	p := optParam("transformer.h.0.mlp.c_fc.weight", 0, 0, 0, 0)
	cfg := DefaultAdamW()
	cfg.WeightDecay = 0 // decay would move the minimum away from c
	opt := NewAdamW(cfg)
	sched := Schedule{Peak: 0.1, Warmup: 20, Total: 1500, Decay: "cosine"}
	if err := sched.Validate(); err != nil {
		t.Fatal(err)
	}
	loss := func() float64 {
		var l float64
		for i := range a {
			d := float64(p.Data[i]) - c[i]
			l += 0.5 * a[i] * d * d
		}
		return l
	}
	start := loss()
	g := make([]float32, len(a))
	for step := range sched.Total {
		for i := range a {
			g[i] = float32(a[i] * (float64(p.Data[i]) - c[i]))
		}
		if _, err := opt.Update([]*graph.Param{p}, [][]float32{g}, sched.LR(step)); err != nil {
			t.Fatalf("Update(step %d) = %v, want nil", step, err)
		}
	}
	for i := range c {
		if !optClose(p.Data[i], c[i], 1e-3) {
			t.Errorf("after %d steps p[%d] = %g, want %g", sched.Total, i, p.Data[i], c[i])
		}
	}
	if end := loss(); end > 1e-6*start {
		t.Errorf("loss after %d steps = %g, want below %g (1e-6 of the start)", sched.Total, end, 1e-6*start)
	}
}

type optState struct {
	Step       int
	Data, M, V map[string][]float32
}

func optSnapshot(o *AdamW, params []*graph.Param) optState {
	s := optState{Step: o.Step, Data: map[string][]float32{}, M: map[string][]float32{}, V: map[string][]float32{}}
	for _, p := range params {
		s.Data[p.Name] = slices.Clone(p.Data)
	}
	for k, v := range o.M {
		s.M[k] = slices.Clone(v)
	}
	for k, v := range o.V {
		s.V[k] = slices.Clone(v)
	}
	return s
}

func (s optState) equal(o optState) bool {
	eq := func(a, b map[string][]float32) bool {
		if len(a) != len(b) {
			return false
		}
		for k, x := range a {
			y, ok := b[k]
			if !ok || !slices.Equal(x, y) { // no NaN is ever stored, so == is exact
				return false
			}
		}
		return true
	}
	return s.Step == o.Step && eq(s.Data, o.Data) && eq(s.M, o.M) && eq(s.V, o.V)
}

func optF32(x []float64) []float32 {
	y := make([]float32, len(x))
	for i, v := range x {
		y[i] = float32(v)
	}
	return y
}

func optF64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

func optClone(g [][]float32) [][]float32 {
	c := make([][]float32, len(g))
	for i := range g {
		c[i] = slices.Clone(g[i])
	}
	return c
}
