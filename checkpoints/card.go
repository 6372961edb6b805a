package checkpoints

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/rmtgo/rmt/provenance"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rmtgo/rmt/graph"
)

// cardFile is an exported folder's model card.
const cardFile = "README.md"

// carried are the base model's files an exported folder keeps beside its
// own, so that generation and tokenizer settings travel with the weights.
var carried = []string{"generation_config.json", "tokenizer_config.json", "special_tokens_map.json"}

// baseFolder is the folder of the model the checkpoint was trained from:
// opt.Base, else the path rmt.json's training (or the run config) recorded,
// when it is there. "" when none is known or found.
func baseFolder(ck *Checkpoint, opt ExportOptions) (string, error) {
	if opt.Base != "" {
		if fi, err := os.Stat(opt.Base); err != nil || !fi.IsDir() {
			return "", fmt.Errorf("checkpoints: base model folder %s is not a folder", opt.Base)
		}
		return opt.Base, nil
	}
	p := ""
	if t := ck.RMT.Training; t != nil {
		p = t.BaseModel
	} else if len(ck.State.Config) > 0 {
		var rc struct {
			Model string `json:"model"`
		}
		json.Unmarshal(ck.State.Config, &rc)
		p = rc.Model
	}
	if fi, err := os.Stat(p); p == "" || err != nil || !fi.IsDir() {
		return "", nil
	}
	return p, nil
}

// carryFiles copies the carried files into dir from the checkpoint folder
// itself (a folder exported before) or else from the base folder.
func carryFiles(dir, from, base string) ([]string, error) {
	var got []string
	for _, name := range carried {
		for _, src := range []string{from, base} {
			if src == "" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(src, name))
			if err != nil {
				continue
			}
			if err := WriteFileAtomic(filepath.Join(dir, name), b); err != nil {
				return nil, err
			}
			got = append(got, name)
			break
		}
	}
	return got, nil
}

// licence is the licence a model folder states: the license field of its
// README.md front matter (the HuggingFace model card) or of a JSON file.
func licence(dir string) string {
	if dir == "" {
		return ""
	}
	if b, err := os.ReadFile(filepath.Join(dir, "README.md")); err == nil && bytes.HasPrefix(b, []byte("---")) {
		sc := bufio.NewScanner(bytes.NewReader(b[3:]))
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "---" {
				break
			}
			if v, ok := strings.CutPrefix(line, "license:"); ok {
				return strings.Trim(strings.TrimSpace(v), `"'`)
			}
		}
	}
	for _, name := range append([]string{configFile}, carried...) {
		var v struct {
			License string `json:"license"`
		}
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil && json.Unmarshal(b, &v) == nil && v.License != "" {
			return v.License
		}
	}
	return ""
}

// metric is one record of a run's metrics.jsonl that the card reads.
type metric struct {
	Type     string   `json:"type"`
	Stage    int      `json:"stage"`
	Step     int      `json:"step"`
	Segments int      `json:"segments"`
	ValLoss  *float64 `json:"val_loss"`
	Accuracy *float64 `json:"accuracy"`
}

// runMetrics reads the metrics.jsonl of the run a checkpoint directory
// belongs to (RUN/checkpoints/step-N), and whether the checkpoint is the
// run's best; nil when the checkpoint is not inside a run.
func runMetrics(from string) ([]metric, bool) {
	ckDir := filepath.Dir(filepath.Clean(from))
	if from == "" || filepath.Base(ckDir) != checkpointsDir {
		return nil, false
	}
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(ckDir), "metrics.jsonl"))
	if err != nil {
		return nil, false
	}
	var ms []metric
	for _, line := range bytes.Split(raw, []byte("\n")) {
		var m metric
		if json.Unmarshal(line, &m) == nil && m.Type != "" {
			ms = append(ms, m)
		}
	}
	best, _ := os.ReadFile(filepath.Join(ckDir, bestPointer))
	return ms, strings.TrimSpace(string(best)) == filepath.Base(filepath.Clean(from))
}

// evalFile is one evaluation report kept beside a checkpoint (eval/*.json).
type evalFile struct {
	Name    string
	Results []map[string]any
}

func evalResults(from string) []evalFile {
	if from == "" {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(from, "eval", "*.json"))
	slices.Sort(paths)
	var out []evalFile
	for _, p := range paths {
		var r struct {
			Results []map[string]any `json:"results"`
		}
		if b, err := os.ReadFile(p); err == nil && json.Unmarshal(b, &r) == nil && len(r.Results) > 0 {
			out = append(out, evalFile{Name: "eval/" + filepath.Base(p), Results: r.Results})
		}
	}
	return out
}

// card is the input of writeCard.
type card struct {
	name, format, base, licence string
	info                        RMTInfo
	cfg                         graph.Config
	params                      int
	carried                     []string
	metrics                     []metric
	isBest                      bool
	evals                       []evalFile
}

// writeCard writes the model card of an exported folder: what the model
// is, how it was trained, what it measured and how to load it, all from
// rmt.json and the run's files.
func writeCard(dir string, c card) error {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	info, cfg, tr := c.info, c.cfg, c.info.Training
	p("# %s", c.name)
	p("")
	p("A %s model with a recurrent memory (%s), trained with rmt and exported in the `%s` format.", cfg.ModelType, info.Kind().Kind, c.format)
	p("This card was generated by `cmd/export` from `rmt.json` and the training run's files; it is not written by hand.")
	p("")
	p("| | |")
	p("| --- | --- |")
	base := "the built-in random model (no licence: random initialisation)"
	if tr != nil && tr.BaseModel != "" || c.base != "" {
		name := c.base
		if tr != nil && tr.BaseModel != "" {
			name = tr.BaseModel
		}
		base = "`" + filepath.Base(filepath.Clean(name)) + "`"
		switch {
		case c.licence != "":
			base += ", licence: " + c.licence
		case c.base != "":
			base += " (its folder states no licence)"
		default:
			base += " (its folder was not found at export: licence unknown)"
		}
	} else if tr == nil {
		base = "not recorded (a checkpoint of an older build)"
	}
	p("| base model | %s |", base)
	p("| architecture | %s, %d layers, width %d, %d heads, vocabulary %d; %d parameters with the memory |", cfg.ModelType, cfg.Layers(), cfg.Hidden(), cfg.Heads(), cfg.VocabSize, c.params)
	mem := fmt.Sprintf("rmt: %d memory tokens, segments of %d tokens (rows `[mem \\| tokens \\| mem]`)", info.MemTokens, info.SegmentSize)
	if info.Kind().Kind == graph.KindARMT {
		mem = fmt.Sprintf("armt: %d memory tokens, d_mem %d, features %s, segments of %d tokens (rows `[tokens \\| armt.memory]`, a (A, z) state in every layer)", info.MemTokens, info.DMem, info.Kind().Features, info.SegmentSize)
	}
	p("| memory | %s |", mem)
	p("| BPTT depth | %s |", depth(info.BPTTDepth))
	tokenizer := info.Tokenizer
	if info.TokenizerPath != "" {
		tokenizer = fmt.Sprintf("%s, by its path from this folder: `%s`", info.Tokenizer, info.TokenizerPath)
	}
	p("| tokenizer | %s |", tokenizer)
	task := orDash(info.Task)
	if len(info.BabiTasks) > 0 {
		var qa []string
		for _, t := range info.BabiTasks {
			qa = append(qa, fmt.Sprintf("qa%d", t))
		}
		task += " (" + strings.Join(qa, ", ") + ")"
	}
	p("| training task | %s |", task)
	if tr != nil {
		p("| seed | %d |", tr.Seed)
		p("| steps | %d (stage %d of %d) |", tr.Step, tr.Stage, len(tr.Curriculum))
		p("| trained at commit | %s |", commit(tr.Commit, tr.Dirty))
	} else {
		p("| training record | none in rmt.json (a checkpoint of an older build): seed, steps, curriculum and data unknown |")
	}
	code := provenance.Current()
	rev, dirty := code.Commit, code.Dirty
	p("| exported at commit | %s |", commit(rev, dirty))
	if len(c.carried) > 0 {
		p("| carried from the base model | %s |", strings.Join(c.carried, ", "))
	}
	if tr != nil {
		p("")
		p("## Training data")
		p("")
		if len(tr.Data) == 0 {
			p("No data files: the task generates its samples from the seed.")
		} else {
			p("Hashed when training started.")
			p("")
			p("| file | bytes | sha256 |")
			p("| --- | ---: | --- |")
			for _, d := range tr.Data {
				p("| %s | %d | `%s` |", d.Name, d.Bytes, d.SHA256)
			}
		}
		p("")
		p("## Curriculum")
		p("")
		ran := stepsRun(c.metrics)
		p("| stage | segments | BPTT depth | step budget | steps run | peak lr |")
		p("| ---: | ---: | --- | ---: | ---: | ---: |")
		for i, s := range tr.Curriculum {
			run := "not recorded"
			if n, ok := ran[i+1]; ok {
				run = fmt.Sprint(n)
			}
			p("| %d | %d | %s | %d | %s | %g |", i+1, s.Segments, depth(s.BPTTDepth), s.Steps, run, s.LR)
		}
	}
	valTable(p, c, tr)
	for _, e := range c.evals {
		evalTable(p, e)
	}
	p("")
	p("## Loading it")
	p("")
	p("With rmt (Go), memory included:")
	p("")
	p("```sh")
	p("go run ./cmd/eval accuracy --checkpoint %s", c.name)
	p("go run ./cmd/train --model %s --out runs/more   # fine-tune further from these weights and memory", c.name)
	p("```")
	p("")
	p("With PyTorch (torch alone; `examples/pytorch/rmt_reader.py` of the rmt repository reads the memory segment by segment):")
	p("")
	p("```sh")
	p("python3 examples/pytorch/rmt_reader.py %s --text \"Once upon a time\" --max-new 20", c.name)
	p("```")
	p("")
	switch {
	case c.format == FormatRMTPyTorch:
		p("The tensor names are those of the official RMT code (`memory_cell.memory`, `memory_cell.model.<HuggingFace name>`): wrap the base model in its `MemoryCell` (%d memory tokens) and `RecurrentWrapper` (segment size %d) and load `model.safetensors` with `strict=False` (a tied head is stored once).", info.MemTokens, info.SegmentSize)
	case info.Kind().Kind == graph.KindARMT:
		p("`transformers` loads the decoder alone (`AutoModelForCausalLM.from_pretrained`), without the associative memory (`armt.*` tensors, reported as unused).")
	default:
		p("`transformers` loads the decoder alone (`AutoModelForCausalLM.from_pretrained`), reporting `rmt.memory` as an unused weight.")
	}
	return WriteFileAtomic(filepath.Join(dir, cardFile), []byte(b.String()))
}

// valTable writes the best validation: the run's final table when the
// checkpoint is its best, else the evaluations at the checkpoint's step.
func valTable(p func(string, ...any), c card, tr *Training) {
	var rows []metric
	title := "Validation of this checkpoint (at its step)"
	for _, m := range c.metrics {
		if m.Type == "final" && c.isBest {
			rows = append(rows, m)
		}
	}
	if len(rows) > 0 {
		title = "Validation of the best checkpoint (the run's final table; the last count was never trained on)"
	} else if tr != nil {
		for _, m := range c.metrics {
			if m.Type == "eval" && m.Step == tr.Step {
				rows = append(rows, m)
			}
		}
	}
	p("")
	p("## Validation")
	p("")
	if len(rows) == 0 {
		p("Not recorded: the checkpoint was exported without its run's metrics.jsonl.")
		return
	}
	p("%s:", title)
	p("")
	p("| segments | tokens | val loss | accuracy |")
	p("| ---: | ---: | ---: | ---: |")
	for _, m := range rows {
		acc := "n/a"
		if m.Accuracy != nil && *m.Accuracy >= 0 {
			acc = fmt.Sprintf("%.3f", *m.Accuracy)
		}
		loss := "n/a"
		if m.ValLoss != nil {
			loss = fmt.Sprintf("%.4f", *m.ValLoss)
		}
		p("| %d | %d | %s | %s |", m.Segments, m.Segments*c.info.SegmentSize, loss, acc)
	}
}

// evalColumns are the result fields an evaluation table shows, in order.
var evalColumns = []string{"task", "length", "units", "segment", "segments", "tokens", "gpt2_tokens", "model_tokens", "samples", "correct", "accuracy", "ppl_memory", "ppl_no_memory"}

func evalTable(p func(string, ...any), e evalFile) {
	var cols []string
	for _, k := range evalColumns {
		if slices.ContainsFunc(e.Results, func(r map[string]any) bool { _, ok := r[k]; return ok }) {
			cols = append(cols, k)
		}
	}
	p("")
	p("## Evaluation: %s", e.Name)
	p("")
	if slices.Contains(cols, "length") && !slices.Contains(cols, "units") {
		// Results of builds before BABILong's GPT-2 units name no unit.
		p("Lengths and tokens are the model's own tokens (k = 1,024).")
		p("")
	}
	p("| %s |", strings.Join(cols, " | "))
	p("|%s", strings.Repeat(" ---: |", len(cols)))
	for _, r := range e.Results {
		var cells []string
		for _, k := range cols {
			switch v := r[k].(type) {
			case float64:
				if v == float64(int64(v)) && k != "accuracy" {
					cells = append(cells, fmt.Sprint(int64(v)))
				} else {
					cells = append(cells, fmt.Sprintf("%.3f", v))
				}
			case nil:
				cells = append(cells, "")
			default:
				cells = append(cells, fmt.Sprint(v))
			}
		}
		p("| %s |", strings.Join(cells, " | "))
	}
}

// stepsRun is the optimizer steps each stage ran, from the step records.
func stepsRun(ms []metric) map[int]int {
	last := map[int]int{}
	for _, m := range ms {
		if m.Type != "final" {
			last[m.Stage] = max(last[m.Stage], m.Step)
		}
	}
	out := map[int]int{}
	prev := 0
	for s := 1; ; s++ {
		n, ok := last[s]
		if !ok {
			return out
		}
		out[s], prev = n-prev, n
	}
}

func depth(d int) string {
	if d < 0 {
		return "all segments"
	}
	return fmt.Sprintf("last %d", d)
}

func commit(rev string, dirty bool) string {
	if rev == "" {
		return "unknown (no VCS stamp and no git)"
	}
	if dirty {
		return "`" + rev + "` with uncommitted changes"
	}
	return "`" + rev + "`"
}

func orDash(s string) string {
	if s == "" {
		return "not recorded"
	}
	return s
}
