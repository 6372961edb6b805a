package main

import (
	"flag"
	"fmt"

	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/threadflag"
)

func runGenerate(_ job, args []string) error {
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	threadflag.Bind(fs)
	model := fs.String("model", "", "HuggingFace model folder (default: the built-in random model)")
	prompt := fs.String("prompt", "Once upon a time", "text to continue")
	maxNew := fs.Int("max-new", 64, "number of tokens to generate")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	m, err := loadModel(*model)
	if err != nil {
		return err
	}
	w, tok := m.Weights, m.Tokenizer
	if tok == nil {
		return fmt.Errorf("--model %s has no tokenizer.json; use 'eval logits --ids' for id-level checks", *model)
	}
	ids, err := eval.PromptIDs(w.Config, tok, *prompt)
	if err != nil {
		return err
	}
	eos := tok.EOS()
	out, err := eval.Greedy(w, ids, *maxNew, func(id int) bool { return id == eos })
	if err != nil {
		return err
	}
	fmt.Println(tok.Decode(append(ids, out...)))
	return nil
}
