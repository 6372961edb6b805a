package checkpoints

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rmtgo/rmt/graph"
)

// Export formats.
const (
	// FormatHF is a HuggingFace folder that transformers loads as-is
	// (AutoModelForCausalLM.from_pretrained; it reports rmt.memory as an
	// unused weight), plus rmt.memory and rmt.json.
	FormatHF = "hf"
	// FormatRMTPyTorch is the same folder with the state-dict names of the
	// official PyTorch RMT wrapper (RecurrentWrapper around MemoryCell):
	// "memory_cell.memory" and "memory_cell.model.<hf name>". As in HF files,
	// a tied head is not stored twice: PyTorch's state_dict also lists
	// memory_cell.model.lm_head.weight, so load with strict=False and keep
	// the weights tied.
	FormatRMTPyTorch = "rmt-pytorch"
)

const (
	pytorchMemory = "memory_cell.memory"
	pytorchModel  = "memory_cell.model."
)

// pytorchNames is the state-dict layout of the official RMT wrapper.
var pytorchNames = nameMap{
	store: func(n string) string {
		if n == graph.MemoryName {
			return pytorchMemory
		}
		return pytorchModel + n
	},
	param: func(n string) (string, bool) {
		if n == pytorchMemory {
			return graph.MemoryName, true
		}
		rest, ok := strings.CutPrefix(n, pytorchModel)
		return rest, ok && rest != graph.MemoryName
	},
}

var exportFormats = map[string]nameMap{FormatHF: hfNames, FormatRMTPyTorch: pytorchNames}

// ExportOptions are Export's choices beyond the folder.
type ExportOptions struct {
	Format string // FormatHF or FormatRMTPyTorch
	// TokenizerAt, when set, is a tokenizer.json with the same bytes as the
	// checkpoint's, which the folder names by a path relative to itself
	// (rmt.json tokenizer_path) instead of holding a copy: for a folder kept
	// where the model it was trained from is at that path too.
	TokenizerAt string
	// From is the checkpoint directory ck was read from: the model card
	// reads its run's metrics.jsonl and its eval/*.json, and a folder
	// exported before gives its carried files. "" for none.
	From string
	// Base is the folder of the model the checkpoint was trained from,
	// whose generation_config.json, tokenizer_config.json and
	// special_tokens_map.json are carried over; "" takes the folder rmt.json
	// records (training.base_model) when it is there.
	Base string
}

// Export writes the model of ck as the folder out, which must not exist:
// model.safetensors (every parameter and rmt.memory, named as the format
// says), config.json, rmt.json (with the format), tokenizer.json when the
// checkpoint has one (or, with opt.TokenizerAt, its path in rmt.json), the
// base model's generation and tokenizer settings where found, the
// evaluation reports kept beside the checkpoint (eval/*.json), and
// README.md, a model card generated from all of these. No optimizer or
// training state. The folder is written atomically, like Save.
func Export(ck *Checkpoint, out string, opt ExportOptions) error {
	format := opt.Format
	names, ok := exportFormats[format]
	if !ok {
		return fmt.Errorf("checkpoints: export format %q; want %q or %q", format, FormatHF, FormatRMTPyTorch)
	}
	info, err := ck.check()
	if err != nil {
		return err
	}
	if format == FormatRMTPyTorch && info.Kind().Kind != graph.KindRMT {
		return fmt.Errorf("checkpoints: export format %q is the official RMT wrapper's layout; a %s checkpoint exports as %q", format, info.Kind().Kind, FormatHF)
	}
	if opt.TokenizerAt != "" {
		if info.TokenizerPath, err = tokenizerPath(ck.TokenizerFile, opt.TokenizerAt, out); err != nil {
			return err
		}
	}
	info.Format = format
	base, err := baseFolder(ck, opt)
	if err != nil {
		return err
	}
	return WriteDirAtomic(out, func(tmp string) error {
		if err := writeModelFolder(tmp, ck, info, names); err != nil {
			return err
		}
		kept, err := carryFiles(tmp, opt.From, base)
		if err != nil {
			return err
		}
		evals := evalResults(opt.From)
		if err := copyEvals(tmp, opt.From); err != nil {
			return err
		}
		ms, isBest := runMetrics(opt.From)
		return writeCard(tmp, card{
			name: filepath.Base(filepath.Clean(out)), format: format, base: base, licence: licence(base),
			info: info, cfg: ck.Weights.Config, params: ck.Weights.Count(), carried: kept,
			metrics: ms, isBest: isBest, evals: evals,
		})
	})
}

// copyEvals copies the evaluation reports kept beside the checkpoint
// (from/eval/*.json) into dir/eval.
func copyEvals(dir, from string) error {
	if from == "" {
		return nil
	}
	paths, _ := filepath.Glob(filepath.Join(from, "eval", "*.json"))
	if len(paths) == 0 {
		return nil
	}
	if err := os.Mkdir(filepath.Join(dir, "eval"), 0o755); err != nil {
		return fmt.Errorf("checkpoints: %w", err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("checkpoints: %w", err)
		}
		if err := WriteFileAtomic(filepath.Join(dir, "eval", filepath.Base(p)), b); err != nil {
			return err
		}
	}
	return nil
}

// tokenizerPath is the path from the folder out to the tokenizer.json at,
// which must hold the bytes of the checkpoint's own (file).
func tokenizerPath(file, at, out string) (string, error) {
	if file == "" {
		return "", fmt.Errorf("checkpoints: the checkpoint has no tokenizer.json (it uses the byte tokenizer); there is no tokenizer to name by path")
	}
	want, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("checkpoints: tokenizer: %w", err)
	}
	got, err := os.ReadFile(at)
	if err != nil {
		return "", fmt.Errorf("checkpoints: tokenizer to name by path: %w", err)
	}
	if !bytes.Equal(got, want) {
		return "", fmt.Errorf("checkpoints: %s is not the checkpoint's tokenizer (%s differs from it); name the tokenizer the model was trained with", at, file)
	}
	absAt, err := filepath.Abs(at)
	if err != nil {
		return "", err
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absOut, absAt)
	if err != nil {
		return "", fmt.Errorf("checkpoints: no path from %s to %s: %w", out, at, err)
	}
	return filepath.ToSlash(rel), nil
}

// ReadExport reads a folder written by Export, in either format (told apart
// by its tensor names), into Weights, rmt.memory included, and its RMTInfo.
func ReadExport(dir string) (*graph.Weights, RMTInfo, error) {
	return readModelFolder(dir, func(ts []Tensor) nameMap {
		for _, t := range ts {
			if strings.HasPrefix(t.Name, "memory_cell.") {
				return pytorchNames
			}
		}
		return hfNames
	})
}

// IsExport reports whether dir is a folder written by Export: it has
// rmt.json but no state.json (a checkpoint directory has both).
func IsExport(dir string) bool {
	return isFile(filepath.Join(dir, rmtFile)) && !isFile(filepath.Join(dir, stateFile))
}

// Open reads a checkpoint directory (Load), or a folder written by Export as
// a checkpoint without optimizer moments or training state: its weights,
// memory and rmt.json, and its tokenizer.json when it has one.
func Open(dir string) (*Checkpoint, error) {
	if !IsExport(dir) {
		return Load(dir)
	}
	w, info, err := ReadExport(dir)
	if err != nil {
		return nil, err
	}
	return &Checkpoint{Weights: w, RMT: info, TokenizerFile: info.TokenizerFileIn(dir)}, nil
}

func isFile(p string) bool { fi, err := os.Stat(p); return err == nil && !fi.IsDir() }

// ReadRMTInfo reads DIR/rmt.json of a checkpoint or exported folder (its
// fields unchecked against the weights).
func ReadRMTInfo(dir string) (RMTInfo, error) {
	var info RMTInfo
	err := readJSONStrict(filepath.Join(dir, rmtFile), &info)
	return info, err
}
