// Package eval measures models: greedy generation and logits for parity
// checks, speed benchmarks against the in-run sgemm peak, and (with memory)
// long-context accuracy and perplexity.
//
//	ids, err := eval.Greedy(w, promptIDs, 64, eos)
package eval
