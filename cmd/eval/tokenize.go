package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rmtgo/rmt/eval"
)

func runTokenize(_ job, args []string) error {
	return tokenize(os.Stdin, os.Stdout, args)
}

func tokenize(stdin io.Reader, out io.Writer, args []string) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	model := fs.String("model", "", "folder with tokenizer.json (weights not needed; default: the built-in byte tokenizer)")
	tokFile := fs.String("tokenizer", "", "a tokenizer.json file, instead of --model")
	asJSON := fs.Bool("json", false, `print {"ids": [...]}`)
	decode := fs.Bool("decode", false, "read ids (comma or space separated) and print their text")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model != "" && *tokFile != "" {
		return fmt.Errorf("give --model or --tokenizer, not both")
	}
	tok, err := eval.LoadTokenizerFrom(*model, *tokFile)
	if err != nil {
		return err
	}
	in, err := io.ReadAll(stdin)
	if err != nil {
		return err
	}
	if *decode {
		ids, err := eval.ParseInts(strings.Join(strings.Fields(strings.ReplaceAll(string(in), ",", " ")), ","))
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		for i, id := range ids {
			if id < 0 || id >= tok.VocabSize() {
				return fmt.Errorf("standard input: id %d (position %d) is outside the vocabulary [0, %d)", id, i, tok.VocabSize())
			}
		}
		fmt.Fprint(out, tok.Decode(ids))
		return nil
	}
	ids, err := tok.Encode(string(in))
	if err != nil {
		return err
	}
	if *asJSON {
		if ids == nil {
			ids = []int{}
		}
		return json.NewEncoder(out).Encode(struct {
			IDs []int `json:"ids"`
		}{ids})
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	fmt.Fprintln(out, strings.Join(s, ","))
	return nil
}
