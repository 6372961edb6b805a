//go:build mpi

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/testutil"
	"github.com/rmtgo/rmt/train"
)

// mpiBuild is the command built with -tags mpi, once for the tests.
var mpiBuild struct {
	once sync.Once
	bin  string
	err  error
}

// onRanks runs this command, built with -tags mpi, as np processes under
// mpirun and returns what it printed on stdout (rank 0's report).
func onRanks(t *testing.T, np int, args ...string) []byte {
	t.Helper()
	stdout, stderr, err := tryRanks(t, np, args...)
	if err != nil {
		t.Fatalf("mpirun -np %d eval %v: %v\n%s", np, args, err, stderr)
	}
	return stdout
}

// tryRanks is onRanks that returns the job's error and stderr.
func tryRanks(t *testing.T, np int, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	cmd := testutil.MPIRun(t, np) // skips without mpirun
	mpiBuild.once.Do(func() {
		dir, err := os.MkdirTemp("", "rmt-eval-mpi-")
		if err != nil {
			mpiBuild.err = err
			return
		}
		mpiBuild.bin = filepath.Join(dir, "rmt-eval")
		if out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", "mpi", "-o", mpiBuild.bin, ".").CombinedOutput(); err != nil {
			mpiBuild.err = fmt.Errorf("go build -tags mpi: %v\n%s", err, out)
		}
	})
	if mpiBuild.err != nil {
		t.Fatal(mpiBuild.err)
	}
	cmd.Args = append(append(cmd.Args, mpiBuild.bin), args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}

// TestOneProcessCommandsRefuseRanks: a command that does not deal its work
// among the ranks refuses to run as one of several, saying which do.
func TestOneProcessCommandsRefuseRanks(t *testing.T) {
	_, stderr, err := tryRanks(t, 2, "logits", "--ids", "1")
	if want := "runs in one process; of the commands, accuracy, babilong, perplexity share"; err == nil || !bytes.Contains(stderr, []byte(want)) {
		t.Errorf("eval logits on 2 ranks: %v\n%s\nwant a failure saying %q", err, stderr, want)
	}
}

// TestAccuracyOnTwoRanks: accuracy over 2 ranks (9 samples, dealt 5 and 4)
// reports what one process does on the same samples, but for the timings
// and memory figures; rank 1 prints nothing.
func TestAccuracyOnTwoRanks(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a stories260K checkpoint and evaluates it twice")
	}
	c := train.DefaultConfig()
	c.Model = testutil.Shared(t, "models/stories260K")
	c.NoiseDir = testutil.Shared(t, "corpus/books")
	c.SegmentSize, c.MemTokens, c.Curriculum, c.StepsPerStage, c.Threshold = 64, 16, "1", 10, 0
	c.Batch, c.LR, c.Warmup, c.EvalEvery, c.EvalSamples = 8, 2e-3, 2, 10, 4
	c.Out = filepath.Join(t.TempDir(), "run")
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := train.Run(context.Background(), c, train.Options{}); err != nil {
		t.Fatal(err)
	}
	args := []string{"accuracy", "--checkpoint", c.Out, "--noise-dir", c.NoiseDir, "--segments", "1,2", "--samples", "9",
		"--json", "--save=false", "--progress", "0"}
	var one bytes.Buffer
	if err := accuracy(job{}, &one, args[1:]); err != nil {
		t.Fatal(err)
	}
	two := onRanks(t, 2, args...)
	var a, b eval.AccuracyReport
	if err := json.Unmarshal(one.Bytes(), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(two, &b); err != nil {
		t.Fatalf("2 ranks printed %q: %v (want one JSON document, from rank 0)", two, err)
	}
	strip := func(rep eval.AccuracyReport) string {
		for i := range rep.Results {
			r := &rep.Results[i]
			r.SecondsPerSample, r.PeakRSSMB, r.SettledRSSMB, r.HeapMB = 0, 0, 0, 0
		}
		j, _ := json.Marshal(rep)
		return string(j)
	}
	if sa, sb := strip(a), strip(b); sa != sb {
		t.Errorf("2 ranks:\n%s\n1 process:\n%s", sb, sa)
	}
	t.Logf("accuracy at 1 and 2 segments: %d/9 and %d/9 on both", a.Results[0].Correct, a.Results[1].Correct)
}

// TestPerplexityOnTwoRanks: perplexity with its controls and history over 2
// ranks prints the JSON of one process, to the last digit.
func TestPerplexityOnTwoRanks(t *testing.T) {
	ck, text := tinyCheckpoint(t), textDir(t)
	args := []string{"perplexity", "--checkpoint", ck, "--text-dir", text, "--all-files", "--segments", "3", "--samples", "5",
		"--segment-size", "24", "--history", "--json", "--save=false", "--progress", "0"}
	var one bytes.Buffer
	if err := perplexity(job{}, &one, args[1:]); err != nil {
		t.Fatal(err)
	}
	two := onRanks(t, 2, args...)
	if !bytes.Equal(one.Bytes(), two) {
		t.Errorf("2 ranks printed:\n%s\n1 process:\n%s", two, one.Bytes())
	}
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mpiBuild.bin != "" {
		os.RemoveAll(filepath.Dir(mpiBuild.bin))
	}
	os.Exit(code)
}

// TestBabilongOnTwoRanks: BABILong over 2 ranks prints the report of one
// process, but for the fields that measure time and memory.
func TestBabilongOnTwoRanks(t *testing.T) {
	ck := babiCheckpoint(t)
	babi, books := babiFolders(t)
	args := []string{"babilong", "--checkpoint", ck, "--babi-dir", babi, "--noise-dir", books, "--tasks", "1,2", "--lengths", "0k,1k",
		"--samples", "3,5", "--seed", "7", "--progress", "0", "--save=false", "--json"}
	var one, log bytes.Buffer
	if err := babilong(job{}, &one, &log, args[1:]); err != nil {
		t.Fatal(err)
	}
	two := onRanks(t, 2, args...)
	strip := func(raw []byte) string {
		var rep eval.BabilongReport
		if err := json.Unmarshal(raw, &rep); err != nil {
			t.Fatalf("%v in %s", err, raw)
		}
		for i := range rep.Results {
			r := &rep.Results[i]
			r.Seconds, r.TokensPerSecond, r.PeakRSSMB, r.SettledRSSMB, r.HeapMB = 0, 0, 0, 0, 0
		}
		j, _ := json.Marshal(rep)
		return string(j)
	}
	if a, b := strip(one.Bytes()), strip(two); a != b {
		t.Errorf("2 ranks:\n%s\n1 process:\n%s", b, a)
	}
}
