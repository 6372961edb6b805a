package checkpoints

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

// stepCheckpoint is a small checkpoint at the given step whose memory encodes
// the step, so that tests can tell which save a directory holds.
func stepCheckpoint(t *testing.T, step int) *Checkpoint {
	t.Helper()
	ck := newCheckpoint(t, tinyLlama(true), 2, 1)
	ck.State.Step = step
	ck.Weights.Get(graph.MemoryName).Data[0] = float32(step)
	return ck
}

// stepOf loads the checkpoint at path and returns the step its memory encodes.
func stepOf(t *testing.T, path string) int {
	t.Helper()
	ck, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s) = %v", path, err)
	}
	if got := int(ck.Weights.Get(graph.MemoryName).Data[0]); got != ck.State.Step {
		t.Fatalf("checkpoint %s has state step %d but holds the weights of step %d", path, ck.State.Step, got)
	}
	return ck.State.Step
}

func pointer(t *testing.T, run Run, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(run.Dir, "checkpoints", name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func TestSaveStepPrunes(t *testing.T) {
	type save struct {
		step int
		best bool
	}
	tests := []struct {
		name       string
		keep       int
		saves      []save
		wantDirs   []string
		wantLatest string
		wantBest   string
	}{
		{"keep 2 plus an old best", 2, []save{{1, true}, {2, true}, {3, false}, {4, false}, {5, false}, {6, false}},
			[]string{"best", "latest", "step-000002", "step-000005", "step-000006"}, "step-000006", "step-000002"},
		{"best moves on, old best pruned", 2, []save{{1, true}, {2, true}, {3, false}, {4, false}, {5, true}, {6, false}, {7, false}},
			[]string{"best", "latest", "step-000005", "step-000006", "step-000007"}, "step-000007", "step-000005"},
		{"keep 1, best is latest", 1, []save{{10, false}, {20, true}, {30, true}},
			[]string{"best", "latest", "step-000030"}, "step-000030", "step-000030"},
		{"keep 0 keeps all, no best", 0, []save{{1, false}, {2, false}, {3, false}},
			[]string{"latest", "step-000001", "step-000002", "step-000003"}, "step-000003", ""},
		{"steps past six digits", 2, []save{{999999, false}, {1000000, false}, {1000001, false}},
			[]string{"latest", "step-1000000", "step-1000001"}, "step-1000001", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := Run{Dir: t.TempDir(), Keep: tc.keep}
			for _, s := range tc.saves {
				path, err := run.SaveStep(stepCheckpoint(t, s.step), s.best)
				if err != nil {
					t.Fatalf("SaveStep(step %d) = %v, want nil", s.step, err)
				}
				if want := filepath.Join(run.Dir, "checkpoints", stepName(s.step)); path != want {
					t.Errorf("SaveStep(step %d) = %s, want %s", s.step, path, want)
				}
			}
			if got := entries(t, filepath.Join(run.Dir, "checkpoints")); !slices.Equal(got, tc.wantDirs) {
				t.Errorf("checkpoints/ = %v, want %v", got, tc.wantDirs)
			}
			if got := pointer(t, run, "latest"); got != tc.wantLatest {
				t.Errorf("latest = %q, want %q", got, tc.wantLatest)
			}
			if got := pointer(t, run, "best"); got != tc.wantBest {
				t.Errorf("best = %q, want %q", got, tc.wantBest)
			}
			latest, err := run.Latest()
			if err != nil || latest != filepath.Join(run.Dir, "checkpoints", tc.wantLatest) {
				t.Errorf("Latest() = %s, %v; want %s", latest, err, tc.wantLatest)
			}
			stepOf(t, latest)
			best, err := run.Best()
			if tc.wantBest == "" {
				if err == nil || !strings.Contains(err.Error(), "no best checkpoint in") {
					t.Errorf("Best() = %s, %v; want a no best checkpoint error", best, err)
				}
			} else if err != nil || best != filepath.Join(run.Dir, "checkpoints", tc.wantBest) {
				t.Errorf("Best() = %s, %v; want %s", best, err, tc.wantBest)
			}
		})
	}
}

func TestRunEmpty(t *testing.T) {
	run := Run{Dir: t.TempDir()}
	want := "checkpoints: no checkpoint in " + filepath.Join(run.Dir, "checkpoints") + "; nothing to resume"
	if p, err := run.Latest(); err == nil || err.Error() != want {
		t.Errorf("Latest() on an empty run = %q, %v; want %q", p, err, want)
	}
	if p, err := run.Best(); err == nil || !strings.Contains(err.Error(), "no best checkpoint in "+filepath.Join(run.Dir, "checkpoints")) {
		t.Errorf("Best() on an empty run = %q, %v; want a no best checkpoint error", p, err)
	}
}

// TestLatestWithoutPointer: a run killed after its first checkpoint's rename
// but before latest was written still resumes from that checkpoint.
func TestLatestWithoutPointer(t *testing.T) {
	run := Run{Dir: t.TempDir()}
	for _, step := range []int{5, 40, 300} {
		if _, err := run.SaveStep(stepCheckpoint(t, step), false); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Remove(filepath.Join(run.Dir, "checkpoints", "latest")); err != nil {
		t.Fatal(err)
	}
	if p, err := run.Latest(); err != nil || stepOf(t, p) != 300 {
		t.Errorf("Latest() without a pointer = %s, %v; want step-000300", p, err)
	}
}

func TestBadPointers(t *testing.T) {
	tests := []struct {
		name, content, want string
	}{
		{"dangling", "step-000099\n", "checkpoints: ROOT/latest names ROOT/step-000099, which is not a checkpoint directory"},
		{"outside", "../../etc\n", `checkpoints: ROOT/latest holds "../../etc\n"; want the name of a checkpoint directory beside it`},
		{"empty", "\n", "ROOT/latest holds"},
		{"names a file", "best\n", "ROOT/latest names ROOT/best, which is not a checkpoint directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := Run{Dir: t.TempDir()}
			if _, err := run.SaveStep(stepCheckpoint(t, 1), true); err != nil {
				t.Fatal(err)
			}
			root := filepath.Join(run.Dir, "checkpoints")
			if err := os.WriteFile(filepath.Join(root, "latest"), []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			want := strings.ReplaceAll(tc.want, "ROOT", root)
			if p, err := run.Latest(); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("Latest() = %q, %v; want an error containing %q", p, err, want)
			}
			// The next save repairs latest; a corrupt best stops pruning, which
			// cannot tell what to keep.
			if _, err := run.SaveStep(stepCheckpoint(t, 2), false); err != nil {
				t.Errorf("SaveStep after a corrupt latest = %v, want nil", err)
			}
			if p, err := run.Latest(); err != nil || stepOf(t, p) != 2 {
				t.Errorf("Latest() after SaveStep = %q, %v; want step-000002", p, err)
			}
			if err := os.WriteFile(filepath.Join(root, "best"), []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := run.Best(); err == nil || !strings.Contains(err.Error(), strings.ReplaceAll(want, "latest", "best")) {
				t.Errorf("Best() with best %q = %v; want an error", tc.content, err)
			}
		})
	}
}

// TestSaveStepReplaces saves a step that exists already. "killed" is the
// common case: a run killed after renaming step 3 into place but before
// moving latest resumes from step 2 and reaches step 3 again. The others are
// a run resumed by hand from an older checkpoint, so that pointers name the
// checkpoint being replaced.
func TestSaveStepReplaces(t *testing.T) {
	tests := []struct {
		name     string
		latest   string // pointer values before the second save of step 3
		best     string
		isBest   bool
		wantBest string // what best names afterwards; "aside" for a hidden name
		bestStep int    // the step number the best checkpoint's state has
		wantDirs []string
	}{
		{"killed", "step-000002", "step-000001", false, "step-000001", 1,
			[]string{"best", "latest", "step-000001", "step-000002", "step-000003"}},
		{"latest names it", "step-000003", "step-000001", false, "step-000001", 1,
			[]string{"best", "latest", "step-000001", "step-000002", "step-000003"}},
		{"best names it, new one is best", "step-000003", "step-000003", true, "step-000003", 3,
			[]string{"best", "latest", "step-000001", "step-000002", "step-000003"}},
		{"best names it, new one is not", "step-000002", "step-000003", false, "aside", 3,
			[]string{"best", "latest", "step-000001", "step-000002", "step-000003"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := Run{Dir: t.TempDir(), Keep: 5}
			root := filepath.Join(run.Dir, "checkpoints")
			for _, step := range []int{1, 2, 3} {
				if _, err := run.SaveStep(stepCheckpoint(t, step), false); err != nil {
					t.Fatal(err)
				}
			}
			for p, name := range map[string]string{"latest": tc.latest, "best": tc.best} {
				if err := writePointer(root, p, name); err != nil {
					t.Fatal(err)
				}
			}
			ck := stepCheckpoint(t, 3)
			ck.Weights.Get(graph.MemoryName).Data[1] = 42 // the new save
			path, err := run.SaveStep(ck, tc.isBest)
			if err != nil {
				t.Fatalf("SaveStep(step 3 again) = %v, want nil", err)
			}
			if got, err := Load(path); err != nil || got.Weights.Get(graph.MemoryName).Data[1] != 42 {
				t.Fatalf("after the second save %s holds the old checkpoint (%v)", path, err)
			}
			if got := pointer(t, run, "latest"); got != "step-000003" {
				t.Errorf("latest = %q, want step-000003", got)
			}
			best := pointer(t, run, "best")
			wantDirs := tc.wantDirs
			if tc.wantBest == "aside" {
				if !strings.HasPrefix(best, ".step-000003.old-") {
					t.Errorf("best = %q, want the old step 3 under a hidden name", best)
				}
				wantDirs = append([]string{best}, wantDirs...)
			} else if best != tc.wantBest {
				t.Errorf("best = %q, want %q", best, tc.wantBest)
			}
			bp, err := run.Best()
			if err != nil || stepOf(t, bp) != tc.bestStep {
				t.Errorf("Best() = %s, %v; want the checkpoint of step %d", bp, err, tc.bestStep)
			}
			if tc.wantBest == "aside" {
				if got, _ := Load(bp); got.Weights.Get(graph.MemoryName).Data[1] == 42 {
					t.Errorf("best names the new step 3, want the old one it was measured on")
				}
			}
			if got := entries(t, root); !slices.Equal(got, wantDirs) {
				t.Errorf("checkpoints/ = %v, want %v", got, wantDirs)
			}

			// Once best moves on, the hidden old copy goes.
			if _, err := run.SaveStep(stepCheckpoint(t, 4), true); err != nil {
				t.Fatal(err)
			}
			for _, n := range entries(t, root) {
				if strings.HasPrefix(n, ".") {
					t.Errorf("after best moved on checkpoints/ still holds %s", n)
				}
			}
		})
	}
}

// TestSaveStepSweepsLeftovers: a kill mid-save leaves hidden temporaries that
// the next save removes; other files are left alone.
func TestSaveStepSweepsLeftovers(t *testing.T) {
	run := Run{Dir: t.TempDir(), Keep: 3}
	root := filepath.Join(run.Dir, "checkpoints")
	if _, err := run.SaveStep(stepCheckpoint(t, 1), true); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{".step-000002.tmp-123", "..step-000002.new-x.tmp-9", ".step-000001.del-y", "notes"} {
		if err := os.MkdirAll(filepath.Join(root, d, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{".latest.tmp-77", ".best.tmp-78", "README"} {
		if err := os.WriteFile(filepath.Join(root, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := run.SaveStep(stepCheckpoint(t, 2), false); err != nil {
		t.Fatal(err)
	}
	want := []string{"README", "best", "latest", "notes", "step-000001", "step-000002"}
	if got := entries(t, root); !slices.Equal(got, want) {
		t.Errorf("checkpoints/ = %v, want %v", got, want)
	}
}

// TestSaveStepTokenizer: SaveStep points TokenizerFile at its own copy, so
// saving the same Checkpoint on and on survives pruning of the first one.
func TestSaveStepTokenizer(t *testing.T) {
	run := Run{Dir: t.TempDir(), Keep: 1}
	ck := stepCheckpoint(t, 1)
	src := writeTokenizer(t)
	ck.RMT.Tokenizer, ck.TokenizerFile = TokenizerJSON, src
	for step := 1; step <= 3; step++ {
		ck.State.Step = step
		ck.Weights.Get(graph.MemoryName).Data[0] = float32(step)
		path, err := run.SaveStep(ck, false)
		if err != nil {
			t.Fatalf("SaveStep(step %d) = %v, want nil", step, err)
		}
		if want := filepath.Join(path, "tokenizer.json"); ck.TokenizerFile != want {
			t.Errorf("after SaveStep TokenizerFile = %s, want %s", ck.TokenizerFile, want)
		}
	}
	a, _ := os.ReadFile(src)
	if b, err := os.ReadFile(ck.TokenizerFile); err != nil || string(a) != string(b) {
		t.Errorf("tokenizer copy = %q, %v; want %q", b, err, a)
	}
}

func TestResolve(t *testing.T) {
	withBest := Run{Dir: t.TempDir(), Keep: 2}
	for _, s := range []struct {
		step int
		best bool
	}{{1, false}, {2, true}, {3, false}} {
		if _, err := withBest.SaveStep(stepCheckpoint(t, s.step), s.best); err != nil {
			t.Fatal(err)
		}
	}
	noBest := Run{Dir: t.TempDir()}
	if _, err := noBest.SaveStep(stepCheckpoint(t, 7), false); err != nil {
		t.Fatal(err)
	}
	emptyRun := t.TempDir()
	if err := os.Mkdir(filepath.Join(emptyRun, "checkpoints"), 0o755); err != nil {
		t.Fatal(err)
	}
	junk := t.TempDir()
	if err := os.WriteFile(filepath.Join(junk, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(withBest.Dir, "checkpoints", "step-000003")

	tests := []struct {
		name, path string
		want       string // a checkpoint path, or an error substring when wantErr
		wantErr    bool
	}{
		{"run dir means best", withBest.Dir, filepath.Join(withBest.Dir, "checkpoints", "step-000002"), false},
		{"run dir without best means latest", noBest.Dir, filepath.Join(noBest.Dir, "checkpoints", "step-000007"), false},
		{"checkpoints folder", filepath.Join(withBest.Dir, "checkpoints"), filepath.Join(withBest.Dir, "checkpoints", "step-000002"), false},
		{"checkpoint dir", ckpt, ckpt, false},
		{"run without checkpoints", emptyRun, "nothing to resume", true},
		{"junk dir", junk, junk + " is not a checkpoint directory (no state.json), an exported folder (no rmt.json) or a run directory (no checkpoints/)", true},
		{"file", filepath.Join(junk, "notes.txt"), "notes.txt is a file", true},
		{"missing", filepath.Join(junk, "nope"), "no such file", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Resolve(tc.path)
			if tc.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), "checkpoints: ") || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("Resolve(%s) = %q, %v; want an error containing %q", tc.path, got, err, tc.want)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Resolve(%s) = %q, %v; want %q", tc.path, got, err, tc.want)
			}
		})
	}
}
