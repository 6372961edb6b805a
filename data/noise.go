package data

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Splits of the data. Training, validation and evaluation draw noise and
// documents from different files of a directory (see SplitFiles), so that
// neither training nor the validation that picks a checkpoint ever reads
// an evaluation book.
const (
	SplitTrain = "train"
	SplitValid = "validation"
	SplitEval  = "eval"
)

// Splits are the split names, in order, a fresh slice each call.
func Splits() []string { return []string{SplitTrain, SplitValid, SplitEval} }

// SplitOf is the split of the i-th file (sorted by name) of a directory
// under rule evalEvery (0: DefaultEvalEvery): of every k files the k-th is
// eval and the (k-1)-th validation, the rest train; with k < 3 there is no
// validation file. A negative evalEvery puts every file in every split.
func SplitOf(i, evalEvery int) string {
	k := evalEvery
	if k == 0 {
		k = DefaultEvalEvery
	}
	switch {
	case k < 0:
		return ""
	case i%k == k-1:
		return SplitEval
	case k >= 3 && i%k == k-2:
		return SplitValid
	}
	return SplitTrain
}

// DefaultEvalEvery is the default split rule: every 5th file is eval.
const DefaultEvalEvery = 5

// SplitFiles lists the non-empty .txt files of dir that belong to split,
// with their sizes. The rule (SplitOf): files sorted by name, the k-th,
// 2k-th, ... (k = evalEvery) are eval, the file before each of them
// validation, and the rest train. evalEvery 0 means
// DefaultEvalEvery; a negative evalEvery means no split (both use every
// file, for when train and eval text live in different directories). f
// names the option in errors, as a config field ("noise_dir").
func SplitFiles(dir, split string, evalEvery int, f string) ([]string, []int64, error) {
	if dir == "" {
		return nil, nil, badField(f, "is empty, want a directory of .txt files")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, wrapField(f, "", err)
	}
	var all []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".txt") {
			all = append(all, e.Name())
		}
	}
	sort.Strings(all)
	var paths []string
	var sizes []int64
	for _, name := range all {
		p := filepath.Join(dir, name)
		fi, err := os.Stat(p) // follows links: a dangling one is an error
		if err != nil {
			return nil, nil, wrapField(f, "", err)
		}
		if !fi.Mode().IsRegular() || fi.Size() == 0 {
			continue
		}
		if err := checkText(p, fi.Size(), f); err != nil {
			return nil, nil, err
		}
		paths = append(paths, p)
		sizes = append(sizes, fi.Size())
	}
	if len(paths) == 0 {
		return nil, nil, badField(f, "%s has no non-empty .txt files", dir)
	}
	k := evalEvery
	if k == 0 {
		k = DefaultEvalEvery
	}
	if k < 0 {
		return paths, sizes, nil
	}
	if split != SplitTrain && split != SplitValid && split != SplitEval {
		return nil, nil, fmt.Errorf("data: split %q, want %q, %q or %q", split, SplitTrain, SplitValid, SplitEval)
	}
	var ps []string
	var ss []int64
	for i := range paths {
		if SplitOf(i, k) == split {
			ps = append(ps, paths[i])
			ss = append(ss, sizes[i])
		}
	}
	if len(ps) == 0 {
		return nil, nil, &EmptySplitError{Field: f, Dir: dir, Split: split, Files: len(paths), Every: k}
	}
	return ps, ss, nil
}

// EmptySplitError is a folder with too few files for one of its splits.
// Training then validates on every file, with a warning; eval sample
// takes --eval-every -1 to share every file between the splits. Field is
// the folder's option (noise_dir, text_dir).
type EmptySplitError struct {
	Field, Dir, Split string
	Files, Every      int
}

func (e *EmptySplitError) Error() string { return "data: " + e.Unwrap().Error() }

// Unwrap is the error as a *field.Error, for a command to rename its
// fields to flags.
func (e *EmptySplitError) Unwrap() error {
	return optErr(e.Field, "%s: the %s split is empty (%d .txt files; of every %d the last is eval, the one before validation); add files, or give eval sample {eval_every} -1 to share every file", e.Dir, e.Split, e.Files, e.Every)
}

// Noise is a source of background sentences.
type Noise interface {
	// Open starts a run of sentences at a place chosen with rng. The run
	// is deterministic given rng's state and never ends.
	Open(rng *rand.Rand) SentenceReader
}

// SentenceReader yields background sentences, single-spaced and trimmed.
type SentenceReader interface {
	Next() (string, error)
	Close() error
}

// BookNoise streams sentences from a directory of .txt files. A run starts
// in a file drawn with probability proportional to its size, at a uniform
// byte offset, skips to the next sentence boundary, and reads on; at the end
// of a file it continues at the start of another drawn file. Only the bytes
// a sample needs are read (in blocks of 32 KiB), so a corpus of gigabytes is
// never loaded. Sentences that mention a task word are dropped.
type BookNoise struct {
	dir   string
	paths []string
	cum   []int64 // cumulative sizes, for the size-weighted draw
}

// NewBookNoise returns the noise of the split's files in dir (SplitFiles).
func NewBookNoise(dir, split string, evalEvery int) (*BookNoise, error) {
	paths, sizes, err := SplitFiles(dir, split, evalEvery, "noise_dir")
	if err != nil {
		return nil, err
	}
	b := &BookNoise{dir: dir, paths: paths, cum: make([]int64, len(sizes))}
	var c int64
	for i, s := range sizes {
		c += s
		b.cum[i] = c
	}
	return b, nil
}

// checkLength makes sure that the files hold at least one sample's worth of
// text: noise that has to repeat itself within a sample is no background.
func (b *BookNoise) checkLength(cfg TaskConfig) error {
	total, big := b.cum[len(b.cum)-1], 0
	for i := range b.cum {
		if b.size(i) > b.size(big) {
			big = i
		}
	}
	perToken, err := bytesPerToken(b.paths[big], cfg.Tokenizer)
	if err != nil {
		return err
	}
	if need := int64(float64(cfg.Length()) * perToken); total < need {
		return badField("noise_dir", "%s: the %s files hold %d bytes, less than one sample of %d x %d = %d tokens needs (about %d bytes at %.2f bytes per token); add text or shorten the sample",
			b.dir, cfg.Split, total, cfg.Segments, cfg.SegmentSize, cfg.Length(), need, perToken)
	}
	return nil
}

func (b *BookNoise) size(i int) int64 {
	if i == 0 {
		return b.cum[0]
	}
	return b.cum[i] - b.cum[i-1]
}

// Files returns the files the noise draws from.
func (b *BookNoise) Files() []string { return b.paths }

// drawByte picks a file by size and a byte offset in it.
func drawByte(rng *rand.Rand, cum []int64) (file int, offset int64) {
	x := rng.Int64N(cum[len(cum)-1])
	file = sort.Search(len(cum), func(i int) bool { return cum[i] > x })
	if file > 0 {
		x -= cum[file-1]
	}
	return file, x
}

// Open implements Noise: the first book at a random byte, drawn by size,
// later books from their start.
func (b *BookNoise) Open(rng *rand.Rand) SentenceReader {
	started := false
	return &fileSentences{
		dir: b.dir, rng: rng,
		pick: func(rng *rand.Rand) (string, int64) {
			file, off := drawByte(rng, b.cum)
			if started {
				off = 0
			}
			started = true
			return b.paths[file], off
		},
		keep:  func(s []byte) bool { return hasLetter(s) && !MentionsTaskWord(string(s)) },
		empty: "files in a row gave no usable sentence (every sentence names a task entity, or there is no text)",
	}
}

// maxEmptyFiles bounds how many files in a row may yield no usable sentence
// before a reader gives up (a corpus of nothing but task words, or of text
// without sentences).
const maxEmptyFiles = 1000

// fileSentences reads sentences from one book file after another: pick
// chooses each file and the byte to start at (the rest of the sentence it
// lands in is dropped), keep which sentences count. BookNoise and
// SentenceSampler differ only in those two.
type fileSentences struct {
	dir   string
	rng   *rand.Rand
	pick  func(*rand.Rand) (path string, off int64)
	keep  func(sentence []byte) bool
	empty string // the error's words when maxEmptyFiles files in a row gave nothing

	f      *os.File
	sc     *bufio.Scanner
	name   string
	misses int // files in a row without a kept sentence
	got    bool
	norm   []byte
}

func (r *fileSentences) open() error {
	r.closeFile()
	name, off := r.pick(r.rng)
	r.name = name
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("data: noise file: %w", err)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("data: noise file %s: %w", name, err)
	}
	r.f, r.got = f, false
	r.sc = bufio.NewScanner(f)
	r.sc.Buffer(make([]byte, 0, 32<<10), 1<<20)
	r.sc.Split(ScanSentences)
	if off > 0 {
		r.sc.Scan() // the rest of the sentence we landed in
	}
	return nil
}

// Next implements SentenceReader.
func (r *fileSentences) Next() (string, error) {
	for {
		if r.sc == nil {
			if err := r.open(); err != nil {
				return "", err
			}
		}
		if !r.sc.Scan() {
			if err := r.sc.Err(); err != nil {
				return "", fmt.Errorf("data: noise file %s: %w", r.name, err)
			}
			if !r.got {
				if r.misses++; r.misses >= maxEmptyFiles {
					return "", badField("noise_dir", "%s: %d %s", r.dir, r.misses, r.empty)
				}
			}
			r.sc = nil
			continue
		}
		r.norm = normalizeSpace(r.norm[:0], r.sc.Bytes())
		if !r.keep(r.norm) {
			continue
		}
		r.got, r.misses = true, 0
		return string(r.norm), nil
	}
}

func (r *fileSentences) closeFile() {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
}

// Close implements SentenceReader.
func (r *fileSentences) Close() error {
	r.closeFile()
	r.sc = nil
	return nil
}

// maxSentenceBytes cuts run-on text (tables of contents, verse without full
// stops) into pieces at a space so that no "sentence" fills a segment.
const maxSentenceBytes = 2048

// ScanSentences is a bufio.SplitFunc that splits English prose into
// sentences: after '.', '!' or '?' (and any closing quotes or brackets)
// followed by white space, and at blank lines (paragraph ends; single line
// breaks are hard wrapping and do not end a sentence). A full stop after a
// title (Mr., Mrs., Dr., ...) or an initial ("J. Smith") does not end one.
// Tokens keep their inner white space; normalize before use.
func ScanSentences(data []byte, atEOF bool) (advance int, token []byte, err error) {
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '.', '!', '?':
			j := i + 1
			for j < len(data) {
				if n := closerLen(data[j:]); n > 0 {
					j += n
					continue
				}
				break
			}
			if j >= len(data)-2 && !atEOF {
				return 0, nil, nil // a closer may be cut in the buffer
			}
			if j < len(data) && !isSpace(data[j]) {
				continue
			}
			if c == '.' && isAbbrev(data[:i]) {
				continue
			}
			return j, data[:j], nil
		case '\n':
			j := i + 1
			for j < len(data) && (data[j] == ' ' || data[j] == '\t' || data[j] == '\r') {
				j++
			}
			if j == len(data) && !atEOF {
				return 0, nil, nil
			}
			if j == len(data) || data[j] == '\n' {
				return j, data[:i], nil
			}
		}
		if i >= maxSentenceBytes {
			cut := bytes.LastIndexByte(data[:i], ' ')
			if cut <= 0 {
				cut = i
			}
			return cut + 1, data[:cut], nil
		}
	}
	if atEOF && len(data) > 0 {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// closerLen is the length of a closing quote or bracket at b's start.
func closerLen(b []byte) int {
	switch {
	case len(b) == 0:
		return 0
	case b[0] == '"' || b[0] == '\'' || b[0] == ')' || b[0] == ']':
		return 1
	case bytes.HasPrefix(b, []byte("\u201d")) || bytes.HasPrefix(b, []byte("\u2019")): // ” ’
		return 3
	}
	return 0
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

var abbrevs = map[string]bool{
	"Mr": true, "Mrs": true, "Ms": true, "Dr": true, "St": true, "Rev": true,
	"Col": true, "Capt": true, "Gen": true, "Lt": true, "Sgt": true, "Prof": true,
	"Hon": true, "Messrs": true, "Mme": true, "Mlle": true, "Jr": true, "Sr": true,
}

// isAbbrev reports whether text ends in a title or a single capital.
func isAbbrev(text []byte) bool {
	k := len(text)
	for k > 0 && isLetter(text[k-1]) {
		k--
	}
	w := text[k:]
	if len(w) == 1 && w[0] >= 'A' && w[0] <= 'Z' {
		return true
	}
	return abbrevs[string(w)]
}

// normalizeSpace appends src to dst with every run of white space made one
// space and the ends trimmed.
func normalizeSpace(dst, src []byte) []byte {
	space := false
	for _, c := range src {
		if isSpace(c) {
			space = true
			continue
		}
		if space && len(dst) > 0 {
			dst = append(dst, ' ')
		}
		space = false
		dst = append(dst, c)
	}
	return dst
}

func hasLetter(b []byte) bool {
	for _, c := range b {
		if isLetter(c) || c >= 0x80 {
			return true
		}
	}
	return false
}
