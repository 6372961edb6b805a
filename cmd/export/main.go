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
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	from := fs.String("checkpoint", "", "checkpoint directory, or a run directory (its best checkpoint)")
	out := fs.String("out", "", "folder to create (must not exist)")
	format := fs.String("format", "hf", "hf (HuggingFace names) or rmt-pytorch (memory_cell.* names)")
	tokAt := fs.String("tokenizer-at", "", "name this tokenizer.json (the checkpoint's, byte for byte) by its path from the folder in rmt.json instead of copying it; for folders kept beside the model they were trained from")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *from == "" || *out == "" {
		return fmt.Errorf("--checkpoint and --out are required")
	}
	dir, err := checkpoints.Resolve(*from)
	if err != nil {
		return err
	}
	ck, err := checkpoints.Open(dir)
	if err != nil {
		return err
	}
	if err := checkpoints.Export(ck, *out, checkpoints.ExportOptions{Format: *format, TokenizerAt: *tokAt}); err != nil {
		return err
	}
	fmt.Printf("exported %s (%s, %d tensors) to %s\n", dir, *format, len(ck.Weights.Params), *out)
	return nil
}
