package train

import (
	"fmt"
	"math"
	"strings"

	"github.com/rmtgo/rmt/graph"
)

// AdamWConfig configures AdamW with decoupled weight decay (Loshchilov & Hutter,
// "Decoupled Weight Decay Regularization", arXiv:1711.05101): the decay shrinks
// the weights directly instead of being added to the gradient, so it is not
// rescaled by the adaptive denominator.
type AdamWConfig struct {
	Beta1, Beta2, Eps float64 // moment decay rates and denominator epsilon; defaults 0.9, 0.999, 1e-8
	WeightDecay       float64 // decoupled decay coefficient wd; default 0.01
	// ClipNorm rescales the whole gradient set so its global L2 norm is at most
	// ClipNorm (0 = off); default 1.0.
	ClipNorm float64
	// ClipValue clamps each gradient element to [-ClipValue, ClipValue] before
	// the norm clip (0 = off); default off.
	ClipValue float64
	// NoDecay reports the parameters exempt from weight decay; nil means
	// DefaultNoDecay.
	NoDecay func(name string) bool
}

// DefaultAdamW returns β1 = 0.9, β2 = 0.999, ε = 1e-8, weight decay 0.01,
// global-norm clipping at 1.0 and no value clipping.
func DefaultAdamW() AdamWConfig {
	return AdamWConfig{Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, ClipNorm: 1.0}
}

// Validate checks the ranges: 0 <= β < 1, ε > 0, weight decay and clip
// thresholds finite and non-negative.
func (c AdamWConfig) Validate() error {
	check := []struct {
		name   string
		v      float64
		ok     bool
		wanted string
	}{
		{"beta1", c.Beta1, c.Beta1 >= 0 && c.Beta1 < 1, "in [0, 1)"},
		{"beta2", c.Beta2, c.Beta2 >= 0 && c.Beta2 < 1, "in [0, 1)"},
		{"eps", c.Eps, c.Eps > 0 && !math.IsInf(c.Eps, 0), "a positive number"},
		{"weight decay", c.WeightDecay, c.WeightDecay >= 0 && !math.IsInf(c.WeightDecay, 0), "a non-negative number"},
		{"clip norm", c.ClipNorm, c.ClipNorm >= 0 && !math.IsInf(c.ClipNorm, 0), "a non-negative number (0 = off)"},
		{"clip value", c.ClipValue, c.ClipValue >= 0 && !math.IsInf(c.ClipValue, 0), "a non-negative number (0 = off)"},
	}
	for _, k := range check {
		if !k.ok { // NaN fails every comparison, so it lands here too
			return fmt.Errorf("train: adamw: %s = %g, want %s", k.name, k.v, k.wanted)
		}
	}
	return nil
}

// DefaultNoDecay excludes from weight decay the normalisation weights (names
// containing "norm", ".ln_" or "ln_f": GPT-2 ln_1/ln_2/ln_f, Llama
// input_layernorm/post_attention_layernorm/model.norm), every bias (".bias")
// and the initial memory (graph.MemoryName, graph.ARMTMemoryName). Decaying a norm gain pulls it
// towards 0 rather than its natural 1, and decaying the memory would shrink
// the one state the method learns from scratch.
func DefaultNoDecay(name string) bool {
	return name == graph.MemoryName || name == graph.ARMTMemoryName ||
		strings.Contains(name, "norm") ||
		strings.Contains(name, ".ln_") ||
		strings.Contains(name, "ln_f") ||
		strings.HasSuffix(name, ".bias")
}

// AdamW is the optimizer state. The moments are kept by parameter name, not
// by position, so they can be saved with the weights (optimizer.safetensors)
// and restored whatever the parameter order; Step is the number of updates
// applied, t in the bias corrections.
type AdamW struct {
	Config AdamWConfig
	Step   int
	M, V   map[string][]float32 // first and second moments, each the size of its parameter
}

// NewAdamW returns an optimizer at step 0 with no moments.
func NewAdamW(cfg AdamWConfig) *AdamW {
	return &AdamW{Config: cfg, M: map[string][]float32{}, V: map[string][]float32{}}
}

// Reset returns the optimizer to step 0 with zero moments, in the buffers
// it has: a new stage starts from a fresh optimizer without allocating a
// second set of moments beside the first (zero moments are exactly what
// Update creates for a name it has not seen).
func (o *AdamW) Reset() {
	o.Step = 0
	for _, m := range o.M {
		clear(m)
	}
	for _, v := range o.V {
		clear(v)
	}
}

// GlobalNorm is the L2 norm of all gradients taken together,
// sqrt(Σ_i Σ_j g_ij²), accumulated in float64.
func GlobalNorm(grads [][]float32) float64 {
	var s float64
	for _, g := range grads {
		for _, x := range g {
			s += float64(x) * float64(x)
		}
	}
	return math.Sqrt(s)
}

// Update applies one AdamW step at learning rate lr to params in place;
// grads[i] is the gradient of params[i]. With β1, β2, ε, wd from the config:
//
//	g   = clamp(g, -ClipValue, ClipValue)           (if ClipValue > 0)
//	n   = ‖g‖₂ over all parameters, in float64
//	g   = g · min(1, ClipNorm/n)                    (if ClipNorm > 0)
//	t   = Step + 1
//	m   = β1·m + (1-β1)·g
//	v   = β2·v + (1-β2)·g²
//	m̂   = m / (1-β1^t),  v̂ = v / (1-β2^t)
//	p  -= lr · (m̂/(√v̂ + ε) + wd·p)               (wd = 0 where NoDecay(name))
//
// The decay term uses p before the step, as in PyTorch's AdamW. Arithmetic is
// float64 per element; params and moments are stored as float32. The caller's
// gradients are not modified.
//
// Moments are created (zero) the first time a parameter name is seen. Update
// checks everything before it changes anything: a config out of range, a
// negative or non-finite lr, grads not aligned with params, a duplicated
// name, a moment whose size differs from its parameter, or a NaN or Inf in
// the gradients returns an error and leaves params, moments and Step as they
// were (the caller may skip the batch and go on).
//
// gradNorm is the global L2 norm of the gradients as given, before any
// clipping, for logging.
func (o *AdamW) Update(params []*graph.Param, grads [][]float32, lr float64) (gradNorm float64, err error) {
	cfg := o.Config
	if err := cfg.Validate(); err != nil {
		return 0, err
	}
	if !(lr >= 0) || math.IsInf(lr, 0) {
		return 0, fmt.Errorf("train: adamw: learning rate %g, want a finite non-negative number", lr)
	}
	if len(grads) != len(params) {
		return 0, fmt.Errorf("train: adamw: %d gradients for %d parameters, want one per parameter", len(grads), len(params))
	}
	seen := make(map[string]bool, len(params))
	for i, p := range params {
		if p == nil {
			return 0, fmt.Errorf("train: adamw: parameter %d is nil", i)
		}
		if seen[p.Name] {
			return 0, fmt.Errorf("train: adamw: parameter %q appears twice", p.Name)
		}
		seen[p.Name] = true
		if len(grads[i]) != len(p.Data) {
			return 0, fmt.Errorf("train: adamw: gradient of %q has %d elements, want %d", p.Name, len(grads[i]), len(p.Data))
		}
		m, hasM := o.M[p.Name]
		v, hasV := o.V[p.Name]
		if hasM != hasV {
			return 0, fmt.Errorf("train: adamw: parameter %q has only one of its two moments", p.Name)
		}
		if hasM && (len(m) != len(p.Data) || len(v) != len(p.Data)) {
			return 0, fmt.Errorf("train: adamw: moments of %q have %d and %d elements, want %d (the parameter's size)", p.Name, len(m), len(v), len(p.Data))
		}
	}

	// One pass for both norms: the raw one is reported, the value-clipped one
	// drives the norm clip. A non-finite raw norm means an Inf or NaN element
	// (float32 squares cannot overflow float64), which value clipping would
	// otherwise hide.
	var raw, clipped float64
	for _, g := range grads {
		for _, x := range g {
			f := float64(x)
			raw += f * f
			if cfg.ClipValue > 0 {
				f = max(-cfg.ClipValue, min(cfg.ClipValue, f))
			}
			clipped += f * f
		}
	}
	raw, clipped = math.Sqrt(raw), math.Sqrt(clipped)
	if math.IsNaN(raw) || math.IsInf(raw, 0) {
		return raw, fmt.Errorf("train: adamw: gradient norm is %g (first non-finite gradient in %q); step %d skipped", raw, firstNonFinite(params, grads), o.Step+1)
	}
	scale := 1.0
	if cfg.ClipNorm > 0 && clipped > cfg.ClipNorm {
		scale = cfg.ClipNorm / clipped
	}

	if o.M == nil {
		o.M = map[string][]float32{}
	}
	if o.V == nil {
		o.V = map[string][]float32{}
	}
	noDecay := cfg.NoDecay
	if noDecay == nil {
		noDecay = DefaultNoDecay
	}
	o.Step++
	b1, b2, eps := cfg.Beta1, cfg.Beta2, cfg.Eps
	bc1 := 1 - math.Pow(b1, float64(o.Step))
	bc2 := 1 - math.Pow(b2, float64(o.Step))
	for i, p := range params {
		m, ok := o.M[p.Name]
		if !ok {
			m = make([]float32, len(p.Data))
			o.M[p.Name] = m
			o.V[p.Name] = make([]float32, len(p.Data))
		}
		v := o.V[p.Name]
		wd := cfg.WeightDecay
		if noDecay(p.Name) {
			wd = 0
		}
		for j, x := range grads[i] {
			g := float64(x)
			if cfg.ClipValue > 0 {
				g = max(-cfg.ClipValue, min(cfg.ClipValue, g))
			}
			g *= scale
			mj := b1*float64(m[j]) + (1-b1)*g
			vj := b2*float64(v[j]) + (1-b2)*g*g
			m[j], v[j] = float32(mj), float32(vj)
			w := float64(p.Data[j])
			w -= lr * ((mj/bc1)/(math.Sqrt(vj/bc2)+eps) + wd*w)
			p.Data[j] = float32(w)
		}
	}
	return raw, nil
}

// firstNonFinite names the first parameter whose gradient holds a NaN or Inf.
func firstNonFinite(params []*graph.Param, grads [][]float32) string {
	for i, g := range grads {
		for _, x := range g {
			if f := float64(x); math.IsNaN(f) || math.IsInf(f, 0) {
				return params[i].Name
			}
		}
	}
	return "?"
}
