package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/eval"
	"github.com/rmtgo/rmt/internal/table"
	"github.com/rmtgo/rmt/train"
)

func runFlops(_ job, args []string) error {
	return flops(os.Stdout, args)
}

func flops(out io.Writer, args []string) error {
	fs := flag.NewFlagSet("flops", flag.ContinueOnError)
	model := fs.String("model", "", "model folder whose config.json gives the shape")
	layers := fs.Int("layers", 0, "transformer blocks (without --model)")
	hidden := fs.Int("hidden", 0, "model width C (without --model)")
	ffn := fs.Int("ffn", 0, "MLP inner width F (without --model)")
	vocab := fs.Int("vocab", 0, "vocabulary size V (without --model)")
	heads := fs.Int("heads", 0, "attention heads (without --model; default C/64)")
	kvHeads := fs.Int("kv-heads", 0, "key/value heads, with --gated (default: as many as --heads)")
	gated := fs.Bool("gated", false, "Llama-shaped SwiGLU MLP, three matrices (default: two, as GPT-2 and OPT)")
	seg := fs.Int("segment-size", 512, "tokens per segment S")
	mem := fs.Int("mem-tokens", 0, "memory tokens M (RMT: each segment runs 2M + S positions, read and write memory; ARMT: S + M)")
	memFlags := addMemoryFlags(fs)
	tokensFlag := fs.String("tokens", "4096,32768,262144,2048000", "input lengths N, e.g. 4096,2048000")
	attnFlag := fs.String("attention", "full", "attention pairs counted: full (the L x L score matrix, the paper's convention) or causal (the triangle)")
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	attn, err := bench.ParseAttention(*attnFlag)
	if err != nil {
		return fmt.Errorf("--attention: %w", err)
	}
	tokens, err := eval.ParseInts(*tokensFlag)
	if err != nil || len(tokens) == 0 {
		return fmt.Errorf("--tokens: give input lengths such as 4096,2048000 (%v)", err)
	}
	dims := *layers != 0 || *hidden != 0 || *ffn != 0 || *vocab != 0 || *heads != 0 || *kvHeads != 0 || *gated
	if *model != "" && dims {
		return fmt.Errorf("give --model or the dimensions (--layers, --hidden, --ffn, --vocab), not both")
	}
	c, err := bench.FLOPsShape(*model, *layers, *hidden, *ffn, *vocab, *heads, *kvHeads, *gated)
	if err != nil && *model == "" {
		return fmt.Errorf("%w (or give --model DIR)", err)
	} else if err != nil {
		return err
	}
	m := bench.MemoryOf(*memFlags.kind, *mem, *memFlags.dMem, *memFlags.features)
	if err := train.CheckMemoryFlags(m); err != nil {
		return err
	}
	rep, err := bench.FLOPsTable(c, *model, *seg, m, tokens, attn)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(out).Encode(rep)
	}
	memory, name := rep.Labels()
	fmt.Fprintf(out, "%d layers, width %d, MLP %d (%s), vocabulary %d; segments of %d + %s; attention counted %s\n",
		rep.Layers, rep.Hidden, rep.FFN, map[bool]string{true: "GPT-2 shape", false: "SwiGLU"}[c.IsGPT2()], rep.Vocab, rep.SegmentSize, memory, rep.Attention)
	tw := table.New(out)
	tw.Header("tokens", "segments", name+" FLOPs", "full-attention FLOPs", "full / "+name)
	for _, r := range rep.Results {
		tw.Append(fmt.Sprint(r.Tokens), fmt.Sprint(r.Segments), fmt.Sprintf("%.4g", r.RMTFLOPs), fmt.Sprintf("%.4g", r.FullFLOPs), fmt.Sprintf("%.2fx", r.Ratio))
	}
	tw.Render()
	return nil
}
