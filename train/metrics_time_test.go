package train

import (
	"path/filepath"
	"testing"
	"time"
)

// Every record carries when it was written and the run's wall time so
// far; a resumed log goes on from the elapsed time of the records kept.
func TestMetricsTimeAndElapsed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "metrics.jsonl")
	m, err := openMetrics(path, -1, 1)
	if err != nil {
		t.Fatal(err)
	}
	m.start = m.start.Add(-90 * time.Second)
	for step := 1; step <= 2; step++ {
		if err := m.Write(record{Type: "step", Step: step}); err != nil {
			t.Fatal(err)
		}
	}
	m.Close()
	m, err = openMetrics(path, 1, 1) // resumed from step 1: step 2 is dropped
	if err != nil {
		t.Fatal(err)
	}
	if m.carry < 90 || m.carry > 100 {
		t.Errorf("resumed log carries %g s, want the kept record's 90-100", m.carry)
	}
	if err := m.Write(record{Type: "step", Step: 2}); err != nil {
		t.Fatal(err)
	}
	m.Close()
	rs, err := ReadMetrics(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 {
		t.Fatalf("%d records, want 2", len(rs))
	}
	for _, r := range rs {
		at, err := time.Parse(time.RFC3339, r.Time)
		if err != nil || time.Since(at) > time.Minute {
			t.Errorf("step %d: time %q (%v), want RFC 3339 of now", r.Step, r.Time, err)
		}
	}
	if rs[1].ElapsedS < rs[0].ElapsedS || rs[0].ElapsedS < 90 {
		t.Errorf("elapsed_s %g then %g, want at least 90 and not falling", rs[0].ElapsedS, rs[1].ElapsedS)
	}
}
