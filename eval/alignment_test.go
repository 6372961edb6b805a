package eval

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// Right alignment leaves the prompt ending room tokens before a segment's
// end; prompts that fit one segment with the room read whole segments.
func TestFirstSegment(t *testing.T) {
	for _, c := range []struct{ prompt, room, S, out int }{
		{300, 2, 128, 46}, // 46 + 2x128 = 302 = 300 + the room
		{300, 7, 128, 51},
		{126, 2, 128, 0}, // fits one segment with the room
		{127, 2, 128, 1},
		{254, 2, 128, 0}, // 256: already whole segments
	} {
		got := firstSegment(c.prompt, c.room, c.S)
		if got != c.out {
			t.Errorf("firstSegment(%d, %d, %d) = %d, want %d", c.prompt, c.room, c.S, got, c.out)
		}
		if got > 0 && (c.prompt+c.room-got)%c.S != 0 {
			t.Errorf("firstSegment(%d, %d, %d) = %d leaves the rest in partial segments", c.prompt, c.room, c.S, got)
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
	// Cells read under another alignment or room are other data.
	a := &CellData{Units: UnitsGPT2}
	if a.sameAs(&CellData{Units: UnitsGPT2, Align: AlignRight, AnswerRoom: 7}, true) || !a.sameAs(&CellData{Units: UnitsGPT2}, true) ||
		(&CellData{Align: AlignRight, AnswerRoom: 7}).sameAs(&CellData{Align: AlignRight, AnswerRoom: 8}, true) {
		t.Errorf("sameAs ignores the alignment")
	}
	// Right alignment needs a room: the run's, else the checkpoint's.
	ck := &Checkpoint{Checkpoint: &checkpoints.Checkpoint{}, Dir: "ck"}
	run := BabilongRun{Align: AlignRight}
	if err := run.resolveAlign(ck); err == nil || !strings.Contains(err.Error(), "answer_room") {
		t.Errorf("right alignment without a room: %v", err)
	}
	ck.RMT.AnswerRoom = 9
	if err := run.resolveAlign(ck); err != nil || run.AnswerRoom != 9 {
		t.Errorf("room %d (%v), want the checkpoint's 9", run.AnswerRoom, err)
	}
	if err := (&BabilongRun{AnswerRoom: 3}).resolveAlign(ck); err == nil {
		t.Errorf("a room with left alignment: nil error")
	}
}

// promptLength counts a streamed BABILong prompt as reading it does, and a
// row read under right alignment reads the very same samples.
func TestPromptLengthAndRightRow(t *testing.T) {
	dir := t.TempDir()
	stories := "1 Mary went to the hallway.\n2 John moved to the garden.\n3 Where is Mary? \thallway\t1\n"
	if err := os.WriteFile(filepath.Join(dir, "qa1_single-supporting-fact_test.txt"), []byte(stories), 0o644); err != nil {
		t.Fatal(err)
	}
	const S, M = 96, 2
	tok := data.NewByteTokenizer()
	task, err := BabilongTask(1, 1000, S, dir, "", 5, tok)
	if err != nil {
		t.Fatal(err)
	}
	n, err := promptLength(task, 1)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := promptAt(task, 1)
	if err != nil {
		t.Fatal(err)
	}
	read := 0
	var piece []int
	for {
		if piece, err = ps.Next(piece[:0]); err != nil {
			break
		}
		read += len(piece)
	}
	if n != read || n != ps.PromptTokens || firstSegment(n, 7, S) == 0 {
		t.Fatalf("promptLength = %d, read %d, PromptTokens %d", n, read, ps.PromptTokens)
	}
	cell, err := graph.NewCell[float32](tinyMemory(t, graph.KindRMT, "llama", M), M, S, false)
	if err != nil {
		t.Fatal(err)
	}
	left, err := babilong(nil, cell, tok, task, "1k", 2, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	right, err := babilong(nil, cell, tok, task, "1k", 2, 7, nil)
	if err != nil {
		t.Fatal(err)
	}
	if right.TokensRead != left.TokensRead || right.GPT2Tokens != left.GPT2Tokens {
		t.Errorf("right alignment read %d tokens (%g GPT-2), left %d (%g)", right.TokensRead, right.GPT2Tokens, left.TokensRead, left.GPT2Tokens)
	}
}
