package checkpoints

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rmtgo/rmt/graph"
	"github.com/rmtgo/rmt/provenance"
)

// The files of a checkpoint directory (docs/formats.md). model.safetensors
// and config.json together are an ordinary HuggingFace folder.
const (
	configFile    = "config.json"
	rmtFile       = "rmt.json"
	optimizerFile = "optimizer.safetensors"
	stateFile     = "state.json"
	tokenizerFile = "tokenizer.json"
)

// FormatVersion is the state.json format_version that Save writes and Load reads.
const FormatVersion = 1

// Values of RMTInfo.Tokenizer.
const (
	TokenizerByte = "byte"           // the built-in byte-level tokenizer; no file
	TokenizerJSON = "tokenizer.json" // a HuggingFace tokenizer.json kept in the folder
)

// RMTInfo is rmt.json: how the memory wraps the backbone.
type RMTInfo struct {
	// Memory is the memory kind, graph.KindRMT or graph.KindARMT; empty
	// (checkpoints written before there were two) reads as rmt.
	Memory string `json:"memory"`
	DMem   int    `json:"d_mem,omitempty"` // ARMT's key width
	// ARMTFeatures is ARMT's feature map, graph.FeaturesDPFP or
	// graph.FeaturesDPFPNormalized; empty (ARMT checkpoints written before
	// the choice) reads as dpfp.
	ARMTFeatures string `json:"armt_features,omitempty"`
	MemTokens    int    `json:"mem_tokens"`   // M; 0 for a plain model without rmt.memory
	SegmentSize  int    `json:"segment_size"` // S
	BPTTDepth    int    `json:"bptt_depth"`   // -1 for every segment, else the last k
	Family       string `json:"family"`       // config.json's model_type
	Tokenizer    string `json:"tokenizer"`    // TokenizerByte or TokenizerJSON
	// TokenizerPath, with TokenizerJSON, is where that file is when the
	// folder refers to it rather than holding a copy: a path relative to
	// the folder (or absolute). Export writes it on request (ExportOptions);
	// Save always copies.
	TokenizerPath string `json:"tokenizer_path,omitempty"`
	// Task is the task the model was trained on and BabiTasks, for task
	// babi, its bAbI tasks (qa1-qa5), so that an evaluation knows which
	// tasks are the model's own; empty for a checkpoint of an older build.
	Task      string `json:"task,omitempty"`
	BabiTasks []int  `json:"babi_tasks,omitempty"`
	// AnswerRoom is the tokens every training prompt was followed by
	// (answer, EOS, padding); 0 when training did not fix it. Right
	// alignment leaves this room after a prompt.
	AnswerRoom int `json:"answer_room,omitempty"`
	// Format, in an exported folder, is the layout of its model.safetensors
	// (FormatHF or FormatRMTPyTorch); empty in a checkpoint directory.
	Format string `json:"format,omitempty"`
	// Training is how the weights were trained; nil in checkpoints of
	// older builds.
	Training *Training `json:"training,omitempty"`
	// Record says what the model was made from: seed, step, commit and
	// dirty flag, data files by hash, resolved config (JSON fields seed,
	// step, commit, dirty, data_files, config at the top level). Zero for
	// checkpoints of older builds.
	provenance.Record
}

// State is state.json: where training stands, so that a resumed run continues
// exactly. The raw fields are opaque here and belong to train and curriculum.
type State struct {
	FormatVersion int             `json:"format_version"`     // FormatVersion
	Stage         int             `json:"stage"`              // 0-based curriculum stage
	Step          int             `json:"step"`               // optimizer steps done in the whole run
	StageStep     int             `json:"stage_step"`         // steps done in this stage
	RNG           json.RawMessage `json:"rng,omitempty"`      // RNG state from the trainer
	DataCursor    int64           `json:"data_cursor"`        // next sample index
	BestMetric    float64         `json:"best_metric"`        // finite: JSON has no NaN or Inf
	Parent        string          `json:"parent,omitempty"`   // checkpoint this stage started from
	Progress      json.RawMessage `json:"progress,omitempty"` // curriculum progress
	Config        json.RawMessage `json:"config,omitempty"`   // the fully resolved run config
	// RunID is the id of the run that wrote the checkpoint (run.json, see
	// RunInfo); empty in checkpoints of older builds.
	RunID string `json:"run_id,omitempty"`
	// BestLoss is the lowest validation loss of the current stage, which
	// the divergence rule compares with (docs/runs.md); 0 before the
	// stage's first validation and in checkpoints of older builds.
	BestLoss float64 `json:"best_loss,omitempty"`
}

// Checkpoint is everything a run needs to resume, or an evaluation to run.
type Checkpoint struct {
	// Weights holds the model parameters under their HF names, plus rmt.memory
	// (MemTokens, C) when RMT.MemTokens > 0. Weights.Config is config.json.
	Weights *graph.Weights
	RMT     RMTInfo
	// OptStep is the AdamW step count; M and V are its first and second
	// moments by parameter name (empty for a fresh optimizer). Either both
	// hold a parameter or neither does; frozen parameters have none.
	OptStep int
	M, V    map[string][]float32
	State   State
	// TokenizerFile: on Save, a tokenizer.json to copy into the folder ("" for
	// none); on Load, the path of that copy ("" when the folder has none).
	TokenizerFile string
}

// Save writes ck as the checkpoint directory dir, which must not exist:
//
//	model.safetensors      every parameter under its HF name, rmt.memory included
//	config.json            the HF config
//	rmt.json               RMTInfo
//	optimizer.safetensors  "m.<name>" and "v.<name>", metadata {"step": "N"}
//	state.json             State
//	tokenizer.json         a copy of ck.TokenizerFile, when set
//
// The directory is built under a temporary name, synced and renamed
// (WriteDirAtomic), so a kill at any moment leaves either no dir or a
// complete one. ck is checked first: Save never writes what Load would refuse.
// An empty RMT.Family or RMT.Tokenizer is filled in from the config and from
// TokenizerFile. config.json always states tie_word_embeddings (see hfConfig).
func Save(dir string, ck *Checkpoint) error {
	info, err := ck.check()
	if err != nil {
		return err
	}
	if err := checkMoments(ck.Weights, ck.M, ck.V, "checkpoint"); err != nil {
		return err
	}
	if err := checkFiniteMoments(ck.M, ck.V, "checkpoint moments"); err != nil {
		return err
	}
	if ck.OptStep < 0 {
		return fmt.Errorf("checkpoints: checkpoint has optimizer step %d; want at least 0", ck.OptStep)
	}
	st := ck.State
	if st.FormatVersion != 0 && st.FormatVersion != FormatVersion {
		return fmt.Errorf("checkpoints: checkpoint state has format_version %d; this build writes %d", st.FormatVersion, FormatVersion)
	}
	st.FormatVersion = FormatVersion
	if math.IsNaN(st.BestMetric) || math.IsInf(st.BestMetric, 0) {
		return fmt.Errorf("checkpoints: checkpoint state has best_metric %v; want a finite number (JSON has no NaN or Inf)", st.BestMetric)
	}
	state, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoints: checkpoint state: %w", err)
	}
	return WriteDirAtomic(dir, func(tmp string) error {
		if err := writeModelFolder(tmp, ck, info, hfNames); err != nil {
			return err
		}
		var opt []Tensor
		for _, p := range ck.Weights.Params {
			if m, ok := ck.M[p.Name]; ok {
				opt = append(opt,
					Tensor{Name: "m." + p.Name, Shape: p.Shape, Data: m},
					Tensor{Name: "v." + p.Name, Shape: p.Shape, Data: ck.V[p.Name]})
			}
		}
		meta := map[string]string{"step": strconv.Itoa(ck.OptStep)}
		if err := WriteSafetensors(filepath.Join(tmp, optimizerFile), opt, meta); err != nil {
			return err
		}
		return WriteFileAtomic(filepath.Join(tmp, stateFile), append(state, '\n'))
	})
}

// Load reads and checks the checkpoint directory dir. Every tensor must be
// there with its shape, and nothing else may be (a partial load is an error);
// rmt.memory must be (rmt.json mem_tokens, hidden size); each optimizer moment
// must belong to a parameter and have its shape; state.json must have
// format_version 1. The raw JSON fields of State come back compacted.
func Load(dir string) (*Checkpoint, error) {
	w, info, err := readModelFolder(dir, func([]Tensor) nameMap { return hfNames })
	if err != nil {
		return nil, err
	}
	ck := &Checkpoint{Weights: w, RMT: info, TokenizerFile: info.TokenizerFileIn(dir)}

	optPath := filepath.Join(dir, optimizerFile)
	if _, err := os.Stat(optPath); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checkpoints: %s is missing; want a checkpoint directory written by Save (an exported folder has no optimizer state)", optPath)
	}
	ts, meta, err := ReadSafetensors(optPath)
	if err != nil {
		return nil, err
	}
	if ck.OptStep, err = strconv.Atoi(meta["step"]); err != nil || ck.OptStep < 0 {
		return nil, fmt.Errorf("checkpoints: %s has metadata step %q; want a non-negative integer", optPath, meta["step"])
	}
	ck.M, ck.V = map[string][]float32{}, map[string][]float32{}
	for _, t := range ts {
		kind, name, _ := strings.Cut(t.Name, ".")
		var moments map[string][]float32
		switch kind {
		case "m":
			moments = ck.M
		case "v":
			moments = ck.V
		}
		if moments == nil || name == "" {
			return nil, fmt.Errorf("checkpoints: tensor %s in %s is not a moment; want \"m.<parameter>\" or \"v.<parameter>\"", quoteName(t.Name), optPath)
		}
		p := w.Get(name)
		if p == nil {
			return nil, fmt.Errorf("checkpoints: tensor %s in %s is a moment of %s, which the model does not have", quoteName(t.Name), optPath, quoteName(name))
		}
		if !slices.Equal(t.Shape, p.Shape) {
			return nil, fmt.Errorf("checkpoints: tensor %s in %s has shape %v; want %v like the parameter", quoteName(t.Name), optPath, t.Shape, p.Shape)
		}
		moments[name] = t.Data
	}
	if err := checkMoments(w, ck.M, ck.V, optPath); err != nil {
		return nil, err
	}
	if err := checkFiniteMoments(ck.M, ck.V, optPath); err != nil {
		return nil, err
	}

	if ck.State, err = readState(filepath.Join(dir, stateFile)); err != nil {
		return nil, err
	}
	return ck, nil
}

// LoadWeights reads the weights of the checkpoint directory dir into w, whose
// parameters must be the checkpoint's: every one, with its shape, and
// nothing else. Each tensor goes straight into its parameter's slice, so
// reading a checkpoint back into a live model (the next stage starts from
// the best one) holds no second copy of the weights and no optimizer
// moments. On an error w may be partly overwritten.
func LoadWeights(dir string, w *graph.Weights) error {
	path := filepath.Join(dir, modelFile)
	seen := make(map[string]bool, len(w.Params))
	err := ReadSafetensorsInto(path, func(name string, shape []int) ([]float32, error) {
		p := w.Get(name)
		if p == nil {
			return nil, fmt.Errorf("the model has no parameter of that name")
		}
		if !slices.Equal(shape, p.Shape) {
			return nil, fmt.Errorf("shape %v; want %v like the model's", shape, p.Shape)
		}
		seen[name] = true
		return p.Data, nil
	})
	if err != nil {
		return err
	}
	for _, p := range w.Params {
		if !seen[p.Name] {
			return fmt.Errorf("checkpoints: %s has no tensor %s; want every parameter of the model", path, quoteName(p.Name))
		}
	}
	return checkFiniteWeights(w, path)
}

// SameShape reports whether a model (config a with am memory tokens, say a
// checkpoint's) and b (say the run's) have the same parameters: family, every
// dimension, the optional biases and head, and the memory size. The error
// names the first difference: "checkpoint has hidden size 64, the run 128".
func SameShape(a graph.Config, am int, b graph.Config, bm int) error {
	type dim struct {
		name string
		a, b any
	}
	dims := []dim{
		{"model_type", a.ModelType, b.ModelType},
		{"vocab size", a.VocabSize, b.VocabSize},
		{"hidden size", a.Hidden(), b.Hidden()},
		{"layers", a.Layers(), b.Layers()},
		{"attention heads", a.Heads(), b.Heads()},
		{"key/value heads", a.KVHeads(), b.KVHeads()},
		{"head dim", a.HeadDim(), b.HeadDim()},
		{"MLP width", a.FFN(), b.FFN()},
		{"tied head", a.Tied(), b.Tied()},
		{"q/k/v biases", a.QKVBias(), b.QKVBias()},
		{"attention output bias", a.OutBias(), b.OutBias()},
		{"MLP biases", a.MLPBias, b.MLPBias},
		{"memory tokens", am, bm},
	}
	if a.HardPositionLimit() || b.HardPositionLimit() { // learned positions are a (P, C) parameter
		dims = append(dims, dim{"positions", a.MaxPositions(), b.MaxPositions()})
	}
	for _, d := range dims {
		if d.a != d.b {
			return fmt.Errorf("checkpoints: checkpoint has %s %v, the run %v", d.name, d.a, d.b)
		}
	}
	return nil
}

// SameMemory reports whether a memory (a checkpoint's) is the same as b
// (the run's): kind, tokens and, for ARMT, key width. Loading one kind's
// checkpoint into a run of the other is the first difference it names.
func SameMemory(a, b graph.Memory) error {
	switch {
	case a.Kind != b.Kind:
		return fmt.Errorf("checkpoints: checkpoint has memory %s, the run %s; a checkpoint of one memory kind cannot continue or serve as the other", a.Kind, b.Kind)
	case a.Tokens != b.Tokens:
		return fmt.Errorf("checkpoints: checkpoint has memory tokens %d, the run %d", a.Tokens, b.Tokens)
	case a.DMem != b.DMem:
		return fmt.Errorf("checkpoints: checkpoint has d_mem %d, the run %d", a.DMem, b.DMem)
	case a.ARMTFeatures() != b.ARMTFeatures():
		return fmt.Errorf("checkpoints: checkpoint has armt_features %s, the run %s", a.ARMTFeatures(), b.ARMTFeatures())
	}
	return nil
}

// check validates the parts of ck that Save and Export both write and returns
// the RMTInfo to write, with Family and Tokenizer filled in when empty.
func (ck *Checkpoint) check() (RMTInfo, error) {
	if ck == nil || ck.Weights == nil {
		return RMTInfo{}, errors.New("checkpoints: checkpoint has no weights")
	}
	c := ck.Weights.Config
	info := ck.RMT
	info.Memory = info.Kind().Kind
	info.TokenizerPath = "" // the folder written holds its own copy; Export may name the file instead
	info.Format = ""        // Export sets it
	if info.Family == "" {
		info.Family = c.ModelType
	}
	switch {
	case info.Tokenizer == "" && ck.TokenizerFile == "":
		info.Tokenizer = TokenizerByte
	case info.Tokenizer == "":
		info.Tokenizer = TokenizerJSON
	case info.Tokenizer == TokenizerJSON && ck.TokenizerFile == "":
		return RMTInfo{}, fmt.Errorf("checkpoints: checkpoint has tokenizer %q but no TokenizerFile to copy", TokenizerJSON)
	case info.Tokenizer == TokenizerByte && ck.TokenizerFile != "":
		return RMTInfo{}, fmt.Errorf("checkpoints: checkpoint has tokenizer %q and TokenizerFile %s; want one of them", TokenizerByte, ck.TokenizerFile)
	}
	if err := checkRMT(info, c, "checkpoint rmt"); err != nil {
		return RMTInfo{}, err
	}
	info.ARMTFeatures = info.Kind().ARMTFeatures() // written for ARMT, absent for RMT
	// Assembling the weights anew checks every name and shape, as Load will.
	tensors := make(map[string]graph.Tensor, len(ck.Weights.Params))
	for _, p := range ck.Weights.Params {
		if _, dup := tensors[p.Name]; dup {
			return RMTInfo{}, fmt.Errorf("checkpoints: checkpoint weights hold %s twice", quoteName(p.Name))
		}
		tensors[p.Name] = graph.Tensor{Shape: p.Shape, Data: p.Data}
	}
	if _, err := assemble(c, info, tensors, "checkpoint weights"); err != nil {
		return RMTInfo{}, err
	}
	if err := checkFiniteWeights(ck.Weights, "checkpoint weights"); err != nil {
		return RMTInfo{}, err
	}
	return info, nil
}

// TokenizerFileIn is the tokenizer.json of the folder dir that rmt.json
// describes: dir's own, or the one tokenizer_path names. "" for the byte
// tokenizer.
func (i RMTInfo) TokenizerFileIn(dir string) string {
	switch {
	case i.Tokenizer != TokenizerJSON:
		return ""
	case i.TokenizerPath == "":
		return filepath.Join(dir, tokenizerFile)
	case filepath.IsAbs(i.TokenizerPath):
		return i.TokenizerPath
	}
	return filepath.Join(dir, filepath.FromSlash(i.TokenizerPath))
}

// Kind is the memory rmt.json describes.
func (i RMTInfo) Kind() graph.Memory {
	kind := i.Memory
	if kind == "" {
		kind = graph.KindRMT
	}
	m := graph.Memory{Kind: kind, Tokens: i.MemTokens, DMem: i.DMem, Features: i.ARMTFeatures}
	if kind == graph.KindARMT {
		m.Features = m.ARMTFeatures()
	}
	return m
}

// checkRMT checks rmt.json's fields (source names them in errors) against the config.
func checkRMT(info RMTInfo, c graph.Config, source string) error {
	switch {
	case info.MemTokens < 0:
		return fmt.Errorf("checkpoints: %s: mem_tokens %d; want at least 0", source, info.MemTokens)
	case info.SegmentSize < 1:
		return fmt.Errorf("checkpoints: %s: segment_size %d; want at least 1", source, info.SegmentSize)
	case info.BPTTDepth == 0 || info.BPTTDepth < -1:
		return fmt.Errorf("checkpoints: %s: bptt_depth %d; want -1 (all segments) or at least 1", source, info.BPTTDepth)
	case info.Family != c.ModelType:
		return fmt.Errorf("checkpoints: %s: family %q but config.json has model_type %q; want them equal", source, info.Family, c.ModelType)
	case info.Tokenizer != TokenizerByte && info.Tokenizer != TokenizerJSON:
		return fmt.Errorf("checkpoints: %s: tokenizer %q; want %q or %q", source, info.Tokenizer, TokenizerByte, TokenizerJSON)
	case info.Format != "" && info.Format != FormatHF && info.Format != FormatRMTPyTorch:
		return fmt.Errorf("checkpoints: %s: format %q; want %q or %q", source, info.Format, FormatHF, FormatRMTPyTorch)
	case info.TokenizerPath != "" && info.Tokenizer != TokenizerJSON:
		return fmt.Errorf("checkpoints: %s: tokenizer_path %q with tokenizer %q; a path names a %s", source, info.TokenizerPath, info.Tokenizer, TokenizerJSON)
	}
	if err := info.Kind().Check(); err != nil {
		return fmt.Errorf("checkpoints: %s: %w", source, err)
	}
	return nil
}

// assemble builds Weights from the tensors of a model file for the memory
// rmt.json describes, of any kind: its parameters (graph.Memory.Specs) are
// taken out and checked against their shapes, no other memory's tensor may
// be there, the rest goes through graph.FromTensors (every parameter
// present with its shape, nothing left over), and the memory is added
// last. source names the file.
func assemble(c graph.Config, info RMTInfo, tensors map[string]graph.Tensor, source string) (*graph.Weights, error) {
	mem := info.Kind()
	specs := mem.Specs(c)
	ours := map[string]bool{}
	for _, sp := range specs {
		ours[sp.Name] = true
	}
	for _, name := range slices.Sorted(maps.Keys(tensors)) {
		if graph.IsMemoryParam(name) && !ours[name] {
			return nil, fmt.Errorf("checkpoints: tensor %q in %s, but rmt.json has %s (memory %q); want only that memory's tensors", name, source, mem.Describe(), mem.Kind)
		}
	}
	var params []*graph.Param
	for _, sp := range specs {
		t, ok := tensors[sp.Name]
		if !ok {
			return nil, fmt.Errorf("checkpoints: %s has no tensor %q; want shape %v (rmt.json %s)", source, sp.Name, sp.Shape, mem.Describe())
		}
		if !slices.Equal(t.Shape, sp.Shape) || len(t.Data) != sp.Size() {
			return nil, fmt.Errorf("checkpoints: tensor %q in %s has shape %v (%d values); want %v (rmt.json %s)", sp.Name, source, t.Shape, len(t.Data), sp.Shape, mem.Describe())
		}
		delete(tensors, sp.Name)
		params = append(params, &graph.Param{Name: sp.Name, Shape: t.Shape, Data: t.Data})
	}
	w, err := graph.FromTensors(c, tensors, source)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	for _, p := range params {
		if err := w.Add(p); err != nil {
			return nil, fmt.Errorf("checkpoints: %s: %w", source, err)
		}
	}
	w.ARMTFeatures = info.Kind().Features
	return w, nil
}

// checkMoments checks that M and V name the same parameters of w, each with
// the parameter's size. source names the file or value in errors.
func checkMoments(w *graph.Weights, m, v map[string][]float32, source string) error {
	for _, kind := range []struct {
		name, otherName string
		this, other     map[string][]float32
	}{{"m", "v", m, v}, {"v", "m", v, m}} {
		for _, name := range slices.Sorted(maps.Keys(kind.this)) {
			p := w.Get(name)
			if p == nil {
				return fmt.Errorf("checkpoints: %s has moment %s for %s, which the model does not have", source, kind.name, quoteName(name))
			}
			if n := len(kind.this[name]); n != p.Size() {
				return fmt.Errorf("checkpoints: %s has moment %s of %s with %d values; want %d like the parameter", source, kind.name, quoteName(name), n, p.Size())
			}
			if _, ok := kind.other[name]; !ok {
				return fmt.Errorf("checkpoints: %s has moment %s of %s but no %s; want both or neither", source, kind.name, quoteName(name), kind.otherName)
			}
		}
	}
	return nil
}

// nameMap turns a parameter name into the name stored in model.safetensors.
type nameMap struct {
	store func(param string) string
	param func(stored string) (string, bool) // false: not a name of this layout
}

// hfNames stores parameters under their own names (HF names plus rmt.memory).
var hfNames = nameMap{
	store: func(n string) string { return n },
	param: func(n string) (string, bool) { return n, true },
}

// hfConfig is c as written to config.json. tie_word_embeddings is always
// stated: graph.Config treats it absent as tied, while transformers' default
// differs by family (true for GPT-2, false for Llama, Mistral and Qwen2), and
// the folder must load the same way in both.
func hfConfig(c graph.Config) graph.Config {
	tied := c.Tied()
	c.TieWordEmbeddings = &tied
	return c
}

// writeModelFolder writes the HF part of a checkpoint or export into dir:
// model.safetensors under names, config.json, rmt.json and tokenizer.json
// (a copy of ck.TokenizerFile, unless info names it by tokenizer_path).
func writeModelFolder(dir string, ck *Checkpoint, info RMTInfo, names nameMap) error {
	ts := make([]Tensor, 0, len(ck.Weights.Params))
	for _, p := range ck.Weights.Params {
		ts = append(ts, Tensor{Name: names.store(p.Name), Shape: p.Shape, Data: p.Data})
	}
	// transformers refuses safetensors files without format metadata.
	if err := WriteSafetensors(filepath.Join(dir, modelFile), ts, map[string]string{"format": "pt"}); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, configFile), hfConfig(ck.Weights.Config)); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, rmtFile), info); err != nil {
		return err
	}
	if ck.TokenizerFile == "" || info.TokenizerPath != "" {
		return nil
	}
	tok, err := os.ReadFile(ck.TokenizerFile)
	if err != nil {
		return fmt.Errorf("checkpoints: tokenizer: %w", err)
	}
	return WriteFileAtomic(filepath.Join(dir, tokenizerFile), tok)
}

// readModelFolder reads config.json, rmt.json and model.safetensors of dir
// into Weights with rmt.memory, checked against each other. layout chooses,
// from the stored tensors, how their names map to parameter names.
func readModelFolder(dir string, layout func([]Tensor) nameMap) (*graph.Weights, RMTInfo, error) {
	c, err := ReadConfig(dir)
	if err != nil {
		return nil, RMTInfo{}, err
	}
	rmtPath := filepath.Join(dir, rmtFile)
	var info RMTInfo
	if err := readJSONStrict(rmtPath, &info); err != nil {
		return nil, RMTInfo{}, err
	}
	if err := checkRMT(info, c, rmtPath); err != nil {
		return nil, RMTInfo{}, err
	}
	if info.Tokenizer == TokenizerJSON {
		if _, err := os.Stat(info.TokenizerFileIn(dir)); err != nil && info.TokenizerPath != "" {
			return nil, RMTInfo{}, fmt.Errorf("checkpoints: %s has tokenizer_path %q, which is unreadable from %s: %w", rmtPath, info.TokenizerPath, dir, err)
		} else if err != nil {
			return nil, RMTInfo{}, fmt.Errorf("checkpoints: %s has tokenizer %q but the file is unreadable: %w", rmtPath, TokenizerJSON, err)
		}
	}
	ts, err := ReadModelTensors(dir)
	if err != nil {
		return nil, RMTInfo{}, err
	}
	source := filepath.Join(dir, modelFile)
	names := layout(ts)
	tensors := make(map[string]graph.Tensor, len(ts))
	for _, t := range ts {
		name, ok := names.param(t.Name)
		if !ok {
			return nil, RMTInfo{}, fmt.Errorf("checkpoints: tensor %s in %s does not follow the layout of the other tensors", quoteName(t.Name), source)
		}
		tensors[name] = graph.Tensor{Shape: t.Shape, Data: t.Data}
	}
	w, err := assemble(c, info, tensors, source)
	if err != nil {
		return nil, RMTInfo{}, err
	}
	if err := checkFiniteWeights(w, source); err != nil {
		return nil, RMTInfo{}, err
	}
	return w, info, nil
}

// readState reads state.json. The version is read first, so that a file from
// another format version says so rather than tripping over a new field.
func readState(path string) (State, error) {
	raw, err := readFile(path)
	if err != nil {
		return State{}, err
	}
	return parseState(raw, path)
}

// parseState parses and checks the bytes of state.json; path names it in errors.
func parseState(raw []byte, path string) (State, error) {
	var v struct {
		FormatVersion *int `json:"format_version"`
	}
	if err := json.Unmarshal(raw, &v); err != nil {
		return State{}, fmt.Errorf("checkpoints: %s: %w", path, err)
	}
	if v.FormatVersion == nil {
		return State{}, fmt.Errorf("checkpoints: %s has no format_version; want %d", path, FormatVersion)
	}
	if *v.FormatVersion != FormatVersion {
		return State{}, fmt.Errorf("checkpoints: %s has format_version %d; this build reads %d", path, *v.FormatVersion, FormatVersion)
	}
	var st State
	if err := decodeStrict(raw, &st, path); err != nil {
		return State{}, err
	}
	for _, f := range []struct {
		name string
		v    int64
	}{{"stage", int64(st.Stage)}, {"step", int64(st.Step)}, {"stage_step", int64(st.StageStep)}, {"data_cursor", st.DataCursor}} {
		if f.v < 0 {
			return State{}, fmt.Errorf("checkpoints: %s has %s %d; want 0 or more", path, f.name, f.v)
		}
	}
	if math.IsNaN(st.BestLoss) || st.BestLoss < 0 {
		return State{}, fmt.Errorf("checkpoints: %s has best_loss %v; want 0 or more", path, st.BestLoss)
	}
	for _, f := range []*json.RawMessage{&st.RNG, &st.Progress, &st.Config} {
		if len(*f) > 0 {
			var b bytes.Buffer
			if err := json.Compact(&b, *f); err != nil { // cannot fail: the decoder checked it
				return State{}, fmt.Errorf("checkpoints: %s: %w", path, err)
			}
			*f = b.Bytes()
		}
	}
	return st, nil
}

// readFile reads one file of a checkpoint; a missing one is named as such.
func readFile(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("checkpoints: %s is missing; want a checkpoint directory written by Save", path)
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoints: %w", err)
	}
	return raw, nil
}

// readJSONStrict decodes the JSON file at path into v, rejecting unknown fields.
func readJSONStrict(path string, v any) error {
	raw, err := readFile(path)
	if err != nil {
		return err
	}
	return decodeStrict(raw, v, path)
}

func decodeStrict(raw []byte, v any, path string) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("checkpoints: %s: %w", path, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("checkpoints: %s: data after the JSON object; want one object", path)
	}
	return nil
}

// writeJSON writes v as indented JSON, atomically.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", path, err)
	}
	return WriteFileAtomic(path, append(b, '\n'))
}
