package data

// Tokenizer turns text into token ids and back. Implementations: the
// HuggingFace tokenizer.json reader (LoadTokenizer) and the built-in byte
// tokenizer (NewByteTokenizer). Both are safe for concurrent use.
type Tokenizer interface {
	// Encode returns the ids of text without any added special tokens
	// (no BOS, no EOS).
	Encode(text string) ([]int, error)
	// Decode turns ids back into text, skipping special tokens.
	Decode(ids []int) string
	// VocabSize is the number of ids the tokenizer can produce.
	VocabSize() int
	// BOS and EOS are the begin- and end-of-sequence ids, or -1 when the
	// tokenizer has none.
	BOS() int
	EOS() int
}
