package main

import (
	"flag"

	"github.com/rmtgo/rmt/train"
)

// bindData binds the flags of a user's dataset (docs/data.md).
func bindData(fs *flag.FlagSet, c *train.Config) {
	fs.StringVar(&c.Data, "data", c.Data, "JSONL files, comma-separated: task qa (context/question/answer, input/question/target or prompt/completion lines) or task lm (text lines)")
	fs.StringVar(&c.ValData, "val-data", c.ValData, "JSONL validation file for --data (default: --val-share of its lines)")
	fs.Float64Var(&c.ValShare, "val-share", c.ValShare, "share of --data lines held out for validation, picked by id or line number, when --val-data is not given")
}
