package data

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// bpeModel is the BPE model of a HuggingFace tokenizer.json, with the two
// options sugarme/tokenizer v0.3.0 lacks: byte_fallback and fuse_unk.
//
// Why not sugarme's model/bpe: it cannot do byte_fallback (a newline or an
// emoji becomes <unk> where HF gives <0x0A> or four byte tokens), ignores
// fuse_unk, and it imports github.com/emirpasic/gods, a module this
// repository does not require, so it does not even build here. The
// algorithm below is HF's (tokenizers/src/models/bpe/{model,word}.rs):
//
//	symbols := chars of the word (unknown chars -> <0xXX> bytes or <unk>)
//	while some adjacent pair (a, b) is in merges:
//	    merge the pair of lowest rank, leftmost first
//
// run with a priority queue, so a long word (no pre-tokenizer, as in Llama)
// costs O(n log n), not O(n²).
type bpeModel struct {
	vocab  map[string]int
	vocabR []string            // id -> token; "" where the id is unused
	merges map[[2]int]bpeMerge // (left id, right id) -> rank and merged id

	unkID        int // -1: no unk_token
	fuseUnk      bool
	byteFallback bool
	byteIDs      [256]int // byteIDs[b] is the id of "<0xBB>", -1 if absent
	ignoreMerges bool
	prefix       string // continuing_subword_prefix
	suffix       string // end_of_word_suffix

	// metaSplit: every vocab token holding "▁" holds it only at its start,
	// and "▁" is a token. No merge can then cross a "▁", so a Llama-style
	// "word" (a whole sentence; these files have no pre-tokenizer) can be
	// cut before each "▁" and its pieces encoded and cached on their own,
	// with exactly the same result.
	metaSplit bool

	mu    sync.Mutex
	cache map[string][]int // word -> ids; bounded by bpeCacheMax
}

const metaSpace = "\u2581"

type bpeMerge struct{ rank, id int }

// bpeCacheMax bounds the word cache: words repeat (GPT-2 pre-tokenizes into
// words), but a Llama file sends whole paragraphs as one "word".
const (
	bpeCacheMax     = 1 << 12
	bpeCacheWordMax = 256 // bytes; longer words are not cached
)

// hfBPESpec is the "model" object of tokenizer.json. Files written by early
// tokenizers versions (GPT-2's) have no "type" and write merges as "a b"
// strings; newer ones write ["a", "b"] pairs. Both are accepted.
type hfBPESpec struct {
	Type                    string            `json:"type"`
	Dropout                 *float64          `json:"dropout"`
	UnkToken                *string           `json:"unk_token"`
	ContinuingSubwordPrefix *string           `json:"continuing_subword_prefix"`
	EndOfWordSuffix         *string           `json:"end_of_word_suffix"`
	FuseUnk                 bool              `json:"fuse_unk"`
	ByteFallback            bool              `json:"byte_fallback"`
	IgnoreMerges            bool              `json:"ignore_merges"`
	Vocab                   map[string]int    `json:"vocab"`
	Merges                  []json.RawMessage `json:"merges"`
}

func newBPEModel(spec *hfBPESpec) (*bpeModel, error) {
	if spec.Type != "" && spec.Type != "BPE" {
		return nil, fmt.Errorf("model type %q not supported, want BPE", spec.Type)
	}
	if spec.Dropout != nil && *spec.Dropout != 0 {
		return nil, fmt.Errorf("BPE dropout %g not supported, want null or 0", *spec.Dropout)
	}
	if len(spec.Vocab) == 0 {
		return nil, fmt.Errorf("BPE vocab is empty")
	}
	m := &bpeModel{
		vocab:        spec.Vocab,
		merges:       make(map[[2]int]bpeMerge, len(spec.Merges)),
		unkID:        -1,
		fuseUnk:      spec.FuseUnk,
		byteFallback: spec.ByteFallback,
		ignoreMerges: spec.IgnoreMerges,
		cache:        make(map[string][]int),
	}
	if spec.ContinuingSubwordPrefix != nil {
		m.prefix = *spec.ContinuingSubwordPrefix
	}
	if spec.EndOfWordSuffix != nil {
		m.suffix = *spec.EndOfWordSuffix
	}
	maxID := -1
	for tok, id := range spec.Vocab {
		if id < 0 {
			return nil, fmt.Errorf("BPE vocab: token %q has id %d, want >= 0", tok, id)
		}
		maxID = max(maxID, id)
	}
	m.vocabR = make([]string, maxID+1)
	for tok, id := range spec.Vocab {
		if m.vocabR[id] != "" {
			return nil, fmt.Errorf("BPE vocab: id %d used by %q and %q", id, m.vocabR[id], tok)
		}
		m.vocabR[id] = tok
	}
	if spec.UnkToken != nil {
		id, ok := spec.Vocab[*spec.UnkToken]
		if !ok {
			return nil, fmt.Errorf("BPE unk_token %q is not in the vocab", *spec.UnkToken)
		}
		m.unkID = id
	}
	for b := range m.byteIDs {
		id, ok := spec.Vocab[byteToken(byte(b))]
		if !ok {
			id = -1
		}
		m.byteIDs[b] = id
	}
	for rank, raw := range spec.Merges {
		a, b, err := parseMerge(raw)
		if err != nil {
			return nil, fmt.Errorf("BPE merge %d: %w", rank, err)
		}
		aID, ok := spec.Vocab[a]
		if !ok {
			return nil, fmt.Errorf("BPE merge %d (%q %q): %q is not in the vocab", rank, a, b, a)
		}
		bID, ok := spec.Vocab[b]
		if !ok {
			return nil, fmt.Errorf("BPE merge %d (%q %q): %q is not in the vocab", rank, a, b, b)
		}
		// As HF: the merged token drops the right part's subword prefix.
		merged := a + strings.TrimPrefix(b, m.prefix)
		id, ok := spec.Vocab[merged]
		if !ok {
			return nil, fmt.Errorf("BPE merge %d (%q %q): result %q is not in the vocab", rank, a, b, merged)
		}
		// A repeated pair keeps its last rank, as HF's HashMap collect does.
		m.merges[[2]int{aID, bID}] = bpeMerge{rank: rank, id: id}
	}
	m.metaSplit = m.canMetaSplit()
	return m, nil
}

// parseMerge reads one merge, either "a b" or ["a", "b"].
func parseMerge(raw json.RawMessage) (a, b string, err error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		a, b, ok := strings.Cut(s, " ")
		if !ok || a == "" || b == "" || strings.Contains(b, " ") {
			return "", "", fmt.Errorf("merge %q: want two tokens separated by one space", s)
		}
		return a, b, nil
	}
	var pair []string
	if err := json.Unmarshal(raw, &pair); err != nil || len(pair) != 2 {
		return "", "", fmt.Errorf("merge %s: want \"a b\" or [\"a\", \"b\"]", raw)
	}
	return pair[0], pair[1], nil
}

// byteToken is the byte_fallback token of b, as HF spells it: "<0x0A>".
func byteToken(b byte) string { return fmt.Sprintf("<0x%02X>", b) }

// idToToken returns the token of id, or "" and false.
func (m *bpeModel) idToToken(id int) (string, bool) {
	if id < 0 || id >= len(m.vocabR) || m.vocabR[id] == "" {
		return "", false
	}
	return m.vocabR[id], true
}

// tokenize appends the ids of one pre-tokenized word to dst.
func (m *bpeModel) tokenize(dst []int, word string) []int {
	if !m.metaSplit {
		return m.tokenizeWord(dst, word)
	}
	for word != "" {
		n := len(word)
		if i := strings.Index(word[1:], metaSpace); i >= 0 {
			n = i + 1
		}
		dst = m.tokenizeWord(dst, word[:n])
		word = word[n:]
	}
	return dst
}

// canMetaSplit reports whether metaSplit is exact for this model.
func (m *bpeModel) canMetaSplit() bool {
	if m.prefix != "" || m.suffix != "" {
		return false
	}
	if _, ok := m.vocab[metaSpace]; !ok {
		return false
	}
	for tok := range m.vocab {
		if strings.Contains(strings.TrimPrefix(tok, metaSpace), metaSpace) {
			return false
		}
	}
	return true
}

// tokenizeWord is tokenize for a piece that is encoded as a whole.
func (m *bpeModel) tokenizeWord(dst []int, word string) []int {
	if word == "" {
		return dst
	}
	if m.ignoreMerges {
		if id, ok := m.vocab[word]; ok {
			return append(dst, id)
		}
	}
	cacheable := len(word) <= bpeCacheWordMax
	if cacheable {
		m.mu.Lock()
		ids, ok := m.cache[word]
		m.mu.Unlock()
		if ok {
			return append(dst, ids...)
		}
	}
	ids := m.mergeWord(m.symbols(word))
	if cacheable {
		m.mu.Lock()
		if len(m.cache) < bpeCacheMax {
			m.cache[word] = ids
		}
		m.mu.Unlock()
	}
	return append(dst, ids...)
}

// symbols splits word into its initial symbols, as HF's BPE::merge_word:
// each char is looked up (with the subword prefix unless first and the
// suffix if last); a char not in the vocab becomes its UTF-8 bytes' <0xXX>
// tokens when byte_fallback is on and all of them exist, else <unk>, with
// runs of <unk> fused into one when fuse_unk is on. A char without any of
// these (no unk_token) is dropped, as in HF. Invalid UTF-8 is taken one byte
// per char, so it falls back to byte tokens too.
func (m *bpeModel) symbols(word string) []int {
	syms := make([]int, 0, len(word))
	pendingUnk := false // an <unk> not yet emitted (fuse_unk may extend it)
	for i := 0; i < len(word); {
		_, n := utf8.DecodeRuneInString(word[i:])
		ch := word[i : i+n]
		s := ch
		if i > 0 && m.prefix != "" {
			s = m.prefix + s
		}
		if i+n == len(word) && m.suffix != "" {
			s += m.suffix
		}
		i += n
		if id, ok := m.vocab[s]; ok {
			if pendingUnk {
				syms = append(syms, m.unkID)
				pendingUnk = false
			}
			syms = append(syms, id)
			continue
		}
		if m.byteFallback && m.allBytes(s) {
			// HF emits the byte tokens without flushing a pending <unk>
			// first; with a full byte alphabet there never is one.
			for j := 0; j < len(s); j++ {
				syms = append(syms, m.byteIDs[s[j]])
			}
			continue
		}
		if m.unkID < 0 {
			continue
		}
		if pendingUnk && !m.fuseUnk {
			syms = append(syms, m.unkID)
		}
		pendingUnk = true
	}
	if pendingUnk {
		syms = append(syms, m.unkID)
	}
	return syms
}

func (m *bpeModel) allBytes(s string) bool {
	for j := 0; j < len(s); j++ {
		if m.byteIDs[s[j]] < 0 {
			return false
		}
	}
	return true
}

// mergeWord applies the merges to syms, lowest rank first and, among equal
// ranks, leftmost first (HF's min-heap on (rank, pos)).
func (m *bpeModel) mergeWord(syms []int) []int {
	n := len(syms)
	if n < 2 {
		return syms
	}
	// A doubly linked list over the symbols; merged-away symbols get id -1.
	prev := make([]int, n)
	next := make([]int, n)
	for i := range syms {
		prev[i], next[i] = i-1, i+1
	}
	next[n-1] = -1
	q := make(mergeQueue, 0, n)
	for i := 0; i+1 < n; i++ {
		if mg, ok := m.merges[[2]int{syms[i], syms[i+1]}]; ok {
			q = append(q, mergeItem{pos: i, rank: mg.rank, id: mg.id})
		}
	}
	heap.Init(&q)
	for q.Len() > 0 {
		top := heap.Pop(&q).(mergeItem)
		l := top.pos
		if syms[l] < 0 || next[l] < 0 {
			continue
		}
		r := next[l]
		// Skip stale entries: the pair at pos changed since it was queued.
		if mg, ok := m.merges[[2]int{syms[l], syms[r]}]; !ok || mg.id != top.id {
			continue
		}
		syms[l] = top.id
		syms[r] = -1
		next[l] = next[r]
		if next[l] >= 0 {
			prev[next[l]] = l
		}
		if p := prev[l]; p >= 0 {
			if mg, ok := m.merges[[2]int{syms[p], syms[l]}]; ok {
				heap.Push(&q, mergeItem{pos: p, rank: mg.rank, id: mg.id})
			}
		}
		if nx := next[l]; nx >= 0 {
			if mg, ok := m.merges[[2]int{syms[l], syms[nx]}]; ok {
				heap.Push(&q, mergeItem{pos: l, rank: mg.rank, id: mg.id})
			}
		}
	}
	out := syms[:0]
	for _, id := range syms {
		if id >= 0 {
			out = append(out, id)
		}
	}
	return out
}

type mergeItem struct{ pos, rank, id int }

// mergeQueue is a min-heap on (rank, pos).
type mergeQueue []mergeItem

func (q mergeQueue) Len() int { return len(q) }
func (q mergeQueue) Less(i, j int) bool {
	if q[i].rank != q[j].rank {
		return q[i].rank < q[j].rank
	}
	return q[i].pos < q[j].pos
}
func (q mergeQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *mergeQueue) Push(x any)   { *q = append(*q, x.(mergeItem)) }
func (q *mergeQueue) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}
