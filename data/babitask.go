package data

import (
	"fmt"
	"math/rand/v2"
	"slices"
)

// The babi task follows the BABILong construction (Kuratov et al. 2024,
// arXiv:2406.10149): for one question of a bAbI story, every statement of
// the story before it is inserted, in order, at random sentence boundaries
// of the noise; the question, answer marker, answer and EOS close the
// sample.

// babiSet is the usable questions of one bAbI task file.
type babiSet struct {
	task int
	file string
	qs   []babiQ
}

// babiQ is one question prepared for sampling. Question and answer texts
// are keys of qaTask.ids.
type babiQ struct {
	facts    [][]int // token ids of the statements before the question
	supports []int   // indexes into facts
	question string
	answer   string
	factLen  int // total tokens of facts
}

// initBabi reads the bAbI files and keeps the questions whose story and
// question fit in n*S tokens with the question in the last segment.
func (t *qaTask) initBabi() error {
	cfg := t.cfg
	if cfg.BabiDir == "" {
		return fmt.Errorf("data: task babi needs --babi-dir (a directory of bAbI qaN_*_train.txt files)")
	}
	tasks := cfg.BabiTasks
	if len(tasks) == 0 {
		tasks = []int{1}
		t.cfg.BabiTasks = tasks
	}
	if _, err := t.encode(markerKey); err != nil {
		return err
	}
	L, S := cfg.Length(), cfg.SegmentSize
	for _, n := range tasks {
		if n < 1 || n > 5 {
			return fmt.Errorf("data: --babi-task %d, want 1 to 5 (qa1-qa5)", n)
		}
		file, err := BabiFile(cfg.BabiDir, n, cfg.Split)
		if err != nil {
			return err
		}
		stories, err := ReadBabiFile(file)
		if err != nil {
			return err
		}
		set := babiSet{task: n, file: file}
		total, shortest, shortestTail := 0, -1, -1
		for _, st := range stories {
			// Statement ids are shared by the questions of the story.
			var factIDs [][]int
			for _, q := range st.Questions() {
				total++
				for len(factIDs) < len(q.Facts) {
					ids, err := t.encode(q.Facts[len(factIDs)])
					if err != nil {
						return fmt.Errorf("data: bAbI file %s: %w", file, err)
					}
					factIDs = append(factIDs, ids)
				}
				if _, err := t.encode(q.Question); err != nil {
					return err
				}
				if _, err := t.encode(q.Answer); err != nil {
					return err
				}
				bq := babiQ{facts: factIDs[:len(q.Facts):len(q.Facts)], supports: q.Supports, question: q.Question, answer: q.Answer}
				for _, f := range bq.facts {
					bq.factLen += len(f)
				}
				tail := t.tailLen(q.Question, q.Answer)
				if need := bq.factLen + tail; shortest < 0 || need < shortest {
					shortest, shortestTail = need, tail
				}
				if tail <= S && bq.factLen+tail <= L {
					set.qs = append(set.qs, bq)
				}
			}
		}
		if total == 0 {
			return fmt.Errorf("data: bAbI file %s has no questions", file)
		}
		if len(set.qs) == 0 {
			if shortestTail > S {
				return fmt.Errorf("data: --segment-size %d cannot hold a qa%d question, marker, answer and EOS (%d tokens); raise --segment-size", S, n, shortestTail)
			}
			return fmt.Errorf("data: no qa%d question of %s fits in %d x %d = %d tokens (the shortest story and question need %d); raise --segments or --segment-size",
				n, file, cfg.Segments, S, L, shortest)
		}
		t.babi = append(t.babi, set)
	}
	t.draw = t.drawBabi
	return nil
}

func (t *qaTask) drawBabi(rng *rand.Rand, b *builder) (Sample, error) {
	set := t.babi[rng.IntN(len(t.babi))]
	q := set.qs[rng.IntN(len(set.qs))]
	H := b.L - t.tailLen(q.question, q.answer)
	noise, starts, err := b.noise.fill(make([]int, 0, H), H-q.factLen)
	if err != nil {
		return Sample{}, err
	}
	// Facts go in at sentence boundaries of the noise: where a whole
	// sentence starts, or at its end. Several may share a boundary.
	bounds := append(starts, len(noise))
	at := make([]int, len(q.facts))
	for i := range at {
		at[i] = bounds[rng.IntN(len(bounds))]
	}
	slices.Sort(at)
	ids := make([]int, 0, b.L)
	spans := make([]Span, len(q.facts))
	prev := 0
	for i, f := range q.facts {
		ids = append(ids, noise[prev:at[i]]...)
		prev = at[i]
		spans[i] = Span{len(ids), len(ids) + len(f)}
		ids = append(ids, f...)
	}
	ids = append(ids, noise[prev:]...)
	return b.finish(t, ids, spans, q.supports, q.question, q.answer)
}
