package graph

import (
	"slices"
	"testing"
)

// A stream whose first segment is short (right alignment) reads it exactly
// as a cell of that segment length reads a whole segment, then goes on in
// whole segments from the memory it wrote; Generate then answers from the
// final segment, for both memory kinds.
func TestStreamFirstSegment(t *testing.T) {
	for _, kind := range []Memory{{Kind: KindRMT, Tokens: 2}, armtMem} {
		for _, family := range []string{"gpt2", "llama"} {
			t.Run(kind.Kind+"/"+family, func(t *testing.T) {
				const S, first = 4, 3
				w, cell := streamCell(t, kind, family)
				row := make([]int, first+2*S)
				for i := range row {
					row[i] = (5*i + 1) % w.Config.VocabSize
				}
				// Reference: a cell of segments of 3 reads the first
				// segment, the cell of 4 the two after it.
				short, err := NewMemoryCell[float32](w, kind, first, false)
				if err != nil {
					t.Fatal(err)
				}
				tr, err := short.Forward(Sequence{IDs: [][]int{row[:first]}})
				if err != nil {
					t.Fatal(err)
				}
				in := func(i int) (SegmentShape, *Batch[float32]) {
					return cell.Shape(1), &Batch[float32]{IDs: row[first+i*S : first+(i+1)*S]}
				}
				out, err := cell.Run(tr.Mems[1], 0, 2, in, nil)
				want := slices.Clone(out) // the cell's buffer, which the stream reuses
				if err != nil {
					t.Fatal(err)
				}

				st := cell.NewStream()
				if err := st.FirstSegment(first); err != nil {
					t.Fatal(err)
				}
				for _, chunk := range [][]int{row[:2], row[2:6], row[6:]} {
					if err := st.Feed(chunk); err != nil {
						t.Fatal(err)
					}
				}
				if st.Segments() != 3 || !slices.Equal(st.Memory(), want) {
					t.Fatalf("after %d segments the aligned stream's memory differs from the reference's", st.Segments())
				}
				if _, err := st.Generate([]int{1, 2}, 3, nil); err != nil {
					t.Fatal(err)
				}

				// Generate reads the short first segment of a prompt it is
				// given whole as Feed does.
				fed, whole := cell.NewStream(), cell.NewStream()
				for _, x := range []*Stream{fed, whole} {
					if err := x.FirstSegment(first); err != nil {
						t.Fatal(err)
					}
				}
				if err := fed.Feed(row[:first+S]); err != nil {
					t.Fatal(err)
				}
				a1, err1 := fed.Generate(row[first+S:], 3, nil)
				a2, err2 := whole.Generate(row, 3, nil)
				if err1 != nil || err2 != nil || !slices.Equal(a1, a2) {
					t.Errorf("Generate of the whole prompt %v (%v), after Feed %v (%v)", a2, err2, a1, err1)
				}

				// A prompt no longer than the first segment is the final
				// segment alone: the same answer as without alignment.
				plain, aligned := cell.NewStream(), cell.NewStream()
				if err := aligned.FirstSegment(first); err != nil {
					t.Fatal(err)
				}
				a, err := plain.Generate(row[:2], 3, nil)
				if err != nil {
					t.Fatal(err)
				}
				b, err := aligned.Generate(row[:2], 3, nil)
				if err != nil || !slices.Equal(a, b) {
					t.Errorf("short prompt: aligned %v (%v), plain %v", b, err, a)
				}
			})
		}
	}
	_, cell := streamCell(t, Memory{Kind: KindRMT, Tokens: 2}, "llama")
	st := cell.NewStream()
	if err := st.FirstSegment(4); err == nil {
		t.Errorf("FirstSegment(4) with segments of 4 = nil, want an error")
	}
	if err := st.Feed([]int{1}); err != nil {
		t.Fatal(err)
	}
	if err := st.FirstSegment(2); err == nil {
		t.Errorf("FirstSegment after Feed = nil, want an error")
	}
}
