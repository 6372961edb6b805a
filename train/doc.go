// Package train fine-tunes a decoder with recurrent memory: AdamW with
// warm-up and decay, gradient clipping and accumulation, and a loop that
// walks a curriculum of segment counts, evaluates, logs metrics.jsonl and
// writes checkpoints that a killed run resumes from with the same losses.
//
//	cfg := train.DefaultConfig()
//	cfg.Model, cfg.Task = "path/to/stories260K", "memorize"
//	err := train.Run(ctx, cfg, train.Options{Log: os.Stderr})
package train
