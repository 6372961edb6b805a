package data

import "math/rand/v2"

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
	paths, sizes, err := SplitFiles(dir, split, evalEvery, "noise_dir")
	if err != nil {
		return nil, err
	}
	return &SentenceSampler{dir: dir, paths: paths, sizes: sizes}, nil
}

// Files returns the books the sampler draws from.
func (s *SentenceSampler) Files() []string { return s.paths }

// Open implements Noise: every book, the first included, from a random
// byte of a book drawn uniformly.
func (s *SentenceSampler) Open(rng *rand.Rand) SentenceReader {
	return &fileSentences{
		dir: s.dir, rng: rng,
		pick: func(rng *rand.Rand) (string, int64) {
			i := rng.IntN(len(s.paths))
			return s.paths[i], rng.Int64N(s.sizes[i])
		},
		keep:  func(b []byte) bool { return len(b) > 0 && !(s.Filter && MentionsTaskWord(string(b))) },
		empty: "books in a row gave no usable sentence",
	}
}
