package data

import (
	"fmt"
	"math/rand/v2"
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
	// total counts the questions of the stories, those too long for the
	// sample included.
	total int
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

// initBabi reads the stories of the bAbI files (cfg.BabiStories) and keeps
// the questions whose story and question fit in a sample with the question
// in the last segment; a story-only task keeps them all.
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
	share := cfg.BabiStories
	if share == "" {
		share = BabiTrain
		if cfg.Split == SplitEval || cfg.Split == SplitValid {
			share = BabiValid
		}
		t.cfg.BabiStories = share
	}
	if _, err := t.encode(markerKey); err != nil {
		return err
	}
	L, S := cfg.Length(), cfg.SegmentSize
	for _, n := range tasks {
		if n < 1 || n > MaxBabiTask {
			return fmt.Errorf("data: --babi-task %d, want 1 to %d (qa1-qa%d)", n, MaxBabiTask, MaxBabiTask)
		}
		stories, file, err := ReadBabiShare(cfg.BabiDir, n, share)
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
				if room := cfg.AnswerRoom; room > 0 && !cfg.StoryOnly {
					if a := t.answerLen(q.Answer); a > room {
						return fmt.Errorf("data: answer_room %d is shorter than the answer %q of %s (%d tokens with EOS)", room, q.Answer, file, a)
					}
					tail += room - t.answerLen(q.Answer) // the padding after the answer
				}
				fits := tail <= S && bq.factLen+tail <= L
				if fits || (cfg.StoryOnly && !cfg.StoryFit) {
					set.qs = append(set.qs, bq)
				}
			}
		}
		if total == 0 {
			return fmt.Errorf("data: bAbI file %s has no questions in its %s stories", file, share)
		}
		if len(set.qs) == 0 && len(tasks) > 1 {
			// Several tasks (training, validation): one whose stories are
			// all longer than these samples joins at a longer stage.
			t.babiSkipped = append(t.babiSkipped, n)
			continue
		}
		if len(set.qs) == 0 {
			if shortestTail > S {
				return fmt.Errorf("data: --segment-size %d cannot hold a qa%d question, marker, answer and EOS (%d tokens); raise --segment-size", S, n, shortestTail)
			}
			length := fmt.Sprintf("%d x %d = %d tokens", cfg.Segments, S, L)
			if cfg.Tokens > 0 {
				length = fmt.Sprintf("%d tokens", L)
			}
			return fmt.Errorf("data: no qa%d question of %s fits in %s (the shortest story and question need %d); raise the sample's length",
				n, file, length, shortest)
		}
		set.total = total
		t.babi = append(t.babi, set)
	}
	if len(t.babi) == 0 {
		return fmt.Errorf("data: no question of bAbI tasks %v fits in %d tokens; raise the sample's length", tasks, L)
	}
	t.lay = t.layBabi
	return nil
}

// answerLen is the answer's tokens and its EOS: what follows the marker.
func (t *qaTask) answerLen(answer string) int {
	n := len(t.ids[answer])
	if t.cfg.Tokenizer.EOS() >= 0 {
		n++
	}
	return n
}

// BabiSkipped is the bAbI tasks of a babi task of several that have no
// question short enough for its samples, so no sample draws from them.
func BabiSkipped(t Task) []int {
	if q, ok := t.(*qaTask); ok {
		return q.babiSkipped
	}
	return nil
}

// layBabi draws a task, one of its questions, and places the statements
// before the question in order at uniform positions of the haystack. The
// noise run before each statement is filled to end with a whole sentence
// (noiseTokens.fill cuts a sentence at its front), so every statement
// starts at a sentence boundary, and the question follows the haystack.
func (t *qaTask) layBabi(rng *rand.Rand) (layout, error) {
	set := t.babi[rng.IntN(len(t.babi))]
	q := set.qs[rng.IntN(len(set.qs))]
	tail := t.tailLen(q.question, q.answer)
	l := layout{supporting: q.supports, question: q.question, answer: q.answer}
	H := t.cfg.Length() - tail
	switch {
	case t.cfg.StoryOnly:
		H = q.factLen
		l.length = q.factLen + tail
	case t.cfg.AnswerRoom > 0:
		l.length = t.cfg.Length() - (t.cfg.AnswerRoom - t.answerLen(q.answer))
		H = l.length - tail
	case t.cfg.RaggedEnd:
		// Keep the segment count: end in the last segment, and keep room
		// for the story.
		L := t.cfg.Length()
		shortest := max(L-t.cfg.SegmentSize+1, q.factLen+tail)
		l.length = shortest + rng.IntN(L-shortest+1)
		H = l.length - tail
	}
	lens := make([]int, len(q.facts))
	for i, f := range q.facts {
		lens[i] = len(f)
	}
	pos := placeIn(rng, Span{0, H}, lens...)
	l.facts = make([]placed, len(q.facts))
	for i, f := range q.facts {
		l.facts[i] = placed{pos[i], f}
	}
	return l, nil
}

// BabiQuestions reports, per bAbI task of a babi task, how many questions
// its stories have and how many of them fit in its samples.
func BabiQuestions(t Task) (tasks, total, usable []int) {
	q, ok := t.(*qaTask)
	if !ok {
		return nil, nil, nil
	}
	for _, s := range q.babi {
		tasks, total, usable = append(tasks, s.task), append(total, s.total), append(usable, len(s.qs))
	}
	return tasks, total, usable
}

// BabiLongest is the length of the longest sample of a story-only babi
// task (its longest story and question), 0 for other tasks.
func BabiLongest(t Task) int {
	q, ok := t.(*qaTask)
	if !ok || !q.cfg.StoryOnly {
		return 0
	}
	longest := 0
	for _, s := range q.babi {
		for _, x := range s.qs {
			longest = max(longest, x.factLen+q.tailLen(x.question, x.answer))
		}
	}
	return longest
}
