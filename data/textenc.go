package data

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// textBlock is how many bytes of a long text are tokenized at a time.
const textBlock = 64 << 10

// TextEncoder tokenizes a text of any length a block at a time, so that a
// context of millions of tokens is never held whole. Leading and trailing
// white space of the text is dropped and one space is put in front (every
// piece of a sample starts with a space, as in the other question tasks).
// A block is cut before the white space that precedes its last word break,
// never inside a word or a UTF-8 sequence; the cuts depend on the text
// alone, so a string (a JSONL field) and a file or pipe with the same text
// give the same ids: what training saw is what `eval ask` reads.
type TextEncoder struct {
	tok   Tokenizer
	r     *bufio.Reader
	buf   []byte
	start bool // leading white space not yet skipped
	done  bool
	Bytes int64 // text bytes read so far
}

// NewTextEncoder reads the text of r.
func NewTextEncoder(tok Tokenizer, r io.Reader) *TextEncoder {
	return &TextEncoder{tok: tok, r: bufio.NewReaderSize(r, textBlock), buf: append(make([]byte, 0, textBlock+1), ' '), start: true}
}

// Next appends the ids of the next block to dst; io.EOF after the last.
func (e *TextEncoder) Next(dst []int) ([]int, error) {
	for !e.done {
		if e.start {
			// Skip the text's leading white space.
			for {
				b, err := e.r.ReadByte()
				if err == io.EOF {
					e.done = true
					return dst, io.EOF
				}
				if err != nil {
					return dst, fmt.Errorf("data: read text: %w", err)
				}
				if !isSpace(b) {
					e.r.UnreadByte()
					break
				}
				e.Bytes++
			}
			e.start = false
		}
		n, err := io.ReadFull(e.r, e.buf[len(e.buf):textBlock])
		e.Bytes += int64(n)
		e.buf = e.buf[:len(e.buf)+n]
		eof := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !eof {
			return dst, fmt.Errorf("data: read text: %w", err)
		}
		var cut int
		if eof {
			e.done = true
			cut = len(bytes.TrimRightFunc(e.buf, func(r rune) bool { return r < utf8.RuneSelf && isSpace(byte(r)) }))
		} else {
			cut = blockCut(e.buf)
		}
		if cut == 0 {
			return dst, io.EOF // blockCut never gives 0: this is the end
		}
		ids, err := e.tok.Encode(string(e.buf[:cut]))
		if err != nil {
			return dst, fmt.Errorf("data: tokenize: %w", err)
		}
		e.buf = append(e.buf[:0], e.buf[cut:]...)
		if len(ids) > 0 {
			return append(dst, ids...), nil
		}
	}
	return dst, io.EOF
}

// blockCut is where a full block is cut: at the start of the white-space
// run before its last word, or, in a block without white space, at its
// last rune boundary.
func blockCut(b []byte) int {
	i := bytes.LastIndexAny(b, " \n\t\r")
	if i > 0 {
		j := i
		for j > 0 && isSpace(b[j-1]) {
			j--
		}
		if j > 0 {
			return j
		}
		return i
	}
	k := len(b) - 1
	for k > 0 && !utf8.RuneStart(b[k]) {
		k--
	}
	if utf8.FullRune(b[k:]) {
		return len(b)
	}
	return max(k, 1)
}

// EncodeText is the ids TextEncoder gives for text, all at once.
func EncodeText(tok Tokenizer, text string) ([]int, error) {
	e := NewTextEncoder(tok, strings.NewReader(text))
	var ids []int
	for {
		var err error
		ids, err = e.Next(ids)
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
