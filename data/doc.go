// Package data makes the inputs that make memory necessary: tokenizers,
// noise, tasks. A task sample is a long token sequence of exactly n*S tokens
// (n segments of S) with a fact hidden early and a question at the end, or a
// window of a long document for language modelling (docs/training.md).
//
// The pieces:
//   - Tokenizer (tokenizer*.go): HuggingFace tokenizer.json or bytes.
//   - Noise (noise.go, filler.go): background sentences, streamed from a
//     directory of .txt books at a random place per seed, or generated from
//     templates when no directory is given. Sentences that name a task
//     entity (MentionsTaskWord) are dropped, so noise never states a fact.
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
// # Tokenizers: what comes from sugarme/tokenizer and what is written here
//
// LoadTokenizer reads a HuggingFace tokenizer.json. From
// github.com/sugarme/tokenizer v0.3.0 it takes the added-token type
// (tokenizer.TokenConfig), GPT-2's byte alphabet (pretokenizer.BytesChar)
// and three decoders (Sequence, ByteFallback, Fuse). The rest is written
// here, each part saying in its file what sugarme's version lacks:
//   - the BPE model (tokenizer_bpe.go): sugarme's has no byte_fallback, so
//     with a Llama file a newline, a tab, an accented letter or an emoji
//     becomes <unk> where HF gives <0x0A> or the character's UTF-8 bytes; it
//     ignores fuse_unk; and it imports github.com/emirpasic/gods, which this
//     module does not require;
//   - the normalizers (tokenizer_codec.go): sugarme's rebuild the offset
//     alignments of the whole text once per match, which is what makes its
//     Llama pipeline slow (below); we need no offsets;
//   - the GPT-2 pre-tokenizer (tokenizer_pretok.go): sugarme's drops two
//     alternatives of the split regex, so "\n\n" is one word where GPT-2
//     has two;
//   - the added-token split (tokenizer_hf.go), the Strip and ByteLevel
//     decoders, and a load-time check of ByteFallback's <0x..> tokens:
//     sugarme's Strip panics on a token shorter than its start ("index out
//     of range"), its ByteFallback on a <0x..> token that is not hex.
//
// The evidence, from data/tokcompare (a module of its own that builds
// sugarme's whole pipeline, pretrained.FromFile, beside LoadTokenizer on the
// same files; go test -v -run Reference, and the benchmark below):
//   - HF's ids on the reference fixtures of the shared models: stories260K
//     29 of 29 cases here and 17 of 29 with sugarme (every newline, tab or
//     non-ASCII character becomes <unk>); GPT-2 73 of 73 here and 62 of 73
//     with sugarme (blank lines, no-break spaces, runs of one character such
//     as "!!!!", and <|endoftext|> written in the text, which sugarme
//     drops);
//   - the panics above, reproduced by TestSugarmePanics;
//   - encoding the start of a book (go test -run '^$' -bench Encode
//     -benchtime 1x, two runs, a shared 2-core machine under heavy load):
//     with the stories260K file, 1, 2 and 4 KiB take 0.2-0.5, 0.3 and
//     0.7 ms here against 0.2-0.4, 1.4-2.0 and 4.5-11.2 s with sugarme,
//     whose time grows faster than the square of the length; with GPT-2's
//     file, 4 and 16 KiB take 1.0-5.1 and 4.2-12.4 ms here against 19-30
//     and 62-151 ms.
//
// A sample's layout for the question tasks (decoder models) is
//
//	haystack (noise with facts) | question | answer marker | answer | EOS
//
// and only the answer tokens and EOS are targets. Package data is plain Go:
// it knows nothing of graphs or models and is tested on its own.
package data
