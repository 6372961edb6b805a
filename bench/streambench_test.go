package bench

import (
	"testing"

	"github.com/rmtgo/rmt/graph"
)

// TestCompareStreams: both memory kinds read the same tokens, each gets its
// best round, and the ratio is to the first memory's speed.
func TestCompareStreams(t *testing.T) {
	mems := []graph.Memory{{Kind: graph.KindRMT, Tokens: 4}, {Kind: graph.KindARMT, Tokens: 4, DMem: 8}}
	var rounds int
	rates, err := CompareStreams(benchShape("stories260K"), 32, 3, 2, mems, func(string) { rounds++ })
	if err != nil {
		t.Fatal(err)
	}
	if len(rates) != 2 || rounds != 4 {
		t.Fatalf("%d rates from %d progress lines, want 2 from 4", len(rates), rounds)
	}
	for i, r := range rates {
		if r.Memory != mems[i] || r.Tokens != 96 || r.Seconds <= 0 || r.TokensPerSec <= 0 {
			t.Fatalf("rate %d: %+v", i, r)
		}
	}
	if rates[0].RatioToFirst != 1 || rates[1].RatioToFirst != rates[1].TokensPerSec/rates[0].TokensPerSec {
		t.Fatalf("ratios %g and %g, want 1 and ARMT/RMT", rates[0].RatioToFirst, rates[1].RatioToFirst)
	}
	if _, err := CompareStreams(benchShape("stories260K"), 32, 0, 1, mems, nil); err == nil {
		t.Fatal("0 segments accepted")
	}
}
