package data

import (
	"strings"
	"testing"
)

// TestDecoderGuards holds the two inputs on which sugarme's decoders panic
// where HF's return a value: package data's Strip decoder leaves a token
// shorter than its start as it is, and a ByteFallback vocabulary whose
// <0x..> token is not hex is refused when the tokenizer loads.
func TestDecoderGuards(t *testing.T) {
	d := stripDecoder{content: '▁', start: 1, stop: 0}
	got := d.DecodeChain([]string{"", "▁a", "b"})
	want := []string{"", "a", "b"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("stripDecoder.DecodeChain()[%d] = %q, want %q", i, got[i], want[i])
		}
	}

	tokenizerJSON := func(byteToken string) string {
		return `{"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "` + byteToken + `": 2}, "merges": [], "byte_fallback": true},
		  "decoder": {"type": "Sequence", "decoders": [{"type": "ByteFallback"}, {"type": "Fuse"}]}}`
	}
	if _, err := parseTokenizer([]byte(tokenizerJSON("<0x41>"))); err != nil {
		t.Fatalf("parseTokenizer with a hex byte token: %v", err)
	}
	_, err := parseTokenizer([]byte(tokenizerJSON("<0xZZ>")))
	if err == nil || !strings.Contains(err.Error(), "<0xZZ>") {
		t.Errorf("parseTokenizer with byte token <0xZZ>: err = %v, want an error naming the token", err)
	}
}
