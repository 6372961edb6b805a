package eval

import (
	"io"
	"testing"
	"time"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/graph/kernels"
)

// TestAccuracyOneSamplePerThread: on three threads Accuracy reads three
// samples at once, one per cell (the cell and its twins, made once), and
// every sample gets the answer one thread gives: relabeled with the
// one-thread answers but for one sample, all but that one count. Progress
// hears of every sample, and the cell's ops split across its threads again
// after (its own settings back, no cap).
func TestAccuracyOneSamplePerThread(t *testing.T) {
	const S, M, n, samples = 96, 2, 3, 7
	w := tinyRMT(t, "llama", M)
	cell, err := graph.NewCell[float32](w, M, S, false)
	if err != nil {
		t.Fatal(err)
	}
	tok := data.NewByteTokenizer()
	task := memorizeTask(t, n, S)
	one, err := kernels.NewPool(kernels.Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	three, err := kernels.NewPool(kernels.Settings{Threads: 3})
	if err != nil {
		t.Fatal(err)
	}
	cell.Kernels = one
	answers := ownAnswers(t, cell, tok, task, samples)
	answers[4] += " and more"
	cell.Kernels = three
	p := NewProgress(io.Discard, "test", samples, int64(samples*n*S), time.Hour)
	r, err := Accuracy(cell, tok, relabeled{task, answers}, samples, p)
	if err != nil {
		t.Fatal(err)
	}
	if r.Correct != samples-1 {
		t.Errorf("on 3 threads %d of %d samples answer as on one, want %d", r.Correct, samples, samples-1)
	}
	if p.doneS != samples || p.doneT != int64(samples*n*S) {
		t.Errorf("progress saw %d samples and %d tokens, want %d and %d", p.doneS, p.doneT, samples, samples*n*S)
	}
	cells := cell.Twins(3)
	if len(cells) != 3 || cells[0] != cell || cells[1] == cell || cells[2] == cells[1] {
		t.Fatalf("Twins(3) = %p, want the cell and two others", cells)
	}
	if again := cell.Twins(3); again[1] != cells[1] || again[2] != cells[2] {
		t.Errorf("Twins made new cells on a second call; they are kept, so graphs compile once")
	}
	if cell.Kernels != three || cells[1].Kernels != three {
		t.Errorf("after Accuracy the cell splits ops by %+v (twin %+v), want its own %+v", cell.Kernels.Settings(), cells[1].Kernels.Settings(), three.Settings())
	}
}
