package train

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph/kernels"
)

var updateGolden = flag.Bool("update", false, "rewrite the loss goldens under testdata/")

// goldenRuns are two tiny runs of the built-in model: one with memory noise
// and stability over 1 then 2 segments, one accumulating two micro-batches
// per step; both validate and checkpoint as they go, so that every part of
// the run around the step (validation, checkpoint writing, the move to the
// next stage) has its chance to disturb the training.
func goldenRuns() map[string]Config {
	base := DefaultConfig()
	base.Curriculum, base.StepsPerStage, base.Threshold = "1,2", 8, 0
	base.Batch, base.SegmentSize, base.MemTokens = 2, 72, 4
	base.Warmup, base.EvalEvery, base.EvalSamples, base.CheckpointEvery, base.Keep = 2, 3, 2, 2, 2
	base.LR = 3e-3
	a := base
	a.MemNoise, a.MemStability = 0.2, 0.1
	b := base
	b.GradAccum, b.VarySegments, b.StepsPerStage = 2, false, 5
	b.MemStability = 0 // as recorded, before the default had stability
	return map[string]Config{"noise-stability": a, "grad-accum": b}
}

// goldenFile is the golden of this build's BLAS: float results differ
// between OpenBLAS and the pure-Go products, and between CPUs of different
// makers (an AMD EPYC and the Intel Xeon the first golden was recorded on
// differ from the 7th digit of a gradient norm on), never between runs of
// one build on one machine. A golden recorded on this maker's CPUs
// (losses-openblas-authenticamd-amd64.jsonl) wins over the one without a
// maker in its name, recorded on Intel Xeon.
func goldenFile() string {
	name := "openblas"
	if strings.HasPrefix(kernels.BLASName, "gonum") {
		name = "purego"
	}
	if vendor := cpuVendor(); vendor != "" && name == "openblas" {
		p := filepath.Join("testdata", "losses-"+name+"-"+vendor+"-"+runtime.GOARCH+".jsonl")
		if _, err := os.Stat(p); err == nil || *updateGolden {
			return p
		}
	}
	return filepath.Join("testdata", "losses-"+name+"-"+runtime.GOARCH+".jsonl")
}

// TestLossesGolden checks that the losses, gradient norms and validation
// results of the golden runs are bit for bit those the trainer produced
// before its buffers were shared and reused: the memory work changes where
// numbers live, never the numbers. The records are compared as JSON text,
// which prints a float64 in the fewest digits that read back to the same
// bits. Thread count is fixed at 2, the count the golden was recorded with.
func TestLossesGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("trains two tiny runs")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	var got []string
	for _, name := range []string{"noise-stability", "grad-accum"} {
		cfg := goldenRuns()[name]
		cfg.Out = filepath.Join(t.TempDir(), name)
		if err := cfg.Resolve(); err != nil {
			t.Fatal(err)
		}
		if err := Run(context.Background(), cfg, Options{}); err != nil {
			t.Fatalf("run %s: %v", name, err)
		}
		for _, r := range metricLines(t, filepath.Join(cfg.Out, "metrics.jsonl")) {
			got = append(got, name+" "+r)
		}
	}
	path := goldenFile()
	if *updateGolden {
		if err := os.WriteFile(path, []byte(strings.Join(got, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		t.Skipf("no golden %s for this BLAS and architecture; record one with the code before a change (go test ./train -run TestLossesGolden -update)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")
	if len(got) != len(want) {
		t.Fatalf("%d metric records, golden %s has %d", len(got), path, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
}

// metricLines reads metrics.jsonl without the wall-clock and thread-count fields.
func metricLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: line %q: %v", path, sc.Text(), err)
		}
		if r["type"] != "step" && r["type"] != "eval" && r["type"] != "final" {
			continue
		}
		delete(r, "tokens_per_s") // wall clock
		delete(r, "time")
		delete(r, "elapsed_s")
		delete(r, "threads") // a setting, fixed by the test
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	return out
}

// cpuVendor is /proc/cpuinfo's vendor_id in lower case ("authenticamd"), or
// "" where there is none or it is Intel's, whose golden has no maker in its name.
func cpuVendor() string {
	raw, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.SplitSeq(string(raw), "\n") {
		key, value, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(key) == "vendor_id" {
			if v := strings.ToLower(strings.TrimSpace(value)); v != "genuineintel" {
				return v
			}
			return ""
		}
	}
	return ""
}
