// Package data makes the inputs that make memory necessary: tokenizers,
// noise, tasks. A task sample is a long token sequence of exactly n*S tokens
// (n segments of S) with a fact hidden early and a question at the end, or a
// window of a long document for language modelling (DESIGN.md section 4).
//
// The pieces:
//   - Tokenizer (tokenizer*.go): HuggingFace tokenizer.json or bytes.
//   - Noise (noise.go, filler.go): background sentences, streamed from a
//     directory of .txt books at a random place per seed, or generated from
//     templates when no directory is given. Sentences that name a task
//     entity (TaskWords) are dropped, so noise never states a fact.
//     The task vocabulary and the filter are in vocab.go.
//   - bAbI (babi.go): a parser for the standard bAbI text format.
//   - Tasks (task.go, babitask.go, lm.go): memorize, detect, reasoning,
//     babi and lm, each a deterministic function from (seed, sample index)
//     to a Sample. Render (render.go) shows a sample with its fact,
//     question and answer marked (cmd/eval sample).
//
// Usage:
//
//	tok, _ := data.LoadTokenizer("models/gpt2")
//	task, err := data.NewTask(data.TaskConfig{
//		Name: "detect", Segments: 8, SegmentSize: 512, Seed: 1,
//		NoiseDir: "../shared/corpus/books", Tokenizer: tok,
//	})
//	if err != nil { ... }
//	s, err := task.SampleAt(0) // s.IDs: (8*512,), s.LabelMask marks the answer and EOS
//
// A question sample of millions of tokens need not be held whole:
// task.(data.Streamer).StreamAt(i) hands out its prompt a piece at a time
// (stream.go), the same tokens as SampleAt(i); evaluation reads it so.
//
// A sample's layout for the question tasks (decoder models) is
//
//	haystack (noise with facts) | question | answer marker | answer | EOS
//
// and only the answer tokens and EOS are targets. Package data is plain Go:
// it knows nothing of graphs or models and is tested on its own.
package data
