package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// --threads and --spin reach the run: every record of metrics.jsonl carries
// the thread count, and a bad count is refused naming the flag.
func TestThreadsFlag(t *testing.T) {
	bin := buildTrain(t)
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"--curriculum", "1", "--steps-per-stage", "2", "--batch", "1", "--segment-size", "72", "--mem-tokens", "2",
		"--eval-every", "2", "--eval-samples", "1", "--warmup", "0", "--log-every", "1", "--threads", "1", "--spin=false", "--out", dir}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records := 0
	for sc := bufio.NewScanner(f); sc.Scan(); records++ {
		var r struct {
			Type    string
			Threads int
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Threads != 1 {
			t.Errorf("%s record: threads %d, want 1", r.Type, r.Threads)
		}
	}
	if records < 3 {
		t.Errorf("%d records in metrics.jsonl, want at least 3", records)
	}
	out, err := exec.Command(bin, "--threads", "0", "--out", filepath.Join(t.TempDir(), "x")).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "-threads") {
		t.Errorf("--threads 0: err %v, said:\n%s\nwant an error naming -threads", err, out)
	}
}
