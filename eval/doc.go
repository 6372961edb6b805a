// Package eval measures what models do: greedy generation and logits for
// parity checks and, with memory, long-context accuracy, perplexity per
// segment and memory dynamics. Speed, memory use and FLOPs are package
// bench's.
//
// Every long-context measurement streams its input one segment at a time
// (graph.Stream for accuracy, SegmentScorer for perplexity), keeping only
// the memory between segments, so that an input of 2M tokens costs the
// activations of one segment. Results are kept as JSON beside the
// checkpoint (CHECKPOINT/eval/, see SaveAccuracy) for `eval compare`.
//
//	ids, err := eval.Greedy(w, promptIDs, 64, eos)
//	r, err := eval.Accuracy(cell, tok, task, 100, nil)    // exact match with a 95% interval
//	rows, err := eval.Perplexity(w, mem, lmTask, 20, eval.PerplexityOptions{}, nil) // per segment index, memory vs none
package eval
