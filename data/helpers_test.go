package data

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Shared corpus folders, relative to the package directory.
const (
	booksDir = "../../shared/corpus/books"
	babiDir  = "../../shared/corpus/babi-train"
)

// needShared skips the test when a shared folder is absent.
func needShared(tb testing.TB, dir string) {
	tb.Helper()
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("../shared not present: %v", err)
	}
}

// fakeBytes is a byte-level tokenizer local to these tests, so that they do
// not depend on tokenizer*.go: ids 0..255 are bytes, 256 is BOS, 257 EOS.
type fakeBytes struct{}

func (fakeBytes) Encode(s string) ([]int, error) {
	ids := make([]int, len(s))
	for i := range len(s) {
		ids[i] = int(s[i])
	}
	return ids, nil
}

func (fakeBytes) Decode(ids []int) string {
	b := make([]byte, 0, len(ids))
	for _, id := range ids {
		if id < 256 {
			b = append(b, byte(id))
		}
	}
	return string(b)
}

func (fakeBytes) VocabSize() int { return 258 }
func (fakeBytes) BOS() int       { return 256 }
func (fakeBytes) EOS() int       { return 257 }

// fakeWords is a word-level tokenizer: a token is a run of letters with the
// space before it, or any other single byte. Ids are handed out on first
// sight (0 and 1 are BOS and EOS), so tokens are of very different lengths,
// as with BPE. It is safe for concurrent use.
type fakeWords struct {
	mu    sync.Mutex
	ids   map[string]int
	words []string
}

func newFakeWords() *fakeWords {
	return &fakeWords{ids: map[string]int{}, words: []string{"<s>", "</s>"}}
}

func (w *fakeWords) Encode(s string) ([]int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []int
	for i := 0; i < len(s); {
		j := i
		if s[j] == ' ' && j+1 < len(s) && isLetter(s[j+1]) {
			j++
		}
		if isLetter(s[j]) {
			for j < len(s) && isLetter(s[j]) {
				j++
			}
		} else {
			j++
		}
		piece := s[i:j]
		id, ok := w.ids[piece]
		if !ok {
			id = len(w.words)
			w.ids[piece] = id
			w.words = append(w.words, piece)
		}
		out = append(out, id)
		i = j
	}
	return out, nil
}

func (w *fakeWords) Decode(ids []int) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var b strings.Builder
	for _, id := range ids {
		if id > 1 && id < len(w.words) {
			b.WriteString(w.words[id])
		}
	}
	return b.String()
}

func (w *fakeWords) VocabSize() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.words)
}
func (*fakeWords) BOS() int { return 0 }
func (*fakeWords) EOS() int { return 1 }

// writeFiles makes a directory with the given files and returns its path.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fillerText returns n filler sentences as paragraphs of a book.
func fillerText(seed int64, n int) string {
	r := NewFillerNoise().Open(SampleRNG(seed, 0))
	var b strings.Builder
	for i := range n {
		s, _ := r.Next()
		b.WriteString(s)
		if i%5 == 4 {
			b.WriteString("\n\n")
		} else {
			b.WriteString(" ")
		}
	}
	return b.String()
}

// fb is the byte tokenizer of most tests.
var fb = fakeBytes{}
