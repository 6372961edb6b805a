package data

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer/pretokenizer"
)

// preTokenizer splits one piece of normalized text into the words the model
// tokenizes separately. first is true when the piece starts at byte 0 of the
// input (Metaspace's prepend_scheme "first" needs it).
type preTokenizer interface {
	split(dst []string, piece string, first bool) []string
}

// hfPreTokSpec is the "pre_tokenizer" object of tokenizer.json.
type hfPreTokSpec struct {
	Type           string `json:"type"`
	AddPrefixSpace *bool  `json:"add_prefix_space"`
	UseRegex       *bool  `json:"use_regex"`
	Replacement    string `json:"replacement"`
	PrependScheme  string `json:"prepend_scheme"`
	Split          *bool  `json:"split"`
}

func newPreTokenizer(spec *hfPreTokSpec) (preTokenizer, error) {
	if spec == nil {
		return wholePiece{}, nil
	}
	switch spec.Type {
	case "ByteLevel":
		return byteLevelPreTok{
			addPrefixSpace: spec.AddPrefixSpace != nil && *spec.AddPrefixSpace,
			useRegex:       spec.UseRegex == nil || *spec.UseRegex,
		}, nil
	case "Metaspace":
		return newMetaspace(spec)
	default:
		return nil, fmt.Errorf("pre_tokenizer type %q not supported, want null, ByteLevel or Metaspace", spec.Type)
	}
}

// wholePiece is the absent pre-tokenizer: the piece is one word.
type wholePiece struct{}

func (wholePiece) split(dst []string, piece string, _ bool) []string { return append(dst, piece) }

// byteLevelChars maps each byte to the character GPT-2's byte-level BPE
// uses for it (printable Latin-1 stays, the other 68 bytes go to U+0100...:
// ' ' -> 'Ġ', '\n' -> 'Ċ'). The table is sugarme's, which matches GPT-2's
// bytes_to_unicode.
var byteLevelChars = func() (t [256]string) {
	for b, c := range pretokenizer.BytesChar {
		t[b] = c
	}
	return t
}()

// byteLevelPreTok is HF's ByteLevel pre-tokenizer: GPT-2's regex split, then
// every UTF-8 byte of each word mapped to its byte-level character.
type byteLevelPreTok struct {
	addPrefixSpace bool
	useRegex       bool
}

func (p byteLevelPreTok) split(dst []string, piece string, _ bool) []string {
	if p.addPrefixSpace && !strings.HasPrefix(piece, " ") {
		piece = " " + piece
	}
	if !p.useRegex {
		return append(dst, toByteLevel(piece))
	}
	for w := range gpt2Words(piece) {
		dst = append(dst, toByteLevel(w))
	}
	return dst
}

func toByteLevel(s string) string {
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		b.WriteString(byteLevelChars[s[i]])
	}
	return b.String()
}

// gpt2Words yields the matches of GPT-2's split regex
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// in order. Go's regexp has no lookahead, and sugarme drops the two
// whitespace alternatives (its own TODO says so), which merges "\n\n" into
// one word where GPT-2 has two; so the regex is matched by hand here.
// Every character falls in one alternative, so the words cover the text.
// \s is Unicode White_Space (= unicode.IsSpace), \p{L} and \p{N} are
// unicode.IsLetter and unicode.IsNumber; an invalid UTF-8 byte counts as
// U+FFFD, a symbol.
func gpt2Words(s string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		for i := 0; i < len(s); {
			n := gpt2Match(s, i)
			if !yield(s[i : i+n]) {
				return
			}
			i += n
		}
	}
}

const (
	clsSpace = iota
	clsLetter
	clsNumber
	clsOther
)

func gpt2Class(r rune) int {
	switch {
	case unicode.IsSpace(r):
		return clsSpace
	case unicode.IsLetter(r):
		return clsLetter
	case unicode.IsNumber(r):
		return clsNumber
	default:
		return clsOther
	}
}

// classRunEnd returns the end of the run of class cls starting at i.
func classRunEnd(s string, i, cls int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if gpt2Class(r) != cls {
			break
		}
		i += n
	}
	return i
}

// gpt2Match returns the length of the regex match that starts at i.
func gpt2Match(s string, i int) int {
	if s[i] == '\'' {
		for _, c := range [...]string{"s", "t", "re", "ve", "m", "ll", "d"} {
			if strings.HasPrefix(s[i+1:], c) {
				return 1 + len(c)
			}
		}
	}
	// ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: an optional ASCII space,
	// then a run of one class.
	j := i
	if s[j] == ' ' && j+1 < len(s) {
		j++
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	if cls := gpt2Class(r); cls != clsSpace {
		return classRunEnd(s, j, cls) - i
	}
	// `\s+(?!\S)|\s+`: a whitespace run; before a non-space, all but the
	// last character (which then prefixes the next word), unless that would
	// leave nothing.
	end := classRunEnd(s, i, clsSpace)
	if end == len(s) {
		return end - i
	}
	_, last := utf8.DecodeLastRuneInString(s[i:end])
	if end-last > i {
		return end - last - i
	}
	return end - i
}

// metaspace is HF's Metaspace pre-tokenizer (newer Llama and T5 files):
// spaces become the replacement character, which is prepended per
// prepend_scheme, and with split the text breaks before each replacement.
type metaspace struct {
	repl    string
	prepend string // "always", "first" or "never"
	doSplit bool
}

func newMetaspace(spec *hfPreTokSpec) (metaspace, error) {
	m := metaspace{repl: spec.Replacement, prepend: spec.PrependScheme, doSplit: spec.Split == nil || *spec.Split}
	if utf8.RuneCountInString(m.repl) != 1 {
		return m, fmt.Errorf("Metaspace replacement %q: want one character", m.repl)
	}
	if m.prepend == "" { // older files say add_prefix_space instead
		m.prepend = "never"
		if spec.AddPrefixSpace == nil || *spec.AddPrefixSpace {
			m.prepend = "always"
		}
	}
	switch m.prepend {
	case "always", "first", "never":
	default:
		return m, fmt.Errorf("Metaspace prepend_scheme %q: want always, first or never", m.prepend)
	}
	return m, nil
}

func (m metaspace) split(dst []string, piece string, first bool) []string {
	piece = strings.ReplaceAll(piece, " ", m.repl)
	if !strings.HasPrefix(piece, m.repl) && (m.prepend == "always" || m.prepend == "first" && first) {
		piece = m.repl + piece
	}
	if !m.doSplit {
		return append(dst, piece)
	}
	// Split with the replacement merged with the next word: "▁a▁▁b" ->
	// "▁a", "▁", "▁b".
	start := 0
	for i := 1; i < len(piece); {
		k := strings.Index(piece[i:], m.repl)
		if k < 0 {
			break
		}
		dst = append(dst, piece[start:i+k])
		start = i + k
		i = start + len(m.repl)
	}
	if start < len(piece) {
		dst = append(dst, piece[start:])
	}
	return dst
}
