package data

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
)

// lmTask cuts windows of n*S tokens out of long documents. A window lies in
// one document: a file is drawn with probability proportional to the
// number of window starts it offers, a byte offset uniformly among them,
// and the window starts after the next line break (a paragraph in most
// books) and the white space after it.
// Only the bytes of the window are read and tokenized.
type lmTask struct {
	cfg   TaskConfig
	paths []string
	cum   []int64 // cumulative window starts per file
	need  int64   // bytes a window may take, from the tokenizer's bytes per token
	// perToken is the measured bytes per token of the corpus.
	perToken float64
}

// lmReadBlock is how much text is read and tokenized at a time.
const lmReadBlock = 64 << 10

func newLMTask(cfg TaskConfig) (Task, error) {
	if cfg.TextDir == "" {
		return nil, badField("", "task lm needs {text_dir} (a directory of long .txt documents)")
	}
	paths, sizes, err := SplitFiles(cfg.TextDir, cfg.Split, cfg.EvalEvery, "text_dir")
	if err != nil {
		return nil, err
	}
	// Bytes per token, measured on the start of the largest document, with
	// a margin: a window must not run out of its document.
	big := 0
	for i := range sizes {
		if sizes[i] > sizes[big] {
			big = i
		}
	}
	perToken, err := bytesPerToken(paths[big], cfg.Tokenizer)
	if err != nil {
		return nil, err
	}
	L := cfg.Length()
	t := &lmTask{cfg: cfg, need: int64(float64(L)*perToken*1.25) + 4096, perToken: perToken}
	var c int64
	for i, p := range paths {
		if starts := sizes[i] - t.need + 1; starts > 0 {
			c += starts
			t.paths = append(t.paths, p)
			t.cum = append(t.cum, c)
		}
	}
	if len(t.paths) == 0 {
		return nil, badField("text_dir", "%s: no %s document is long enough for %d x %d = %d tokens (need about %d bytes at %.2f bytes per token; the longest, %s, has %d bytes)",
			cfg.TextDir, cfg.Split, cfg.Segments, cfg.SegmentSize, L, t.need, perToken, paths[big], sizes[big])
	}
	return t, nil
}

// bytesPerToken tokenizes the first block of path.
func bytesPerToken(path string, tok Tokenizer) (float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("data: text file: %w", err)
	}
	defer f.Close()
	buf := make([]byte, lmReadBlock)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.ErrUnexpectedEOF {
		return 0, fmt.Errorf("data: text file %s: %w", path, err)
	}
	ids, err := tok.Encode(string(buf[:n]))
	if err != nil {
		return 0, fmt.Errorf("data: tokenize %s: %w", path, err)
	}
	if len(ids) == 0 {
		return 0, fmt.Errorf("data: text file %s gives no tokens", path)
	}
	return float64(n) / float64(len(ids)), nil
}

func (t *lmTask) Config() TaskConfig { return t.cfg }

func (t *lmTask) SampleAt(i int) (Sample, error) {
	if i < 0 {
		return Sample{}, fmt.Errorf("data: sample index %d, want >= 0", i)
	}
	return t.Sample(SampleRNG(t.cfg.Seed, i))
}

func (t *lmTask) Sample(rng *rand.Rand) (Sample, error) {
	file, off := drawByte(rng, t.cum)
	path, L := t.paths[file], t.cfg.Length()
	ids, err := t.window(path, off, L)
	if err == nil && len(ids) < L && off > 0 {
		// The text was denser in tokens than estimated: take the
		// document's start instead.
		ids, err = t.window(path, 0, L)
	}
	if err != nil {
		return Sample{}, err
	}
	if len(ids) < L {
		return Sample{}, fmt.Errorf("data: text file %s has %d tokens, want at least %d x %d = %d", path, len(ids), t.cfg.Segments, t.cfg.SegmentSize, L)
	}
	s := Sample{IDs: ids[:L:L], LabelMask: make([]bool, L), AnswerStart: -1}
	for i := 1; i < L; i++ {
		s.LabelMask[i] = true
	}
	return s, nil
}

// window reads and tokenizes path from off (moved on to the next line
// break) until it has L tokens or the file ends.
func (t *lmTask) window(path string, off int64, L int) ([]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: text file: %w", err)
	}
	defer f.Close()
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		return nil, fmt.Errorf("data: text file %s: %w", path, err)
	}
	r := bufio.NewReaderSize(f, lmReadBlock)
	if off > 0 {
		// Start after a line break if one is near, else after a space:
		// never inside a word or a UTF-8 sequence.
		head, _ := r.Peek(8 << 10)
		cut := bytes.IndexByte(head, '\n')
		if cut < 0 {
			cut = bytes.IndexByte(head, ' ')
		}
		if cut < 0 {
			return nil, nil
		}
		for cut+1 < len(head) && isSpace(head[cut+1]) {
			cut++
		}
		r.Discard(cut + 1)
	}
	ids := make([]int, 0, L)
	var carry []byte
	buf := make([]byte, lmReadBlock)
	for len(ids) < L {
		// Read about what the missing tokens take, not a whole block.
		want := min(len(buf), int(float64(L-len(ids))*t.perToken*1.1)+256)
		n, rerr := io.ReadFull(r, buf[:want])
		text := append(carry, buf[:n]...)
		eof := rerr == io.EOF || rerr == io.ErrUnexpectedEOF
		if rerr != nil && !eof {
			return nil, fmt.Errorf("data: text file %s: %w", path, rerr)
		}
		// Tokenize up to the last white space; the rest joins the next
		// block so that no word is split between two Encode calls.
		cut := len(text)
		if !eof {
			if i := bytes.LastIndexAny(text, " \n"); i > 0 {
				cut = i
			}
		}
		more, err := t.cfg.Tokenizer.Encode(string(text[:cut]))
		if err != nil {
			return nil, fmt.Errorf("data: tokenize %s: %w", path, err)
		}
		ids = append(ids, more...)
		carry = append(carry[:0:0], text[cut:]...)
		if eof {
			break
		}
	}
	return ids, nil
}
