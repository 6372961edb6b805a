// Package pytorch_test proves that rmt_reader.py, the PyTorch reader of
// exported folders, computes what rmt computes: the same logits over a
// long input read segment by segment, the same greedy continuation, and
// the PyTorch fixtures' numbers for both ARMT feature variants. The tests
// run Debian's /usr/bin/python3 with torch and skip, saying why, without.
package pytorch_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/internal/testutil"
	"github.com/rmtgo/rmt/train"
)

const python = "/usr/bin/python3"

// needTorch skips the test unless python3 with torch is installed.
func needTorch(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("%s is not installed: the PyTorch reader cannot run (Debian: apt-get install python3-torch)", python)
	}
	if out, err := exec.Command(python, "-c", "import torch").CombinedOutput(); err != nil {
		t.Skipf("%s has no torch (%v: %s): the PyTorch reader cannot run (Debian: apt-get install python3-torch)", python, err, strings.TrimSpace(string(out)))
	}
}

// readerOut is what rmt_reader.py --logits-json writes.
type readerOut struct {
	IDs       []int       `json:"ids"`
	Logits    [][]float64 `json:"logits"`
	Generated []int       `json:"generated"`
}

// runReader runs the reader on folder with args and returns its exit code,
// standard output and error.
func runReader(t *testing.T, folder string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	cmd := exec.Command(python, append([]string{"rmt_reader.py", folder}, args...)...)
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), o.String(), e.String()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0, o.String(), e.String()
}

// call is one run of the reader's main in runReaders.
type call struct {
	Code   int    `json:"code"`
	Stdout string `json:"stdout"`
	Stderr string `json:"stderr"`
}

// readerDriver runs rmt_reader.main on each argument list read as JSON from
// standard input, in one process (torch is imported once), and writes
// each run's exit code and output; an exception main lets escape is
// reported as the traceback the command would print.
const readerDriver = `
import contextlib, io, json, sys
import rmt_reader
out = []
for args in json.load(sys.stdin):
    o, e = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(o), contextlib.redirect_stderr(e):
        try:
            code = rmt_reader.main(args)
        except SystemExit as x:
            code = x.code
        except Exception as x:
            code = 1
            print("Traceback:", repr(x), file=e)
    out.append({"code": code, "stdout": o.getvalue(), "stderr": e.getvalue()})
json.dump(out, sys.__stdout__)
`

// runReaders runs the reader's main once per argument list, all in one
// Python process.
func runReaders(t *testing.T, calls [][]string) []call {
	t.Helper()
	in, _ := json.Marshal(calls)
	cmd := exec.Command(python, "-c", readerDriver)
	cmd.Stdin = bytes.NewReader(in)
	var e bytes.Buffer
	cmd.Stderr = &e
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the reader's driver: %v\n%s", err, e.String())
	}
	var res []call
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(calls) {
		t.Fatalf("the reader's driver wrote %q (%v); want %d results", out, err, len(calls))
	}
	return res
}

func joinInts(ids []int) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(id)
	}
	return strings.Join(s, ",")
}

// trainedExport trains a few steps from the base model folder with the
// given memory and exports the best checkpoint in format.
func trainedExport(t *testing.T, model string, mem graph.Memory, format string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := train.DefaultConfig()
	cfg.Model, cfg.Out = model, filepath.Join(dir, "run")
	cfg.Memory, cfg.MemTokens, cfg.DMem = mem.Kind, mem.Tokens, mem.DMem
	cfg.SegmentSize, cfg.Curriculum, cfg.StepsPerStage, cfg.Warmup = 64, "1,2", 2, 0
	cfg.Batch, cfg.EvalEvery, cfg.EvalSamples = 1, 2, 2
	if mem.Kind == graph.KindARMT {
		cfg.MemStability = 0
	}
	if err := cfg.Resolve(); err != nil {
		t.Fatal(err)
	}
	if err := train.Run(context.Background(), cfg, train.Options{Log: io.Discard, NoFinalTable: true}); err != nil {
		t.Fatal(err)
	}
	best, err := checkpoints.Resolve(cfg.Out)
	if err != nil {
		t.Fatal(err)
	}
	ck, err := checkpoints.Open(best)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "exported")
	if err := checkpoints.Export(ck, out, checkpoints.ExportOptions{Format: format, From: best}); err != nil {
		t.Fatal(err)
	}
	return out
}

// gpt2WithTokenizer is tiny-gpt2-random with stories260K's tokenizer (both
// have 512 ids), so that training tasks can write text for it.
func gpt2WithTokenizer(t *testing.T) string {
	dir := t.TempDir()
	for _, f := range []string{"tiny-gpt2-random/config.json", "tiny-gpt2-random/model.safetensors", "stories260K/tokenizer.json"} {
		if err := os.Symlink(testutil.Shared(t, "models/"+f), filepath.Join(dir, filepath.Base(f))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// goLogits reads ids through the exported folder's memory in Go (in T),
// one full segment at a time, and returns every position's logits. fresh
// reads the last segment from the initial state instead, to show what
// memory adds.
func goLogits[T float32 | float64](t *testing.T, ck *checkpoints.Checkpoint, ids []int, fresh bool) [][]float64 {
	t.Helper()
	S := ck.RMT.SegmentSize
	cell, err := graph.NewMemoryCell[T](ck.Weights, ck.RMT.Kind(), S, false)
	if err != nil {
		t.Fatal(err)
	}
	shape := cell.Shape(1)
	shape.LogitRows = S
	seg, err := graph.NewSegment[T](ck.Weights, shape, graph.BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rows := make([]int, S)
	for i := range rows {
		rows[i] = i
	}
	V := ck.Weights.Config.VocabSize
	state := cell.InitialMemory(1)
	var out [][]float64
	for i := 0; i < len(ids); i += S {
		if fresh && i+S == len(ids) {
			state = cell.InitialMemory(1)
		}
		r, err := seg.Forward(&graph.Batch[T]{IDs: ids[i : i+S], LogitRows: rows}, state)
		if err != nil {
			t.Fatal(err)
		}
		for j := range S {
			row := make([]float64, V)
			for k, v := range r.Logits[j*V : (j+1)*V] {
				row[k] = float64(v)
			}
			out = append(out, row)
		}
		state = r.MemOut
	}
	return out
}

// The reader, given a folder the Go side trained for a few steps and
// exported, reads 4 segments to the Go logits within 1e-4 and continues
// them greedily with the same tokens: RMT and ARMT, Llama and GPT-2, in
// both export layouts.
func TestReaderMatchesGo(t *testing.T) {
	if testing.Short() {
		t.Skip("trains four tiny models")
	}
	needTorch(t)
	stories := testutil.Shared(t, "models/stories260K")
	gpt2 := gpt2WithTokenizer(t)
	cases := []struct {
		name, model, format string
		mem                 graph.Memory
	}{
		{"stories260K rmt rmt-pytorch", stories, checkpoints.FormatRMTPyTorch, graph.Memory{Kind: graph.KindRMT, Tokens: 4}},
		{"stories260K armt", stories, checkpoints.FormatHF, graph.Memory{Kind: graph.KindARMT, Tokens: 4, DMem: 8}},
		{"tiny-gpt2-random rmt", gpt2, checkpoints.FormatHF, graph.Memory{Kind: graph.KindRMT, Tokens: 4}},
		{"tiny-gpt2-random armt", gpt2, checkpoints.FormatHF, graph.Memory{Kind: graph.KindARMT, Tokens: 4, DMem: 4}},
	}
	// Train and export each, then run the reader on all of them in one
	// Python process: float32 with a continuation, and float64.
	type export struct {
		folder, out, out64 string
		ids                []int
	}
	var exports []export
	var calls [][]string
	for _, tc := range cases {
		folder := trainedExport(t, tc.model, tc.mem, tc.format)
		ck, err := checkpoints.Open(folder)
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(7, 7))
		ids := make([]int, 4*ck.RMT.SegmentSize)
		for i := range ids {
			ids[i] = 3 + rng.IntN(ck.Weights.Config.VocabSize-3)
		}
		e := export{folder, filepath.Join(folder, "..", "logits.json"), filepath.Join(folder, "..", "logits64.json"), ids}
		exports = append(exports, e)
		calls = append(calls,
			[]string{folder, "--ids", joinInts(ids), "--max-new", "8", "--no-eos", "--logits-json", e.out},
			[]string{folder, "--ids", joinInts(ids), "--max-new", "0", "--float64", "--logits-json", e.out64})
	}
	res := runReaders(t, calls)
	for i, tc := range cases {
		e := exports[i]
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range res[2*i : 2*i+2] {
				if r.Code != 0 {
					t.Fatalf("the reader: exit %d\n%s%s", r.Code, r.Stdout, r.Stderr)
				}
			}
			ck, err := checkpoints.Open(e.folder)
			if err != nil {
				t.Fatal(err)
			}
			if card, err := os.ReadFile(filepath.Join(e.folder, "README.md")); err != nil || !strings.Contains(string(card), "rmt_reader.py") {
				t.Errorf("the export's model card: %v; want one that says how to load it in PyTorch", err)
			}
			if _, err := os.Stat(filepath.Join(e.folder, "generation_config.json")); tc.model == stories && err != nil {
				t.Errorf("the export of stories260K lacks its generation_config.json: %v", err)
			}
			S, ids := ck.RMT.SegmentSize, e.ids
			var got, got64 readerOut
			testutil.ReadJSON(t, e.out, &got)
			testutil.ReadJSON(t, e.out64, &got64)
			// float32 on both sides, as each runs for its users: within 1e-4
			// of each position's logit scale (max(1, max |logit|)), since
			// both round. And float64 on both: the same computation.
			want := goLogits[float32](t, ck, ids, false)
			worst, scaled, at := compare(t, got.Logits, want)
			if !(scaled <= 1e-4) {
				t.Errorf("float32: reader logits differ from Go's by %.3g (%.3g of the logit scale) at position %d (segment %d); want at most 1e-4 of the scale", worst, scaled, at, at/S+1)
			}
			worst64, _, at64 := compare(t, got64.Logits, goLogits[float64](t, ck, ids, false))
			if !(worst64 <= 1e-9) {
				t.Errorf("float64: reader logits differ from Go's by %.3g at position %d (segment %d); want at most 1e-9", worst64, at64, at64/S+1)
			}
			// The memory matters here: without it the last segment reads otherwise.
			alone := goLogits[float32](t, ck, ids, true)
			moved := 0.0
			for i := 3 * S; i < 4*S; i++ {
				for j := range alone[i] {
					moved = max(moved, math.Abs(alone[i][j]-want[i][j]))
				}
			}
			if moved < 1e-3 {
				t.Errorf("memory moves segment 4's logits by only %.3g: the comparison would not see a memory bug", moved)
			}

			cell, err := graph.NewMemoryCell[float32](ck.Weights, ck.RMT.Kind(), S, false)
			if err != nil {
				t.Fatal(err)
			}
			s := cell.NewStream()
			if err := s.Feed(ids); err != nil {
				t.Fatal(err)
			}
			gen, err := s.Generate(nil, 8, nil)
			if err != nil {
				t.Fatal(err)
			}
			if joinInts(got.Generated) != joinInts(gen) {
				t.Errorf("greedy continuation: reader %v, Go %v", got.Generated, gen)
			}
			t.Logf("%d positions: max |Δlogit| float32 %.3g (%.3g of the scale), float64 %.3g; memory moves segment 4 by %.3g; continuation %v", len(want), worst, scaled, worst64, moved, gen)
		})
	}
}

// compare returns the largest |got - want| over every logit, the largest
// |got - want| / max(1, max |want|) of a position, and where that is.
func compare(t *testing.T, got [][]float64, want [][]float64) (worst, scaled float64, at int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("the reader gave %d rows of logits, Go %d", len(got), len(want))
	}
	for i := range want {
		scale, d := 1.0, 0.0
		for j, w := range want[i] {
			scale, d = max(scale, math.Abs(w)), max(d, math.Abs(got[i][j]-w))
			if math.IsNaN(got[i][j]) {
				d = math.Inf(1)
			}
		}
		worst = max(worst, d)
		if d/scale > scaled || math.IsInf(d, 1) {
			scaled, at = d/scale, i
		}
	}
	return worst, scaled, at
}

// fixtureFolder writes an exported folder for a PyTorch memory fixture of
// model: its decoder, the fixture's memory parameters, and rmt.json
// (features names armt_features; "" leaves it out, the default dpfp).
func fixtureFolder(t *testing.T, model, fixture, features string) (string, map[string]any) {
	t.Helper()
	base := testutil.Shared(t, "models/"+model)
	var ref map[string]any
	testutil.ReadJSON(t, filepath.Join(base, fixture), &ref)
	ts, _, err := checkpoints.ReadSafetensors(filepath.Join(base, "model.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	info := map[string]any{"mem_tokens": 4, "segment_size": 8, "bptt_depth": -1, "tokenizer": "byte"}
	if strings.HasPrefix(fixture, "rmt") {
		var mem []float32
		for _, row := range ref["rmt"].(map[string]any)["memory"].([]any) {
			for _, v := range row.([]any) {
				mem = append(mem, float32(v.(float64)))
			}
		}
		ts = append(ts, checkpoints.Tensor{Name: graph.MemoryName, Shape: []int{4, len(mem) / 4}, Data: mem})
		info["memory"] = "rmt"
	} else {
		armt, _, err := checkpoints.ReadSafetensors(filepath.Join(base, "armt_reference.safetensors"))
		if err != nil {
			t.Fatal(err)
		}
		ts = append(ts, armt...)
		info["memory"], info["d_mem"] = "armt", ref["armt"].(map[string]any)["d_mem"]
		if features != "" {
			info["armt_features"] = features
		}
	}
	dir := t.TempDir()
	if err := checkpoints.WriteSafetensors(filepath.Join(dir, "model.safetensors"), ts, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(base, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	rmt, _ := json.Marshal(info)
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rmt.json"), rmt, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, ref
}

// The reader gives the PyTorch fixtures' logits (first and last token of
// each of 3 segments, batch row 0) for RMT, ARMT and ARMT with normalised
// features, on both models: the normalised variant is checked here against
// the authors' semantics whatever the Go side implements.
func TestReaderFixtures(t *testing.T) {
	needTorch(t)
	type fixture struct {
		name string
		ref  map[string]any
		out  string
	}
	var fxs []fixture
	var calls [][]string
	for _, model := range []string{"stories260K", "tiny-gpt2-random"} {
		for _, fx := range []struct{ file, features string }{
			{"rmt_reference.json", ""}, {"armt_reference.json", ""}, {"armt_reference.json", "dpfp"}, {"armt_reference_norm.json", "dpfp-normalized"},
		} {
			dir, ref := fixtureFolder(t, model, fx.file, fx.features)
			var ids []int
			for _, v := range ref["inputs"].(map[string]any)["ids"].([]any)[0].([]any) {
				ids = append(ids, int(v.(float64)))
			}
			out := filepath.Join(t.TempDir(), "logits.json")
			fxs = append(fxs, fixture{model + " " + fx.file + " " + fx.features, ref, out})
			calls = append(calls, []string{dir, "--ids", joinInts(ids), "--max-new", "0", "--logits-json", out})
		}
	}
	for i, res := range runReaders(t, calls) {
		fx := fxs[i]
		t.Run(fx.name, func(t *testing.T) {
			if res.Code != 0 {
				t.Fatalf("exit %d\n%s%s", res.Code, res.Stdout, res.Stderr)
			}
			var got readerOut
			testutil.ReadJSON(t, fx.out, &got)
			tol := fx.ref["tolerances"].(map[string]any)["logits_abs"].(float64)
			worst := 0.0
			for s, seg := range fx.ref["forward"].(map[string]any)["logits_row0"].([]any) {
				for _, end := range []struct {
					key string
					pos int
				}{{"first", 8 * s}, {"last", 8*s + 7}} {
					for j, v := range seg.(map[string]any)[end.key].([]any) {
						worst = max(worst, math.Abs(got.Logits[end.pos][j]-v.(float64)))
					}
				}
			}
			if !(worst <= tol) {
				t.Errorf("reader logits differ from the fixture by %.3g; want at most %g", worst, tol)
			}
			t.Logf("max |Δlogit| %.3g (tolerance %g)", worst, tol)
		})
	}
}

// Bad folders are refused with one line naming the file and the fault,
// never a traceback.
func TestReaderBadInput(t *testing.T) {
	needTorch(t)
	good, _ := fixtureFolder(t, "tiny-gpt2-random", "rmt_reference.json", "")
	copyFolder := func(t *testing.T) string {
		dir := t.TempDir()
		for _, f := range []string{"config.json", "rmt.json", "model.safetensors"} {
			b, err := os.ReadFile(filepath.Join(good, f))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dir, f), b, 0o644)
		}
		return dir
	}
	setRMT := func(t *testing.T, dir string, key string, v any) {
		var info map[string]any
		testutil.ReadJSON(t, filepath.Join(dir, "rmt.json"), &info)
		info[key] = v
		b, _ := json.Marshal(info)
		os.WriteFile(filepath.Join(dir, "rmt.json"), b, 0o644)
	}
	truncate := func(t *testing.T, dir string, keep func(n int) int) {
		p := filepath.Join(dir, "model.safetensors")
		b, _ := os.ReadFile(p)
		os.WriteFile(p, b[:keep(len(b))], 0o644)
	}
	cases := []struct {
		name  string
		spoil func(t *testing.T, dir string)
		want  string
	}{
		{"no rmt.json", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "rmt.json")) }, "has no rmt.json"},
		{"unknown memory", func(t *testing.T, dir string) { setRMT(t, dir, "memory", "lstm") }, "memory 'lstm' is unknown"},
		{"unknown features", func(t *testing.T, dir string) {
			setRMT(t, dir, "memory", "armt")
			setRMT(t, dir, "armt_features", "elu")
		}, "armt_features 'elu' is unknown"},
		{"truncated data", func(t *testing.T, dir string) { truncate(t, dir, func(n int) int { return n / 2 }) }, "model.safetensors: tensor"},
		{"truncated header", func(t *testing.T, dir string) { truncate(t, dir, func(int) int { return 20 }) }, "truncated"},
		{"shorter than a header length", func(t *testing.T, dir string) { truncate(t, dir, func(int) int { return 5 }) }, "5 bytes, truncated"},
		{"bad rmt.json", func(t *testing.T, dir string) { os.WriteFile(filepath.Join(dir, "rmt.json"), []byte("{"), 0o644) }, "rmt.json: not valid JSON"},
		{"no segment size", func(t *testing.T, dir string) { setRMT(t, dir, "segment_size", nil) }, "segment_size is None; want a positive integer"},
		{"config without a size", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "config.json"), []byte(`{"model_type": "gpt2"}`), 0o644)
		}, "config.json has no 'n_layer'"},
		{"id outside the vocabulary", nil, "each in [0, 512)"},
	}
	var calls [][]string
	for _, tc := range cases {
		dir := copyFolder(t)
		ids := "1,2,3"
		if tc.spoil != nil {
			tc.spoil(t, dir)
		} else {
			ids = "1,512"
		}
		calls = append(calls, []string{dir, "--ids", ids, "--max-new", "2"})
	}
	for i, res := range runReaders(t, calls) {
		tc := cases[i]
		t.Run(tc.name, func(t *testing.T) {
			if res.Code != 1 || !strings.Contains(res.Stderr, tc.want) || strings.Contains(res.Stderr, "Traceback") || res.Stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and one line saying %q", res.Code, res.Stdout, res.Stderr, tc.want)
			}
			if strings.Contains(tc.name, "truncated") && !strings.Contains(res.Stderr, "truncated") {
				t.Errorf("stderr %q does not say the file is truncated", res.Stderr)
			}
		})
	}
	// The command itself: one line on standard error and exit status 1.
	code, stdout, stderr := runReader(t, t.TempDir(), "--ids", "1")
	if code != 1 || stdout != "" || !strings.HasPrefix(stderr, "rmt_reader: ") || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "has no rmt.json") {
		t.Errorf("rmt_reader.py on an empty folder: exit %d, stdout %q, stderr %q; want exit 1 and one line saying it has no rmt.json", code, stdout, stderr)
	}
}

// The reader's --text encoder gives the ids HuggingFace tokenizers gives
// (the fixtures' reference encodings): stories260K's SentencePiece-style
// BPE with byte fallback and GPT-2's byte-level BPE, special tokens in the
// text included; GPT-2's decoder gives the reference text back.
func TestReaderTokenizer(t *testing.T) {
	needTorch(t)
	stories, gpt2 := testutil.Shared(t, "models/stories260K"), testutil.Shared(t, "models/gpt2-tokenizer")
	const check = `
import json, sys
import rmt_reader as R
bad = []
for folder, key, decoded, bos in [(sys.argv[1], "ids_tokenizer_json", None, 1), (sys.argv[2], "ids", "decoded", None)]:
    tok = R.Tokenizer(folder, {"tokenizer": "tokenizer.json"}, {"bos_token_id": bos})
    cases = json.load(open(folder + "/tokenizer_reference.json"))["cases"]
    for c in cases:
        got = ([bos] if bos else []) + tok.encode(c["text"])
        if got != c[key]:
            bad.append(f"{folder}: encode {c['text']!r} = {got}, want {c[key]}")
        if decoded and tok.decode(c[key]) != c[decoded]:
            bad.append(f"{folder}: decode {c[key]} = {tok.decode(c[key])!r}, want {c[decoded]!r}")
    print(folder, len(cases), "texts")
print("\n".join(bad))
sys.exit(1 if bad else 0)
`
	out, err := exec.Command(python, "-c", check, stories, gpt2).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	t.Logf("%s", out)
}
