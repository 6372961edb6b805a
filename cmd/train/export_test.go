package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/eval"
)

// runCmd runs a command and returns its standard output and error apart.
func runCmd(t *testing.T, bin string, args ...string) (stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s%s", filepath.Base(bin), args, err, o.String(), e.String())
	}
	return o.String(), e.String()
}

// What we export, we load: a tiny run is exported, and the export gives
// the run's own accuracy and perplexity (with its memory), runs generate
// and logits without memory (saying so), and is where a new run continues.
func TestExportedRunLoadsEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three commands and trains twice")
	}
	train, export, ev := buildTrain(t), buildCmd(t, "export"), buildCmd(t, "eval")
	dir := t.TempDir()
	run, exported := filepath.Join(dir, "run"), filepath.Join(dir, "exported")
	runCmd(t, train, "--curriculum", "1,2", "--steps-per-stage", "2", "--warmup", "0", "--batch", "1", "--segment-size", "72",
		"--mem-tokens", "2", "--eval-every", "2", "--eval-samples", "2", "--out", run)
	runCmd(t, export, "--checkpoint", run, "--out", exported)

	var fromRun, fromExport eval.AccuracyReport
	acc := []string{"accuracy", "--segments", "1,2", "--samples", "6", "--json", "--save=false", "--progress", "0"}
	out, _ := runCmd(t, ev, append(acc, "--checkpoint", run)...)
	json.Unmarshal([]byte(out), &fromRun)
	out, _ = runCmd(t, ev, append(acc, "--checkpoint", exported)...)
	json.Unmarshal([]byte(out), &fromExport)
	if len(fromRun.Results) != 2 || len(fromExport.Results) != 2 || fromExport.MemTokens != 2 {
		t.Fatalf("accuracy of the run %+v and of the export %+v, want 2 rows each and 2 memory tokens", fromRun, fromExport)
	}
	for i, r := range fromRun.Results {
		if e := fromExport.Results[i]; e.Correct != r.Correct || e.Samples != r.Samples {
			t.Errorf("%d segments: the export answers %d/%d, the run's checkpoint %d/%d", r.Segments, e.Correct, e.Samples, r.Correct, r.Samples)
		}
	}

	// Perplexity with memory depends on every memory value: equal to the
	// last digit, the export carries the run's memory.
	text := filepath.Join(dir, "text")
	os.Mkdir(text, 0o755)
	line := "The rain came down over the hills and the road ran on to the sea where the boats were drawn up.\n"
	os.WriteFile(filepath.Join(text, "book.txt"), []byte(strings.Repeat(line, 200)), 0o644)
	ppl := []string{"perplexity", "--text-dir", text, "--all-files", "--segments", "2", "--samples", "2", "--json", "--save=false", "--reset=false", "--full-context=false", "--progress", "0"}
	var pRun, pExport eval.PerplexityReport
	out, _ = runCmd(t, ev, append(ppl, "--checkpoint", run)...)
	json.Unmarshal([]byte(out), &pRun)
	out, _ = runCmd(t, ev, append(ppl, "--checkpoint", exported)...)
	json.Unmarshal([]byte(out), &pExport)
	if len(pRun.Results) != 2 || pRun.Results[1].PPLMemory == nil || pExport.Results[1].PPLMemory == nil {
		t.Fatalf("perplexity of the run %+v and of the export %+v, want 2 segments with memory", pRun, pExport)
	}
	for i, r := range pRun.Results {
		if e := pExport.Results[i]; *e.PPLMemory != *r.PPLMemory || e.PPLNoMemory != r.PPLNoMemory {
			t.Errorf("segment %d: perplexity of the export %v / %v, of the run %v / %v", i+1, *e.PPLMemory, e.PPLNoMemory, *r.PPLMemory, r.PPLNoMemory)
		}
	}

	// --model: the decoder alone, with a one-line note.
	for _, args := range [][]string{{"generate", "--prompt", "The", "--max-new", "3"}, {"logits", "--ids", "1,2,3"}} {
		out, errOut := runCmd(t, ev, append(args, "--model", exported)...)
		if strings.TrimSpace(out) == "" {
			t.Errorf("eval %s --model EXPORT printed nothing", args[0])
		}
		if notes := strings.Count(errOut, "note:"); notes != 1 || !strings.Contains(errOut, "rmt.memory") {
			t.Errorf("eval %s --model EXPORT said %q, want one note about rmt.memory", args[0], errOut)
		}
	}

	// train --model EXPORT continues from it, memory included.
	_, log := runCmd(t, train, "--model", exported, "--curriculum", "1", "--steps-per-stage", "2", "--warmup", "0", "--batch", "1",
		"--segment-size", "72", "--mem-tokens", "2", "--eval-every", "2", "--eval-samples", "2", "--out", filepath.Join(dir, "more"))
	if !strings.Contains(log, "memory: rmt.memory of "+exported+" (2 tokens)") {
		t.Errorf("train --model EXPORT did not start from the export's memory:\n%s", log)
	}
	cmd := exec.Command(train, "--model", exported, "--mem-tokens", "3", "--out", filepath.Join(dir, "other"))
	if msg, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(msg), "--mem-tokens 2") {
		t.Errorf("train --model EXPORT --mem-tokens 3: %v\n%s\nwant an error suggesting --mem-tokens 2", err, msg)
	}
}
