package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rmtgo/rmt/data"
)

func init() {
	register("tokenize", "token ids of standard input as the model's tokenizer gives them (--decode: ids to text)", runTokenize)
}

func runTokenize(args []string) error {
	fs := flag.NewFlagSet("tokenize", flag.ContinueOnError)
	model := fs.String("model", "", "HuggingFace model folder (default: the built-in byte tokenizer)")
	asJSON := fs.Bool("json", false, `print {"ids": [...]}`)
	decode := fs.Bool("decode", false, "read ids (comma or space separated) and print their text")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, tok, err := loadModel(*model)
	if err != nil {
		return err
	}
	if tok == nil {
		return fmt.Errorf("--model %s has no tokenizer.json", *model)
	}
	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		return err
	}
	if *decode {
		ids, err := data.ParseInts(strings.Join(strings.Fields(strings.ReplaceAll(string(in), ",", " ")), ","))
		if err != nil {
			return fmt.Errorf("standard input: %w", err)
		}
		for i, id := range ids {
			if id < 0 || id >= tok.VocabSize() {
				return fmt.Errorf("standard input: id %d (position %d) is outside the vocabulary [0, %d)", id, i, tok.VocabSize())
			}
		}
		fmt.Print(tok.Decode(ids))
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
		return json.NewEncoder(os.Stdout).Encode(struct {
			IDs []int `json:"ids"`
		}{ids})
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = fmt.Sprint(id)
	}
	fmt.Println(strings.Join(s, ","))
	return nil
}
