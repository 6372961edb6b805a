package table

import (
	"strings"
	"testing"
)

func TestHeadersAsWritten(t *testing.T) {
	var b strings.Builder
	tb := New(&b)
	tb.Header("segments", "train FLOPs")
	tb.Append("4", "1.5e9")
	tb.Render()
	for _, want := range []string{"segments", "train FLOPs", "1.5e9"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}
