//go:build unix

package checkpoints

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/rmtgo/rmt/graph"
)

// BenchmarkLoadGPT2Small measures what verifying the checksums costs on
// load: a checkpoint of GPT-2 small's shape (124M parameters, a 498 MB
// model.safetensors, no optimizer moments) is loaded with and without
// verification, alternately so that both meet the same page cache, and the
// extra time is reported as a share of the unverified load, in wall and in
// CPU time, beside the share of the verified loads spent inside the CRC
// calls (docs/formats.md):
//
//	go test ./checkpoints -run '^$' -bench LoadGPT2Small -benchtime 5x
func BenchmarkLoadGPT2Small(b *testing.B) {
	tied := true
	c := graph.Config{ModelType: "gpt2", VocabSize: 50257, NEmbd: 768, NLayer: 12, NHead: 12, NPositions: 1024,
		ActivationFunction: "gelu_new", LayerNormEpsilon: 1e-5, TieWordEmbeddings: &tied}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "ck")
	ck := &Checkpoint{Weights: w, RMT: RMTInfo{SegmentSize: 512, BPTTDepth: -1}, State: State{Step: 1}}
	if err := Save(dir, ck); err != nil {
		b.Fatal(err)
	}
	ck = nil
	// load returns the wall time of one load and the CPU time the process
	// spent in it (all threads: reading, decoding, checking, GC), which
	// other work on a shared machine disturbs less than the wall time.
	load := func(verify bool) (wall, cpu time.Duration) {
		verifyChecksums = verify
		defer func() { verifyChecksums = true }()
		c0 := cpuTime()
		t0 := time.Now()
		if _, err := Load(dir); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), cpuTime() - c0
	}
	load(true) // fill the page cache
	var inCRC time.Duration
	crcClock = &inCRC
	defer func() { crcClock = nil }()
	var with, without, cpuWith, cpuWithout time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var w, wo, cw, cwo time.Duration
		if i%2 == 0 {
			w, cw = load(true)
			wo, cwo = load(false)
		} else {
			wo, cwo = load(false)
			w, cw = load(true)
		}
		with, without, cpuWith, cpuWithout = with+w, without+wo, cpuWith+cw, cpuWithout+cwo
	}
	b.ReportMetric(float64(with.Milliseconds())/float64(b.N), "ms/verified-load")
	b.ReportMetric(float64(without.Milliseconds())/float64(b.N), "ms/unverified-load")
	b.ReportMetric(100*(with.Seconds()-without.Seconds())/without.Seconds(), "%-checksum-cost")
	b.ReportMetric(100*(cpuWith.Seconds()-cpuWithout.Seconds())/cpuWithout.Seconds(), "%-checksum-cpu-cost")
	// The time inside the CRC calls as a share of the verified loads: the
	// least disturbed by other work, which slows both alike.
	b.ReportMetric(100*inCRC.Seconds()/with.Seconds(), "%-load-in-crc")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
