package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"syscall"
	"testing"
	"time"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestTmpCPU(t *testing.T) {
	if os.Getenv("TMPCPU") == "" {
		t.Skip()
	}
	for _, s := range benchShapes {
		d := s.d
		rng := rand.New(rand.NewPCG(7, 0))
		qkv := to32(randSlice(rng, d.B*d.L*(d.H+2*d.KVH)*d.Dh, 1))
		dout := to32(randSlice(rng, d.B*d.L*d.H*d.Dh, 1))
		out, dqkv := make([]float32, len(dout)), make([]float32, len(qkv))
		var rope *Rope[float32]
		if s.rope {
			rope = NewRope[float32](d.L, d.Dh, 10000)
		}
		scale := float32(1 / math.Sqrt(float64(d.Dh)))
		c := new(AttnCache[float32])
		for _, mode := range []string{"fwd", "fwd+bwd"} {
			var walls, cpus []float64
			for rep := 0; rep < 7; rep++ {
				n := 50
				w0, c0 := time.Now(), cpuNow()
				for range n {
					AttentionForward(d, qkv, out, scale, rope, nil, c)
					if mode != "fwd" {
						AttentionBackward(d, qkv, dout, dqkv, scale, rope, nil, c)
					}
				}
				walls = append(walls, float64(time.Since(w0).Microseconds())/1e3/float64(n))
				cpus = append(cpus, float64((cpuNow()-c0).Microseconds())/1e3/float64(n))
			}
			sort.Float64s(walls)
			sort.Float64s(cpus)
			fmt.Printf("%-12s %-8s wall min %.3f ms  cpu median %.3f ms (cpu/2 %.3f)\n", s.name, mode, walls[0], cpus[3], cpus[3]/2)
		}
	}
}

func BenchmarkTmpRowOps(b *testing.B) {
	x := make([]float32, 512)
	for i := range x {
		x[i] = -float32(i%50) * 0.1
	}
	for _, tc := range []struct {
		name string
		ks   *rowKernels[float32]
	}{{"avx2", vecKernels(false)}, {"avx512", vecKernels(true)}} {
		b.Run("expSub_"+tc.name, func(b *testing.B) {
			src := append([]float32(nil), x...)
			for range b.N {
				copy(x, src)
				tc.ks.expSub(x, 0)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/512, "ns/elem")
		})
		b.Run("max_"+tc.name, func(b *testing.B) {
			for range b.N {
				tc.ks.max(x)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/512, "ns/elem")
		})
	}
}
