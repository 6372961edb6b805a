package eval

import (
	"math"
	"testing"
)

func TestWilsonInterval(t *testing.T) {
	// Hand-computed: z = 1.959964, z² = 3.841459; for n = 10 the
	// denominator is 1 + z²/n = 1.3841459 and z²/2n = 0.1920729.
	for _, tc := range []struct {
		name   string
		k, n   int
		lo, hi float64
	}{
		// p = 0: centre 0.1920729/1.3841459 = 0.138767, half-width
		// z·sqrt(z²/400)/1.3841459 = z²/20/1.3841459 the same: [0, 0.277533].
		{"none of ten", 0, 10, 0, 0.2775328},
		{"all of ten", 10, 10, 0.7224672, 1},
		// p = 0.5: centre 0.5, half z·sqrt(0.025 + 0.0096037)/1.3841459 = 0.263407.
		{"half of ten", 5, 10, 0.2365931, 0.7634069},
		// p = 1/3, n = 3: centre (1/3 + 0.6402432)/2.2804864 = 0.426919,
		// half z·sqrt(2/27 + 0.1067072)/2.2804864 = 0.365427.
		{"one of three", 1, 3, 0.0614919, 0.7923404},
		{"no trials", 0, 0, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := WilsonInterval(tc.k, tc.n)
			if math.Abs(lo-tc.lo) > 1e-6 || math.Abs(hi-tc.hi) > 1e-6 {
				t.Errorf("WilsonInterval(%d, %d) = [%.7f, %.7f], want [%.7f, %.7f]", tc.k, tc.n, lo, hi, tc.lo, tc.hi)
			}
		})
	}
}

// TestWilsonIntervalContainsEstimate: the interval holds k/n, stays in
// [0, 1] and narrows as n grows at a fixed rate.
func TestWilsonIntervalContainsEstimate(t *testing.T) {
	prev := 2.0
	for _, n := range []int{10, 100, 1000, 10000} {
		for k := 0; k <= n; k += max(1, n/20) {
			lo, hi := WilsonInterval(k, n)
			p := float64(k) / float64(n)
			if lo < 0 || hi > 1 || lo > p || hi < p {
				t.Fatalf("WilsonInterval(%d, %d) = [%v, %v], want 0 <= lo <= %v <= hi <= 1", k, n, lo, hi, p)
			}
		}
		lo, hi := WilsonInterval(n/4, n)
		if hi-lo >= prev {
			t.Errorf("width at n = %d is %v, not narrower than %v at n/10", n, hi-lo, prev)
		}
		prev = hi - lo
	}
}
