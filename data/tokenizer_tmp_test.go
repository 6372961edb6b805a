package data

import (
	"strings"
	"testing"
	"time"
)

func TestTmpNormSpeed(t *testing.T) {
	text := strings.Repeat("Once upon a time, there was a little girl named Lily.\nShe loved to play outside in the park. Café ÀÉ ﬁ ", 600)
	for _, typ := range []string{"NFC", "NFD", "NFKC", "NFKD", "Lowercase", "Strip", "StripAccents"} {
		n, err := newNormalizer(&hfNormSpec{Type: typ, StripLeft: true, StripRight: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, size := range []int{1000, 8000, 64000} {
			start := time.Now()
			out, err := n.normalize("  " + text[:size] + " ")
			t.Logf("%s %d: %v %v %q", typ, size, time.Since(start), err, out[:min(len(out), 40)])
		}
	}
}
