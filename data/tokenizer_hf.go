package data

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sugarme/tokenizer"
)

// hfFile is a HuggingFace tokenizer.json. The model is read in a second step
// so that an unsupported model type is reported as such, not as a JSON type
// error on its vocab.
type hfFile struct {
	AddedTokens   []tokenizer.TokenConfig `json:"added_tokens"`
	Normalizer    *hfNormSpec             `json:"normalizer"`
	PreTokenizer  *hfPreTokSpec           `json:"pre_tokenizer"`
	PostProcessor *hfPostSpec             `json:"post_processor"`
	Decoder       *hfDecoderSpec          `json:"decoder"`
	Model         json.RawMessage         `json:"model"`
}

// hfPostSpec is the "post_processor" object; only its template is read, to
// find BOS and EOS (Encode adds no special tokens).
type hfPostSpec struct {
	Type       string       `json:"type"`
	Processors []hfPostSpec `json:"processors"`
	Single     []struct {
		SpecialToken *struct {
			ID string `json:"id"`
		} `json:"SpecialToken"`
		Sequence *struct {
			ID string `json:"id"`
		} `json:"Sequence"`
	} `json:"single"`
}

// hfTokenizer implements Tokenizer for a tokenizer.json with a BPE model:
// GPT-2's byte-level BPE and Llama's SentencePiece-style BPE with byte
// fallback. Encode follows HF's pipeline:
//
//	text -> split out added tokens matched in the raw text (normalized: false)
//	     -> normalize each remaining piece
//	     -> split out added tokens matched in the normalized text
//	     -> pre-tokenize each remaining piece into words
//	     -> BPE each word
//
// It is safe for concurrent use.
type hfTokenizer struct {
	model     *bpeModel
	norm      textNormalizer    // nil: none
	pre       preTokenizer      // never nil
	dec       tokenizer.Decoder // nil: tokens joined by spaces, as HF
	added     []addedToken
	addedByID map[int]*addedToken
	rawMatch  tokenMatcher // added tokens with normalized: false
	normMatch tokenMatcher // added tokens with normalized: true
	vocabSize int
	bos, eos  int
}

type addedToken struct {
	id                         int
	content                    string
	special                    bool
	singleWord, lstrip, rstrip bool
}

// LoadTokenizer reads dir/tokenizer.json, a HuggingFace tokenizers file with
// a BPE model: GPT-2's byte-level BPE or Llama's SentencePiece-style BPE
// (normalizer Prepend("▁") + Replace(" ", "▁"), byte_fallback, fuse_unk;
// decoder Replace, ByteFallback, Fuse, Strip). Newer files (Metaspace,
// merges as pairs) load too; WordPiece and Unigram models do not.
//
// Encode adds no special tokens; added tokens written in the text ("<s>",
// "<|endoftext|>") map to their ids, as in HF. BOS is the special token the
// post-processor template puts before the text; EOS the one it puts after,
// else the first special token named </s>, <|end_of_text|>, <|endoftext|>
// or <eos>; BOS falls back likewise to <s>, <|begin_of_text|>, <bos> or
// <|endoftext|>. Llama's file gives BOS 1 (<s>) and EOS 2 (</s>); GPT-2's
// gives 50256 (<|endoftext|>) for both.
//
// From sugarme/tokenizer v0.3.0 it takes the added-token type, GPT-2's byte
// alphabet and the Sequence, ByteFallback and Fuse decoders. Its loader,
// pretrained.FromFile, cannot be used: it imports sugarme's model/bpe, which
// needs github.com/emirpasic/gods, a module this repository does not
// require, so it does not build here; and that BPE has no byte_fallback.
// The BPE model, normalizers, pre-tokenizers, added-token split and the
// other decoders are written here, each saying what sugarme's lacks.
func LoadTokenizer(dir string) (Tokenizer, error) {
	return LoadTokenizerFile(filepath.Join(dir, "tokenizer.json"))
}

// LoadTokenizerFile reads a HuggingFace tokenizer.json by its path (the
// file may have any name), as LoadTokenizer does from a folder.
func LoadTokenizerFile(path string) (Tokenizer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("data: read tokenizer: %w", err)
	}
	t, err := parseTokenizer(raw)
	if err != nil {
		return nil, fmt.Errorf("data: tokenizer %s: %w", path, err)
	}
	return t, nil
}

func parseTokenizer(raw []byte) (*hfTokenizer, error) {
	var f hfFile
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("parse JSON: %w", err)
	}
	if len(f.Model) == 0 || string(f.Model) == "null" {
		return nil, errors.New("no \"model\"")
	}
	var spec hfBPESpec
	if err := json.Unmarshal(f.Model, &spec); err != nil {
		var typ struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(f.Model, &typ) == nil && typ.Type != "" && typ.Type != "BPE" {
			return nil, fmt.Errorf("model type %q not supported, want BPE", typ.Type)
		}
		return nil, fmt.Errorf("parse model: %w", err)
	}
	model, err := newBPEModel(&spec)
	if err != nil {
		return nil, err
	}
	t := &hfTokenizer{model: model, addedByID: make(map[int]*addedToken), bos: -1, eos: -1}
	if t.norm, err = newNormalizer(f.Normalizer); err != nil {
		return nil, err
	}
	if t.pre, err = newPreTokenizer(f.PreTokenizer); err != nil {
		return nil, err
	}
	if t.dec, err = newDecoder(f.Decoder); err != nil {
		return nil, err
	}
	if err := checkByteTokens(model, f.Decoder); err != nil {
		return nil, err
	}
	t.vocabSize = len(model.vocabR)
	for _, a := range f.AddedTokens {
		if a.Content == "" || a.Id < 0 {
			return nil, fmt.Errorf("added token %q with id %d: want content and id >= 0", a.Content, a.Id)
		}
		if tok, ok := model.idToToken(int(a.Id)); ok && tok != a.Content {
			return nil, fmt.Errorf("added token %q has id %d, which the vocab gives to %q", a.Content, a.Id, tok)
		}
		t.added = append(t.added, addedToken{
			id: int(a.Id), content: a.Content, special: a.Special,
			singleWord: a.SingleWord, lstrip: a.Lstrip, rstrip: a.Rstrip,
		})
		t.vocabSize = max(t.vocabSize, int(a.Id)+1)
	}
	for i := range t.added {
		a := &t.added[i]
		t.addedByID[a.id] = a
		if !f.AddedTokens[i].Normalized {
			t.rawMatch.add(a.content, i, *a)
			continue
		}
		// As HF: a normalized token is matched in normalized text by its
		// normalized content.
		content := a.content
		if t.norm != nil {
			content = t.norm(content)
		}
		t.normMatch.add(content, i, *a)
	}
	t.bos, t.eos = t.specialIDs(f.PostProcessor)
	return t, nil
}

// checkByteTokens rejects a vocab whose <0x..> tokens are not hex when the
// decoder has ByteFallback: sugarme's ByteFallback panics on them.
func checkByteTokens(m *bpeModel, spec *hfDecoderSpec) error {
	var has func(*hfDecoderSpec) bool
	has = func(d *hfDecoderSpec) bool {
		if d == nil {
			return false
		}
		if d.Type == "ByteFallback" {
			return true
		}
		for i := range d.Decoders {
			if has(&d.Decoders[i]) {
				return true
			}
		}
		return false
	}
	if !has(spec) {
		return nil
	}
	for _, tok := range m.vocabR {
		byteLike := len(tok) == 6 && strings.HasPrefix(tok, "<0x") && tok[5] == '>'
		if byteLike && !(isHexDigit(tok[3]) && isHexDigit(tok[4])) {
			return fmt.Errorf("vocab token %q looks like a byte token but is not hex", tok)
		}
	}
	return nil
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// specialIDs finds BOS and EOS: from the post-processor's single template,
// else by name among the special added tokens.
func (t *hfTokenizer) specialIDs(post *hfPostSpec) (bos, eos int) {
	bos, eos = -1, -1
	var walk func(p *hfPostSpec)
	walk = func(p *hfPostSpec) {
		if p == nil {
			return
		}
		for i := range p.Processors {
			walk(&p.Processors[i])
		}
		seen := false
		for _, piece := range p.Single {
			switch {
			case piece.Sequence != nil:
				seen = true
			case piece.SpecialToken != nil && !seen && bos < 0:
				bos = t.idOf(piece.SpecialToken.ID)
			case piece.SpecialToken != nil && seen && eos < 0:
				eos = t.idOf(piece.SpecialToken.ID)
			}
		}
	}
	walk(post)
	if bos < 0 {
		bos = t.specialNamed("<s>", "<|begin_of_text|>", "<bos>", "<|endoftext|>")
	}
	if eos < 0 {
		eos = t.specialNamed("</s>", "<|end_of_text|>", "<|endoftext|>", "<eos>")
	}
	return bos, eos
}

func (t *hfTokenizer) idOf(content string) int {
	for _, a := range t.added {
		if a.content == content {
			return a.id
		}
	}
	if id, ok := t.model.vocab[content]; ok {
		return id
	}
	return -1
}

func (t *hfTokenizer) specialNamed(names ...string) int {
	for _, name := range names {
		for _, a := range t.added {
			if a.special && a.content == name {
				return a.id
			}
		}
	}
	return -1
}

// Encode returns the ids of text, without BOS or EOS. Text that is not
// valid UTF-8 is tokenized byte by byte where invalid (byte-level and
// byte-fallback models keep those bytes).
func (t *hfTokenizer) Encode(text string) ([]int, error) {
	ids := make([]int, 0, len(text)/3+1)
	var words []string
	for _, sp := range t.rawMatch.split(text) {
		if sp.tok >= 0 {
			ids = append(ids, t.added[sp.tok].id)
			continue
		}
		piece := text[sp.start:sp.end]
		if t.norm != nil {
			piece = t.norm(piece)
		}
		for _, sp2 := range t.normMatch.split(piece) {
			if sp2.tok >= 0 {
				ids = append(ids, t.added[sp2.tok].id)
				continue
			}
			words = t.pre.split(words[:0], piece[sp2.start:sp2.end], sp.start == 0 && sp2.start == 0)
			for _, w := range words {
				ids = t.model.tokenize(ids, w)
			}
		}
	}
	return ids, nil
}

// Decode turns ids back into text, skipping special tokens and ids outside
// the vocabulary.
func (t *hfTokenizer) Decode(ids []int) string { return t.decode(ids, true) }

// decode is HF's decode(ids, skip_special_tokens).
func (t *hfTokenizer) decode(ids []int, skipSpecial bool) string {
	tokens := make([]string, 0, len(ids))
	for _, id := range ids {
		if tok, ok := t.token(id); ok {
			if skipSpecial && t.addedByID[id] != nil && t.addedByID[id].special {
				continue
			}
			tokens = append(tokens, tok)
		}
	}
	if t.dec == nil {
		return strings.Join(tokens, " ")
	}
	return joinChain(t.dec, tokens)
}

// token returns the token string of id: an added token's content or the
// model's token.
func (t *hfTokenizer) token(id int) (string, bool) {
	if a := t.addedByID[id]; a != nil {
		return a.content, true
	}
	return t.model.idToToken(id)
}

// VocabSize is one more than the largest id in the vocab or added tokens.
func (t *hfTokenizer) VocabSize() int { return t.vocabSize }
func (t *hfTokenizer) BOS() int       { return t.bos }
func (t *hfTokenizer) EOS() int       { return t.eos }

// tokenMatcher finds added tokens in text as HF's AddedVocabulary does:
// leftmost-longest matches (HF uses an Aho-Corasick automaton; the few added
// tokens of a model make a scan by first byte enough), with single_word,
// lstrip and rstrip applied. sugarme's version re-sorts the matches by
// pattern index after sorting them by position, so with Llama's tokens
// "</s> <s>" loses its "</s>" (the <s> match comes first and the earlier
// one is then skipped as overlapping).
type tokenMatcher struct {
	patterns []string
	toks     []int          // index into hfTokenizer.added, per pattern
	byFirst  map[byte][]int // first byte -> patterns
	opts     []addedToken   // per pattern: single_word, lstrip, rstrip
}

// addedSplit is one piece of the text: [start, end) and the added token it is,
// or tok -1 for text in between.
type addedSplit struct{ start, end, tok int }

// add registers pattern for the added token a, at index tok.
func (m *tokenMatcher) add(pattern string, tok int, a addedToken) {
	if pattern == "" {
		return // a token that normalizes to nothing never matches
	}
	if m.byFirst == nil {
		m.byFirst = make(map[byte][]int)
	}
	m.byFirst[pattern[0]] = append(m.byFirst[pattern[0]], len(m.patterns))
	m.patterns = append(m.patterns, pattern)
	m.toks = append(m.toks, tok)
	m.opts = append(m.opts, a)
}

// longest returns the longest pattern matching at s[i:], or -1.
func (m *tokenMatcher) longest(s string, i int) int {
	best := -1
	for _, p := range m.byFirst[s[i]] {
		if strings.HasPrefix(s[i:], m.patterns[p]) && (best < 0 || len(m.patterns[p]) > len(m.patterns[best])) {
			best = p
		}
	}
	return best
}

func (m *tokenMatcher) split(s string) []addedSplit {
	if s == "" {
		return nil
	}
	if len(m.patterns) == 0 {
		return []addedSplit{{0, len(s), -1}}
	}
	var out []addedSplit
	done := 0 // end of the last emitted split
	for i := 0; i < len(s); {
		p := m.longest(s, i)
		if p < 0 {
			i++
			continue
		}
		start, end := i, i+len(m.patterns[p])
		o := m.opts[p]
		if o.singleWord && (start > 0 && endsWithWord(s[:start]) || end < len(s) && startsWithWord(s[end:])) {
			i = end // not a whole word: HF drops the match and scans on after it
			continue
		}
		if o.lstrip {
			start = max(len(strings.TrimRightFunc(s[:start], unicode.IsSpace)), done)
		}
		if o.rstrip {
			end = len(s) - len(strings.TrimLeftFunc(s[end:], unicode.IsSpace))
		}
		if done < start {
			out = append(out, addedSplit{done, start, -1})
		}
		out = append(out, addedSplit{start, end, m.toks[p]})
		done, i = end, end
	}
	if done < len(s) {
		out = append(out, addedSplit{done, len(s), -1})
	}
	return out
}

func endsWithWord(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}

func startsWithWord(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsNumber(r)
}
