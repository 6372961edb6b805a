// Command export writes a trained checkpoint as a HuggingFace folder that
// transformers loads as-is (AutoModelForCausalLM.from_pretrained; it warns
// about the extra rmt.memory tensor), plus rmt.json; or with the state-dict
// names of the official PyTorch RMT wrapper.
//
//	go run ./cmd/export --checkpoint runs/mem --out exported/mem
//	go run ./cmd/export --checkpoint runs/mem --out exported/mem-rmt --format rmt-pytorch
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/rmtgo/rmt/checkpoints"
	"github.com/rmtgo/rmt/internal/field"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "export:", field.Rename(err, field.Flag)) // fields as flags
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	from := fs.String("checkpoint", "", "checkpoint directory, or a run directory (its best checkpoint)")
	out := fs.String("out", "", "folder to create (must not exist)")
	format := fs.String("format", "hf", "hf (HuggingFace names) or rmt-pytorch (memory_cell.* names)")
	base := fs.String("base", "", "the base model folder whose generation_config.json, tokenizer_config.json and special_tokens_map.json are carried over (default: the folder rmt.json records, when it is there)")
	tokAt := fs.String("tokenizer-at", "", "name this tokenizer.json (the checkpoint's, byte for byte) by its path from the folder in rmt.json instead of copying it; for folders kept beside the model they were trained from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *out == "" {
		return fmt.Errorf("--checkpoint and --out are required")
	}
	if fi, err := os.Stat(*base); *base != "" && (err != nil || !fi.IsDir()) {
		return fmt.Errorf("--base %s is not a folder; name the base model's folder", *base)
	}
	dir, err := checkpoints.Resolve(*from)
	if err != nil {
		return err
	}
	ck, err := checkpoints.Open(dir)
	if err != nil {
		return err
	}
	if err := checkpoints.Export(ck, *out, checkpoints.ExportOptions{Format: *format, TokenizerAt: *tokAt, From: dir, Base: *base}); err != nil {
		return err
	}
	fmt.Printf("exported %s (%s, %d tensors) to %s\n", dir, *format, len(ck.Weights.Params), *out)
	return nil
}
