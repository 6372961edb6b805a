package bench

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ResidentMB is the process's current resident set size in MiB (Linux
// /proc/self/status VmRSS), or 0 where that is not available.
func ResidentMB() float64 { return statusMB("VmRSS:") }

// PeakResidentMB is the highest resident set size of the process so far in
// MiB (VmHWM), or 0 where that is not available.
func PeakResidentMB() float64 { return statusMB("VmHWM:") }

// statusMB reads a kB field of /proc/self/status in MiB.
func statusMB(field string) float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}

// PeakSampler records the highest resident size seen while it runs, by
// sampling every few milliseconds (the kernel's VmHWM cannot be reset
// between measurements in one process).
type PeakSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	once sync.Once
	peak float64
}

func StartPeak() *PeakSampler {
	runtime.GC()
	debug.FreeOSMemory()
	p := &PeakSampler{stop: make(chan struct{}), peak: ResidentMB()}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(3 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.peak = max(p.peak, ResidentMB())
			}
		}
	}()
	return p
}

// PeakDuring runs f and returns the highest resident size (MiB) sampled
// while it ran, garbage included, starting from a collected heap.
func PeakDuring(f func() error) (float64, error) {
	p := StartPeak()
	err := f()
	return p.Done(), err
}

// Done stops the sampler (once; later calls return the same peak).
func (p *PeakSampler) Done() float64 {
	p.once.Do(func() {
		close(p.stop)
		p.wg.Wait()
		p.peak = max(p.peak, ResidentMB())
	})
	return p.peak
}

// SettledMB collects garbage and returns freed pages to the system before
// reading the resident size and the live Go heap, so that two readings at
// different moments of a long run compare what the run holds, not how far
// the collector happened to let garbage pile up.
func SettledMB() (rss, heap float64) {
	runtime.GC()
	debug.FreeOSMemory()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return ResidentMB(), float64(m.HeapInuse) / (1 << 20)
}
