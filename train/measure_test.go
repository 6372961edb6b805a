package train

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
)

// TestMeasureLoopTrainsTheMemoryAsked: the loop measurement trains the
// memory kind it is given (an ARMT measurement once ran RMT silently).
func TestMeasureLoopTrainsTheMemoryAsked(t *testing.T) {
	out := filepath.Join(t.TempDir(), "run")
	mem := graph.Memory{Kind: graph.KindARMT, Tokens: 2, DMem: 2}
	r, err := MeasureLoop(context.Background(), "", 72, mem, 1, 1, out, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if r.PeakRSSMB <= 0 {
		t.Errorf("peak RSS %v MiB, want > 0", r.PeakRSSMB)
	}
	dir, err := checkpoints.Resolve(out)
	if err != nil {
		t.Fatal(err)
	}
	info, err := checkpoints.ReadRMTInfo(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Memory != graph.KindARMT || info.DMem != 2 {
		t.Errorf("checkpoint memory %q, d_mem %d; want %q, 2", info.Memory, info.DMem, graph.KindARMT)
	}
}
