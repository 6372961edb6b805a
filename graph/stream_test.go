package graph

import (
	"slices"
	"testing"
)

// TestStreamMatchesCell: feeding a row in uneven chunks gives the same
// memory after each whole segment as the batch forward of the cell, and
// Generate continues from that memory exactly as a segment forward does,
// for both memory kinds (ARMT's final segment reads without writing).
func TestStreamMatchesCell(t *testing.T) {
	for _, kind := range []Memory{{Kind: KindRMT, Tokens: 2}, armtMem} {
		for _, family := range []string{"gpt2", "llama"} {
			t.Run(kind.Kind+"/"+family, func(t *testing.T) { testStream(t, kind, family) })
		}
	}
}

// streamCell is a perturbed tiny model of family with a memory of kind
// (nonzero ARMT parameters, or 2 RMT memory tokens) in a cell of segments
// of 4 tokens.
func streamCell(t *testing.T, kind Memory, family string) (*Weights, *Cell[float32]) {
	t.Helper()
	w := perturbed(t, tinyConfig(family))
	if kind.Kind == KindARMT {
		initARMTNonzero(t, w)
	} else if err := InitMemory(w, 2, 4); err != nil {
		t.Fatal(err)
	}
	cell, err := NewMemoryCell[float32](w, kind, 4, false)
	if err != nil {
		t.Fatal(err)
	}
	return w, cell
}

func testStream(t *testing.T, kind Memory, family string) {
	const S = 4
	w, cell := streamCell(t, kind, family)
	row := make([]int, 3*S)
	for i := range row {
		row[i] = (3*i + 2) % w.Config.VocabSize
	}
	tr, err := cell.Forward(Sequence{IDs: [][]int{row}})
	if err != nil {
		t.Fatal(err)
	}
	st := cell.NewStream()
	for _, chunk := range [][]int{row[:1], row[1:6], row[6:7], row[7:]} {
		if err := st.Feed(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if st.Segments() != 3 {
		t.Fatalf("Segments() = %d, want 3", st.Segments())
	}
	if !slices.Equal(st.Memory(), tr.Mems[3]) {
		t.Errorf("stream memory after 3 segments differs from the cell's")
	}
	prompt := []int{1, 5}
	got, err := st.Generate(prompt, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Reference: the final segment [prompt | generated...] read
	// from mem_3, one token at a time.
	shape := SegmentShape{Batch: 1, Tokens: S, Mem: 2, DMem: kind.DMem}
	write, err := NewSegment[float32](w, shape, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	shape.LogitRows, shape.ReadOnly = 1, shape.kind().finalReadOnly()
	seg, err := NewSegment[float32](w, shape, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ids := padTo(prompt, S)
	n := len(prompt)
	var want []int
	mem := tr.Mems[3]
	for len(want) < 3 {
		r, err := seg.Forward(&Batch[float32]{IDs: ids, LogitRows: []int{n - 1}}, mem)
		if err != nil {
			t.Fatal(err)
		}
		next := 0
		for j, v := range r.Logits {
			if v > r.Logits[next] {
				next = j
			}
		}
		want = append(want, next)
		if n == S { // the answer filled the segment: read it into memory
			r, _ := write.Forward(&Batch[float32]{IDs: ids}, mem)
			mem, ids, n = r.MemOut, padTo(nil, S), 0
		}
		ids[n] = next
		n++
	}
	if !slices.Equal(got, want) {
		t.Errorf("Generate = %v, want %v", got, want)
	}
}

// TestStreamPromptEndingAtSegment: a prompt that ends exactly where a
// segment ends (Feed has read it all into memory) generates what the
// stream gives when the last segment arrives as Generate's prompt, for
// both memory kinds, and leaves the stream as that one does.
func TestStreamPromptEndingAtSegment(t *testing.T) {
	for _, kind := range []Memory{{Kind: KindRMT, Tokens: 2}, armtMem} {
		t.Run(kind.Kind, func(t *testing.T) {
			const S = 4
			w, cell := streamCell(t, kind, "llama")
			row := make([]int, 3*S)
			for i := range row {
				row[i] = (5*i + 1) % w.Config.VocabSize
			}
			whole := cell.NewStream()
			if err := whole.Feed(row); err != nil {
				t.Fatal(err)
			}
			got, err := whole.Generate(nil, S+2, nil)
			if err != nil {
				t.Fatalf("Generate after a prompt of whole segments: %v", err)
			}
			split := cell.NewStream()
			if err := split.Feed(row[:2*S]); err != nil {
				t.Fatal(err)
			}
			want, err := split.Generate(row[2*S:], S+2, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) || len(got) != S+2 {
				t.Errorf("Generate = %v, want %v", got, want)
			}
			if whole.Segments() != split.Segments() || !slices.Equal(whole.Memory(), split.Memory()) {
				t.Errorf("after generating: %d segments read, want %d, or the memory differs", whole.Segments(), split.Segments())
			}
		})
	}
}
