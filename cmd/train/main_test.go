package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
)

// tinyRun is a run small enough to finish in a few seconds: the built-in
// model, memorize over 1 then 2 segments, a checkpoint every step.
var tinyRun = []string{"--curriculum", "1,2", "--steps-per-stage", "8", "--batch", "2", "--segment-size", "72",
	"--mem-tokens", "2", "--eval-every", "4", "--eval-samples", "2", "--checkpoint-every", "1", "--warmup", "2", "--keep", "2"}

func buildTrain(t *testing.T) string { return buildCmd(t, "train") }

// builtDir holds the commands the tests build, each once per test binary.
var (
	builtDir  string
	builtOnce = map[string]*sync.Once{"train": {}, "export": {}, "eval": {}}
	buildErr  = map[string]error{}
	buildMu   sync.Mutex
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rmt-cmd-test")
	if err != nil {
		panic(err)
	}
	builtDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// buildCmd builds ../<name> (train, export or eval) with this package's
// tags, once, and returns the binary's path.
func buildCmd(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(builtDir, name)
	builtOnce[name].Do(func() {
		cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-tags", buildTags, "-o", bin, "../"+name)
		if out, err := cmd.CombinedOutput(); err != nil {
			buildMu.Lock()
			buildErr[name] = fmt.Errorf("go build ../%s: %v\n%s", name, err, out)
			buildMu.Unlock()
		}
	})
	buildMu.Lock()
	defer buildMu.Unlock()
	if err := buildErr[name]; err != nil {
		t.Fatal(err)
	}
	return bin
}

// stepLosses reads the step and eval records of metrics.jsonl as text, so
// that equality is exact to the last digit.
func stepLosses(t *testing.T, dir string) []string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r map[string]any
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("metrics.jsonl line %q: %v", sc.Text(), err)
		}
		if r["type"] == "memory" {
			continue // a measurement of the process, like the wall clock
		}
		delete(r, "tokens_per_s") // wall-clock, differs between runs
		delete(r, "time")
		delete(r, "elapsed_s")
		b, _ := json.Marshal(r)
		out = append(out, string(b))
	}
	return out
}

// TestKillAndResume kills a training run with SIGKILL at random moments,
// resumes it each time, and checks that the latest checkpoint is always
// loadable and that the final losses equal those of a run never stopped.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/train several times")
	}
	bin := buildTrain(t)
	ref := filepath.Join(t.TempDir(), "ref")
	t0 := time.Now()
	if out, err := exec.Command(bin, append(tinyRun, "--out", ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}
	// Kills land at random moments within the first half of a run's length
	// (a resumed run has less left to do, so some may finish first).
	runTime := time.Since(t0)
	want := stepLosses(t, ref)
	if len(want) < 16 {
		t.Fatalf("uninterrupted run logged %d records, want at least 16", len(want))
	}

	dir := filepath.Join(t.TempDir(), "killed")
	run := checkpoints.Run{Dir: dir}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	kills := 0
	for attempt := 0; attempt < 20; attempt++ {
		args := append(append([]string{}, tinyRun...), "--out", dir)
		if _, err := run.Latest(); err == nil {
			args = append(args, "--resume")
		}
		cmd := exec.Command(bin, args...)
		var log strings.Builder
		cmd.Stdout, cmd.Stderr = &log, &log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if kills < 4 {
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("run %d failed: %v\n%s", attempt, err, log.String())
				}
				attempt = 100 // finished before the kill
				continue
			case <-time.After(runTime/10 + time.Duration(rng.Int64N(int64(runTime*4/10)))):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				kills++
			}
			if latest, err := run.Latest(); err == nil {
				if _, err := checkpoints.Load(latest); err != nil {
					t.Fatalf("after kill %d the latest checkpoint is corrupt: %v", kills, err)
				}
			}
			continue
		}
		if err := <-done; err != nil {
			t.Fatalf("final resumed run failed: %v\n%s", err, log.String())
		}
		break
	}
	if kills == 0 {
		t.Fatal("the run was never killed; the test proves nothing")
	}
	got := stepLosses(t, dir)
	if len(got) != len(want) {
		t.Fatalf("resumed run logged %d records, uninterrupted %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("record %d after %d kills = %s, want %s", i, kills, got[i], want[i])
		}
	}
	t.Logf("%d kills, %d records identical to the uninterrupted run", kills, len(want))
}

// TestNaNStopsTheRun: a diverging run stops with an error naming the last
// good checkpoint, which stays loadable, and nothing is saved after it.
func TestNaNStopsTheRun(t *testing.T) {
	bin := buildTrain(t)
	dir := filepath.Join(t.TempDir(), "nan")
	out, err := exec.Command(bin, append(append([]string{}, tinyRun...), "--out", dir, "--lr", "1e30", "--clip-norm", "0")...).CombinedOutput()
	if err == nil {
		t.Fatalf("a run at lr 1e30 succeeded:\n%s", out)
	}
	if !strings.Contains(string(out), "last good checkpoint") || !(strings.Contains(string(out), "NaN") || strings.Contains(string(out), "Inf")) {
		t.Fatalf("the run said:\n%s\nwant a NaN/Inf loss error naming the last good checkpoint", out)
	}
	latest, err := checkpoints.Run{Dir: dir}.Latest()
	if err != nil {
		t.Fatalf("no checkpoint left: %v", err)
	}
	if _, err := checkpoints.Load(latest); err != nil {
		t.Fatalf("the last good checkpoint does not load: %v", err)
	}
	if !strings.Contains(string(out), latest) {
		t.Errorf("the error does not name the latest checkpoint %s:\n%s", latest, out)
	}
}

// TestMemStabilityLogged: with --mem-stability the penalty is logged for
// steps of three or more segments (two hand-offs to compare) and only
// there, and the loss stays the task's loss.
func TestMemStabilityLogged(t *testing.T) {
	bin := buildTrain(t)
	dir := filepath.Join(t.TempDir(), "stable")
	args := []string{"--curriculum", "1,3", "--steps-per-stage", "3", "--batch", "2", "--segment-size", "72", "--mem-tokens", "2",
		"--eval-every", "3", "--eval-samples", "2", "--warmup", "1", "--vary-segments=false", "--mem-noise", "0.3",
		"--mem-stability", "0.5", "--log-every", "1", "--out", dir}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	steps := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct {
			Type       string
			Segments   int
			Loss       float64
			MemPenalty *float64 `json:"mem_penalty"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Type != "step" {
			continue
		}
		steps++
		if (r.MemPenalty != nil && *r.MemPenalty > 0) != (r.Segments >= 3) {
			t.Errorf("step of %d segments: mem_penalty %v", r.Segments, r.MemPenalty)
		}
	}
	if steps != 6 {
		t.Errorf("%d step records, want 6", steps)
	}
	if !strings.Contains(string(out), "mem penalty") {
		t.Errorf("the log does not show the penalty:\n%s", out)
	}
}

// TestResumeRefusesAnotherShape: resuming a run with a different model
// shape is an error, and the run's files are left as they were.
func TestResumeRefusesAnotherShape(t *testing.T) {
	bin := buildTrain(t)
	dir := filepath.Join(t.TempDir(), "run")
	short := []string{"--curriculum", "1", "--steps-per-stage", "2", "--batch", "1", "--segment-size", "72", "--mem-tokens", "2",
		"--eval-every", "2", "--eval-samples", "1", "--warmup", "0", "--out", dir}
	if out, err := exec.Command(bin, short...).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	before := stepLosses(t, dir)
	latest, _ := checkpoints.Run{Dir: dir}.Latest()
	out, err := exec.Command(bin, append(short, "--mem-tokens", "4", "--resume")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "mem_tokens") {
		t.Fatalf("resume with another memory size: err %v, said:\n%s\nwant an error naming mem_tokens", err, out)
	}
	again, _ := checkpoints.Run{Dir: dir}.Latest()
	if again != latest || strings.Join(stepLosses(t, dir), "") != strings.Join(before, "") {
		t.Errorf("a refused resume changed the run directory")
	}
	if out, err := exec.Command(bin, short...).CombinedOutput(); err == nil || !strings.Contains(string(out), "already holds a run") {
		t.Errorf("a fresh run into a used --out: err %v, said:\n%s", err, out)
	}
	// --resume with --out alone takes the run's saved config.
	if out, err := exec.Command(bin, "--out", dir, "--resume").CombinedOutput(); err != nil {
		t.Errorf("resume with --out alone: %v\n%s", err, out)
	}
}

// TestARMTRun: a short run with the associative memory trains, writes
// checkpoints that say so, and refuses to be resumed as rmt.
func TestARMTRun(t *testing.T) {
	bin := buildTrain(t)
	dir := filepath.Join(t.TempDir(), "armt")
	args := []string{"--memory", "armt", "--d-mem", "4", "--curriculum", "2", "--steps-per-stage", "2", "--batch", "1",
		"--segment-size", "72", "--mem-tokens", "2", "--eval-every", "2", "--eval-samples", "1", "--warmup", "0", "--out", dir}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	latest, err := checkpoints.Run{Dir: dir}.Latest()
	if err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoints.Load(latest)
	if err != nil {
		t.Fatal(err)
	}
	if k := ck.RMT.Kind(); k.Kind != "armt" || k.DMem != 4 || ck.Weights.Get("armt.layers.0.W_mv.weight") == nil {
		t.Errorf("checkpoint memory %+v, want armt with d_mem 4 and its parameters", k)
	}
	// New runs take the normalised features, and both files record them.
	for _, f := range []string{filepath.Join(latest, "rmt.json"), filepath.Join(dir, "config.json")} {
		if raw, err := os.ReadFile(f); err != nil || !strings.Contains(string(raw), `"armt_features": "dpfp-normalized"`) {
			t.Errorf("%s: %v, want armt_features dpfp-normalized in:\n%s", f, err, raw)
		}
	}
	out, err = exec.Command(bin, append(args, "--resume", "--armt-features", "dpfp")...).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "armt_features dpfp-normalized, the run dpfp") {
		t.Errorf("resume with the other features: err %v, said:\n%s", err, out)
	}
	out, err = exec.Command(bin, "--out", dir, "--resume", "--memory", "rmt", "--d-mem", "0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "checkpoint has memory armt, the run rmt") {
		t.Errorf("resume as rmt: err %v, said:\n%s\nwant an error naming both memory kinds", err, out)
	}
}

func TestBadFlagsAndResume(t *testing.T) {
	bin := buildTrain(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.json")
	os.WriteFile(cfg, []byte(`{"task":"memorize","segmnt_size":64}`), 0o644)
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o500)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--segmnt-size", "64"}, "train: unknown flag --segmnt-size; did you mean --segment-size? (train -h lists every flag)"},
		{"missing model folder", []string{"--model", filepath.Join(dir, "no-such-model")}, "--model " + filepath.Join(dir, "no-such-model") + ": no such folder"},
		{"unknown config key", []string{"--config", cfg}, "segmnt_size"},
		{"invalid curriculum", []string{"--curriculum", "1,4,2"}, "increasing"},
		{"resume without a run", []string{"--out", filepath.Join(dir, "empty"), "--resume"}, "no run to resume"},
		{"unwritable output directory", []string{"--out", filepath.Join(ro, "run")}, "--out"},
		{"bad task", []string{"--task", "summarize"}, "--task"},
		{"negative memory noise", []string{"--mem-noise", "-0.1"}, "--mem-noise"},
		{"negative memory stability", []string{"--mem-stability", "-1"}, "--mem-stability"},
		{"unknown memory kind", []string{"--memory", "lstm"}, `--memory "lstm"`},
		{"d-mem with rmt", []string{"--d-mem", "4"}, "--d-mem 4 is the associative memory's key width; it needs --memory armt"},
		{"armt without d-mem", []string{"--memory", "armt"}, "--d-mem 0, want at least 1"},
		{"armt with negative d-mem", []string{"--memory", "armt", "--d-mem", "-2"}, "--d-mem -2, want at least 1"},
		{"armt with memory noise", []string{"--memory", "armt", "--d-mem", "4", "--mem-noise", "0.3"}, "--mem-noise"},
		{"unknown armt features", []string{"--memory", "armt", "--d-mem", "4", "--armt-features", "elu"}, `--armt-features "elu", want dpfp or dpfp-normalized`},
		{"armt features with rmt", []string{"--armt-features", "dpfp-normalized"}, "--armt-features dpfp-normalized is the associative memory's feature map; it needs --memory armt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "unwritable output directory" && os.Geteuid() == 0 {
				ro2 := "/proc/rmt-test-run"
				tc.args = []string{"--out", ro2}
			}
			out, err := exec.Command(bin, tc.args...).CombinedOutput()
			if err == nil {
				t.Fatalf("train %v succeeded, want an error", tc.args)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("train %v said:\n%s\nwant a message mentioning %q", tc.args, out, tc.want)
			}
		})
	}
}
