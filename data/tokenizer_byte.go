package data

import "strings"

// The byte tokenizer's vocabulary: ids 0..255 are the bytes themselves,
// then four specials. Encode never produces a special; ByteUnk is reserved
// (every byte string is representable) so that the layout matches the usual
// pad/bos/eos/unk set.
const (
	BytePad       = 256 // <pad>
	ByteBOS       = 257 // <s>
	ByteEOS       = 258 // </s>
	ByteUnk       = 259 // <unk>
	ByteVocabSize = 260
)

// byteTokenizer is the built-in tokenizer of the built-in model: one id per
// UTF-8 byte.
type byteTokenizer struct{}

// NewByteTokenizer returns the byte-level tokenizer: Encode maps each byte
// of the text to its value, so any string (even invalid UTF-8) round-trips;
// BOS and EOS are ByteBOS and ByteEOS, and VocabSize is ByteVocabSize.
func NewByteTokenizer() Tokenizer { return byteTokenizer{} }

func (byteTokenizer) Encode(text string) ([]int, error) {
	ids := make([]int, len(text))
	for i := 0; i < len(text); i++ {
		ids[i] = int(text[i])
	}
	return ids, nil
}

// Decode skips specials and ids out of range, and replaces each run of
// invalid UTF-8 by U+FFFD, as strings.ToValidUTF8 does.
func (byteTokenizer) Decode(ids []int) string {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id >= 0 && id < 256 {
			b = append(b, byte(id))
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

func (byteTokenizer) VocabSize() int { return ByteVocabSize }
func (byteTokenizer) BOS() int       { return ByteBOS }
func (byteTokenizer) EOS() int       { return ByteEOS }
