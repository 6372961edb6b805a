package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// expRelErr is the relative error of got against e^x computed in float64.
func expRelErr(got float32, x float32) float64 {
	want := math.Exp(float64(x))
	return math.Abs(float64(got)-want) / want
}

func TestExp32Accuracy(t *testing.T) {
	// A dense sweep of [-100, 90]: every 1/4096, plus the float32 neighbours of
	// the range limits.
	var xs []float32
	for i := -100 * 4096; i <= 90*4096; i++ {
		xs = append(xs, float32(i)/4096)
	}
	// And a million random float32 values, so that inputs are not all short
	// binary fractions.
	rng := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		xs = append(xs, float32(-100+190*rng.Float64()))
	}
	for _, x := range []float32{expLo, expHi, 0, -0.0, 1e-30, -1e-30} {
		xs = append(xs, x, math.Nextafter32(x, -200), math.Nextafter32(x, 200))
	}
	vec := make([]float32, len(xs))
	ExpSlice32(vec, xs)
	for _, tc := range []struct {
		name string
		f    func(i int) float32
		tol  float64
	}{
		{"Exp32", func(i int) float32 { return Exp32(xs[i]) }, 1e-7},
		{"ExpSlice32", func(i int) float32 { return vec[i] }, 2e-7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			worst, worstX := 0.0, float32(0)
			for i, x := range xs {
				got := tc.f(i)
				switch {
				case x < expLo:
					if got != 0 {
						t.Fatalf("%s(%v) = %v, want 0", tc.name, x, got)
					}
				case x > expHi:
					if !math.IsInf(float64(got), 1) {
						t.Fatalf("%s(%v) = %v, want +Inf", tc.name, x, got)
					}
				default:
					if e := expRelErr(got, x); e > worst || e != e {
						worst, worstX = e, x
					}
				}
			}
			t.Logf("%s: max relative error %.3g at x=%v", tc.name, worst, worstX)
			if !(worst <= tc.tol) {
				t.Errorf("%s: max relative error %.3g at x=%v, want <= %.1g", tc.name, worst, worstX, tc.tol)
			}
		})
	}
}

func TestExp32Special(t *testing.T) {
	inf, nan := float32(math.Inf(1)), float32(math.NaN())
	for _, tc := range []struct {
		name string
		x    float32
		want float32
	}{
		{"zero", 0, 1},
		{"+Inf", inf, inf},
		{"-Inf", -inf, 0},
		{"NaN", nan, nan},
		{"large", 1000, inf},
		{"tiny", -1000, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Lane 3 of a 9-element slice exercises the vector loop, lane 8 the
			// scalar tail.
			src := make([]float32, 9)
			src[3], src[8] = tc.x, tc.x
			dst := make([]float32, 9)
			ExpSlice32(dst, src)
			for _, got := range []float32{Exp32(tc.x), dst[3], dst[8]} {
				if got != tc.want && !(got != got && tc.want != tc.want) {
					t.Errorf("exp(%v) = %v, want %v", tc.x, got, tc.want)
				}
			}
		})
	}
}
