package bench

import (
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

// TestCommandHelpers: the memory of the flags takes cmd/train's default
// feature map for ARMT only, named shapes resolve without a folder, and
// the FLOPs labels follow the memory kind.
func TestCommandHelpers(t *testing.T) {
	if m := MemoryOf("armt", 4, 8, ""); m.Features != graph.FeaturesDPFPNormalized || m.Tokens != 4 || m.DMem != 8 {
		t.Errorf("armt without features: %+v, want dpfp-normalized", m)
	}
	if m := MemoryOf("rmt", 4, 0, ""); m.Features != "" || m.Kind != graph.KindRMT {
		t.Errorf("rmt: %+v, want no feature map", m)
	}
	if m := MemoryOf("armt", 4, 8, graph.FeaturesDPFP); m.Features != graph.FeaturesDPFP {
		t.Errorf("armt with dpfp: %+v, want dpfp kept", m)
	}
	if c, err := Shape("stories260K"); err != nil || c.Layers() == 0 || !IsNamedShape("stories260K") {
		t.Errorf("stories260K: %+v, %v", c, err)
	}
	if _, err := Shape(t.TempDir() + "/none"); err == nil || !strings.HasPrefix(err.Error(), `shape "`) {
		t.Errorf("a missing folder: %v, want an error naming the shape", err)
	}
	mems := StreamMemories(2, 3, []string{graph.FeaturesDPFP, graph.FeaturesDPFPNormalized})
	if len(mems) != 3 || mems[0].Kind != graph.KindRMT || mems[2].Features != graph.FeaturesDPFPNormalized {
		t.Errorf("stream memories %+v, want RMT then one ARMT per map", mems)
	}
	if mem, name := (FLOPsReport{Memory: graph.KindARMT, MemTokens: 16, DMem: 64}).Labels(); name != "ARMT" || !strings.Contains(mem, "d_mem 64") {
		t.Errorf("ARMT labels %q, %q", mem, name)
	}
	if mem, name := (FLOPsReport{Memory: graph.KindRMT, MemTokens: 16}).Labels(); name != "RMT" || mem != "2x16 memory" {
		t.Errorf("RMT labels %q, %q", mem, name)
	}
}
