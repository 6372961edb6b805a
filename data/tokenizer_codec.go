package data

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/decoder"
	"golang.org/x/text/unicode/norm"
)

// This file builds the normalizer and the decoder of a tokenizer.json.
// The decoders are sugarme/tokenizer's (Sequence, ByteFallback, Fuse) except
// where its version misbehaves, noted at each. The normalizers are all
// written here: sugarme's work on an offset-tracking string whose updates
// grow faster than the square of the text length (package data's doc
// comment gives the measurements); we need no offsets.

// hfPattern is a Replace pattern: {"String": " "} or {"Regex": "..."}.
type hfPattern struct {
	String *string `json:"String"`
	Regex  *string `json:"Regex"`
}

// hfNormSpec is the "normalizer" object of tokenizer.json.
type hfNormSpec struct {
	Type        string       `json:"type"`
	Normalizers []hfNormSpec `json:"normalizers"`
	Prepend     string       `json:"prepend"`
	Pattern     hfPattern    `json:"pattern"`
	Content     string       `json:"content"`
	StripLeft   bool         `json:"strip_left"`
	StripRight  bool         `json:"strip_right"`
}

// textNormalizer rewrites one piece of input text before pre-tokenization.
type textNormalizer func(string) string

func newNormalizer(spec *hfNormSpec) (textNormalizer, error) {
	if spec == nil {
		return nil, nil
	}
	switch spec.Type {
	case "Sequence":
		seq := make([]textNormalizer, len(spec.Normalizers))
		for i := range spec.Normalizers {
			var err error
			if seq[i], err = newNormalizer(&spec.Normalizers[i]); err != nil {
				return nil, err
			}
		}
		return func(s string) string {
			for _, n := range seq {
				s = n(s)
			}
			return s
		}, nil
	case "Prepend":
		// The prefix goes before any non-empty text.
		prefix := spec.Prepend
		return func(s string) string {
			if s == "" {
				return ""
			}
			return prefix + s
		}, nil
	case "Replace":
		r, err := newReplace(spec.Pattern, spec.Content)
		if err != nil {
			return nil, fmt.Errorf("normalizer Replace: %w", err)
		}
		return r.replace, nil
	case "NFC":
		return norm.NFC.String, nil
	case "NFD":
		return norm.NFD.String, nil
	case "NFKC":
		return norm.NFKC.String, nil
	case "NFKD":
		return norm.NFKD.String, nil
	case "Lowercase":
		return lowercase, nil
	case "Strip":
		left, right := spec.StripLeft, spec.StripRight
		return func(s string) string {
			if left {
				s = strings.TrimLeftFunc(s, unicode.IsSpace)
			}
			if right {
				s = strings.TrimRightFunc(s, unicode.IsSpace)
			}
			return s
		}, nil
	case "StripAccents":
		return func(s string) string {
			return strings.Map(func(r rune) rune {
				if unicode.Is(unicode.Mn, r) {
					return -1
				}
				return r
			}, s)
		}, nil
	default:
		return nil, fmt.Errorf("normalizer type %q not supported, want Sequence, Prepend, Replace, NFC, NFD, NFKC, NFKD, Lowercase, Strip or StripAccents", spec.Type)
	}
}

// lowercase maps each character to its lower case, as Rust's
// char::to_lowercase (HF's Lowercase): per character, so no final-sigma
// rule, and U+0130 (İ) becomes "i̇".
func lowercase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '\u0130' {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// replaceText is HF's Replace, for the normalizer and the decoder. sugarme's
// normalizer rebuilds the offset alignments of the whole text once per match
// (64 KiB of Llama input took minutes, every space being a match) and its
// decoder compiles a regexp per token. A Regex pattern is compiled by Go's
// regexp (RE2), not Oniguruma as in HF, so one using lookaround fails to
// load instead of matching differently; the content is literal, as in HF.
type replaceText struct {
	old     string         // String pattern
	re      *regexp.Regexp // or Regex pattern
	content string
}

func newReplace(p hfPattern, content string) (replaceText, error) {
	switch {
	case p.String != nil && p.Regex == nil:
		if *p.String == "" {
			return replaceText{}, fmt.Errorf("empty String pattern")
		}
		return replaceText{old: *p.String, content: content}, nil
	case p.Regex != nil && p.String == nil:
		re, err := regexp.Compile(*p.Regex)
		if err != nil {
			return replaceText{}, fmt.Errorf("Regex pattern %q: %w", *p.Regex, err)
		}
		return replaceText{re: re, content: content}, nil
	default:
		return replaceText{}, fmt.Errorf("pattern: want one of String or Regex")
	}
}

func (r replaceText) replace(s string) string {
	if r.re != nil {
		return r.re.ReplaceAllLiteralString(s, r.content)
	}
	return strings.ReplaceAll(s, r.old, r.content)
}

func (r replaceText) Decode(tokens []string) string { return joinChain(r, tokens) }

func (r replaceText) DecodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = r.replace(t)
	}
	return out
}

// hfDecoderSpec is the "decoder" object of tokenizer.json.
type hfDecoderSpec struct {
	Type           string          `json:"type"`
	Decoders       []hfDecoderSpec `json:"decoders"`
	Pattern        hfPattern       `json:"pattern"`
	Content        string          `json:"content"`
	Start          int             `json:"start"`
	Stop           int             `json:"stop"`
	Replacement    string          `json:"replacement"`
	PrependScheme  string          `json:"prepend_scheme"`
	AddPrefixSpace *bool           `json:"add_prefix_space"`
}

// newDecoder builds the decoder chain. Decoding a list of tokens runs each
// decoder's DecodeChain in turn and joins what is left, as HF does.
func newDecoder(spec *hfDecoderSpec) (tokenizer.Decoder, error) {
	if spec == nil {
		return nil, nil
	}
	switch spec.Type {
	case "Sequence":
		var decs []tokenizer.Decoder
		for i := range spec.Decoders {
			d, err := newDecoder(&spec.Decoders[i])
			if err != nil {
				return nil, err
			}
			decs = append(decs, d)
		}
		return decoder.NewSequence(decs), nil
	case "Replace":
		r, err := newReplace(spec.Pattern, spec.Content)
		if err != nil {
			return nil, fmt.Errorf("decoder Replace: %w", err)
		}
		return r, nil
	case "ByteFallback":
		return decoder.NewByteFallback(), nil
	case "Fuse":
		return decoder.NewFuse(), nil
	case "Strip":
		if utf8.RuneCountInString(spec.Content) != 1 || spec.Start < 0 || spec.Stop < 0 {
			return nil, fmt.Errorf("decoder Strip: content %q start %d stop %d: want one character and counts >= 0", spec.Content, spec.Start, spec.Stop)
		}
		r, _ := utf8.DecodeRuneInString(spec.Content)
		return stripDecoder{content: r, start: spec.Start, stop: spec.Stop}, nil
	case "ByteLevel":
		return byteLevelDecoder{}, nil
	case "Metaspace":
		m, err := newMetaspace(&hfPreTokSpec{Replacement: spec.Replacement, PrependScheme: spec.PrependScheme, AddPrefixSpace: spec.AddPrefixSpace})
		if err != nil {
			return nil, fmt.Errorf("decoder %w", err)
		}
		return metaspaceDecoder{m}, nil
	default:
		return nil, fmt.Errorf("decoder type %q not supported, want Sequence, Replace, ByteFallback, Fuse, Strip, ByteLevel or Metaspace", spec.Type)
	}
}

func joinChain(d tokenizer.Decoder, tokens []string) string {
	return strings.Join(d.DecodeChain(tokens), "")
}

// stripDecoder removes up to start leading and stop trailing content
// characters from each token. sugarme's Strip indexes past the end of a
// token shorter than start (an empty decode panics).
type stripDecoder struct {
	content     rune
	start, stop int
}

func (d stripDecoder) Decode(tokens []string) string { return joinChain(d, tokens) }

func (d stripDecoder) DecodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		for k := 0; k < d.start; k++ {
			r, n := utf8.DecodeRuneInString(t)
			if n == 0 || r != d.content {
				break
			}
			t = t[n:]
		}
		for k := 0; k < d.stop; k++ {
			r, n := utf8.DecodeLastRuneInString(t)
			if n == 0 || r != d.content {
				break
			}
			t = t[:len(t)-n]
		}
		out[i] = t
	}
	return out
}

// byteLevelChar maps a byte-level character back to its byte.
var byteLevelChar = func() map[rune]byte {
	m := make(map[rune]byte, 256)
	for b, c := range byteLevelChars {
		r, _ := utf8.DecodeRuneInString(c)
		m[r] = byte(b)
	}
	return m
}()

// byteLevelDecoder is HF's ByteLevel decoder: each token's characters back to
// bytes (a token with a character outside the byte alphabet, such as an added
// token, stays as its own UTF-8), then all bytes as UTF-8 with each invalid
// sequence replaced by U+FFFD, like Rust's String::from_utf8_lossy. sugarme's
// version turns unknown characters into NUL bytes and keeps invalid UTF-8.
type byteLevelDecoder struct{}

func (d byteLevelDecoder) Decode(tokens []string) string { return joinChain(d, tokens) }

func (byteLevelDecoder) DecodeChain(tokens []string) []string {
	var buf []byte
	for _, t := range tokens {
		start := len(buf)
		for _, r := range t {
			b, ok := byteLevelChar[r]
			if !ok {
				buf = append(buf[:start], t...)
				break
			}
			buf = append(buf, b)
		}
	}
	return []string{utf8Lossy(buf)}
}

// utf8Lossy converts b to a string, replacing each maximal invalid
// subsequence (Unicode §3.9, as Rust's from_utf8_lossy) by one U+FFFD.
func utf8Lossy(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			sb.Write(b[i : i+n])
			i += n
			continue
		}
		sb.WriteString("\uFFFD")
		i += invalidPrefixLen(b[i:])
	}
	return sb.String()
}

// invalidPrefixLen is the length of the maximal subpart starting at b[0],
// an invalid sequence: the lead byte and the continuation bytes that still
// fit a well-formed sequence.
func invalidPrefixLen(b []byte) int {
	var need int
	lo, hi := byte(0x80), byte(0xBF) // range of the second byte
	switch c := b[0]; {
	case c >= 0xC2 && c <= 0xDF:
		need = 2
	case c == 0xE0:
		need, lo = 3, 0xA0
	case c == 0xED:
		need, hi = 3, 0x9F
	case c >= 0xE1 && c <= 0xEF:
		need = 3
	case c == 0xF0:
		need, lo = 4, 0x90
	case c == 0xF4:
		need, hi = 4, 0x8F
	case c >= 0xF1 && c <= 0xF3:
		need = 4
	default:
		return 1
	}
	n := 1
	for n < need && n < len(b) {
		c := b[n]
		if n == 1 && (c < lo || c > hi) || n > 1 && (c < 0x80 || c > 0xBF) {
			break
		}
		n++
	}
	return n
}

// metaspaceDecoder is HF's Metaspace decoder: the replacement becomes a
// space, except in the first token when a prefix was prepended, where it
// is dropped.
type metaspaceDecoder struct{ m metaspace }

func (d metaspaceDecoder) Decode(tokens []string) string { return joinChain(d, tokens) }

func (d metaspaceDecoder) DecodeChain(tokens []string) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		with := " "
		if i == 0 && d.m.prepend != "never" {
			with = ""
		}
		out[i] = strings.ReplaceAll(t, d.m.repl, with)
	}
	return out
}
