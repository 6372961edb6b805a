package data

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
)

// SentenceSampler is BABILong's background (SentenceSampler of the
// benchmark's generator, Kuratov et al. 2024): sentences in book order from
// a random position of a random book, moving on to a random position of
// another random book when one runs out. Books are drawn uniformly, not by
// size, and no sentence is dropped for what it says: a novel's "Mary went
// into the garden" stays, as it does in the benchmark. The benchmark's other
// rule, that sentences under 10 GPT-2 tokens are skipped, needs a tokenizer
// and is applied where samples are counted (BabilongTask).
type SentenceSampler struct {
	dir   string
	paths []string
	sizes []int64
	// Filter drops sentences that name a task entity (MentionsTaskWord),
	// as BookNoise does; off for BABILong, an option for training.
	Filter bool
}

// NewSentenceSampler samples the split's books of dir (SplitFiles).
func NewSentenceSampler(dir, split string, evalEvery int) (*SentenceSampler, error) {
	paths, sizes, err := SplitFiles(dir, split, evalEvery, "--noise-dir")
	if err != nil {
		return nil, err
	}
	return &SentenceSampler{dir: dir, paths: paths, sizes: sizes}, nil
}

// Files returns the books the sampler draws from.
func (s *SentenceSampler) Files() []string { return s.paths }

// Open implements Noise.
func (s *SentenceSampler) Open(rng *rand.Rand) SentenceReader {
	return &samplerReader{s: s, rng: rng}
}

type samplerReader struct {
	s     *SentenceSampler
	rng   *rand.Rand
	f     *os.File
	sc    *bufio.Scanner
	name  string
	empty int // books in a row without a usable sentence
	got   bool
	norm  []byte
}

// open starts a random book at a random byte and drops the rest of the
// sentence it lands in.
func (r *samplerReader) open() error {
	r.Close()
	i := r.rng.IntN(len(r.s.paths))
	off := r.rng.Int64N(r.s.sizes[i])
	r.name = r.s.paths[i]
	f, err := os.Open(r.name)
	if err != nil {
		return fmt.Errorf("data: noise file: %w", err)
	}
	if _, err := f.Seek(off, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("data: noise file %s: %w", r.name, err)
	}
	r.f, r.got = f, false
	r.sc = bufio.NewScanner(f)
	r.sc.Buffer(make([]byte, 0, 32<<10), 1<<20)
	r.sc.Split(ScanSentences)
	if off > 0 {
		r.sc.Scan()
	}
	return nil
}

// Next implements SentenceReader.
func (r *samplerReader) Next() (string, error) {
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
				if r.empty++; r.empty >= maxEmptyFiles {
					return "", fmt.Errorf("data: --noise-dir %s: %d books in a row gave no usable sentence", r.s.dir, r.empty)
				}
			}
			r.sc = nil
			continue
		}
		r.norm = normalizeSpace(r.norm[:0], r.sc.Bytes())
		if len(r.norm) == 0 || (r.s.Filter && MentionsTaskWord(string(r.norm))) {
			continue
		}
		r.got, r.empty = true, 0
		return string(r.norm), nil
	}
}

// Close implements SentenceReader.
func (r *samplerReader) Close() error {
	if r.f != nil {
		r.f.Close()
		r.f = nil
	}
	r.sc = nil
	return nil
}
