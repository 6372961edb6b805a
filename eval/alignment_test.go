package eval

import "testing"

// Right alignment leaves the prompt ending alignReserve tokens before a
// segment's end; left alignment and prompts that fit one segment read
// whole segments from the start.
func TestFirstSegment(t *testing.T) {
	for _, c := range []struct {
		align          string
		prompt, S, out int
	}{
		{AlignLeft, 300, 128, 0},
		{"", 300, 128, 0},
		{AlignRight, 300, 128, 46}, // 46 + 2x128 = 302 = 300 + the reserve
		{AlignRight, 126, 128, 0},  // fits one segment with the reserve
		{AlignRight, 127, 128, 1},
		{AlignRight, 254, 128, 0}, // 256: already whole segments
	} {
		got := firstSegment(c.align, c.prompt, c.S)
		if got != c.out {
			t.Errorf("firstSegment(%q, %d, %d) = %d, want %d", c.align, c.prompt, c.S, got, c.out)
		}
		if got > 0 && (c.prompt+alignReserve-got)%c.S != 0 {
			t.Errorf("firstSegment(%q, %d, %d) = %d leaves the rest in partial segments", c.align, c.prompt, c.S, got)
		}
	}
	for _, s := range []string{"", "left", "right"} {
		if _, err := ParseAlign(s); err != nil {
			t.Errorf("ParseAlign(%q) = %v", s, err)
		}
	}
	if _, err := ParseAlign("center"); err == nil {
		t.Errorf("ParseAlign(center) = nil, want an error")
	}
	// Cells read under another alignment are other data: never merged.
	a, b := &CellData{Units: UnitsGPT2}, &CellData{Units: UnitsGPT2, Align: AlignRight}
	if a.sameAs(b, true) || !a.sameAs(&CellData{Units: UnitsGPT2}, true) {
		t.Errorf("sameAs ignores the alignment")
	}
}
