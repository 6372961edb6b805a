package data

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// The bAbI text format (Weston et al. 2015, arXiv:1502.05698):
//
//	1 Mary moved to the bathroom.
//	2 John went to the hallway.
//	3 Where is Mary? <TAB>bathroom<TAB>1
//
// Every line starts with its number in the story; a number that resets to 1
// starts a new story. A question line carries the answer and the ids of the
// supporting statements after tabs.

// BabiLine is one line of a bAbI story.
type BabiLine struct {
	ID       int    // line number within the story, from 1
	Text     string // statement or question, trimmed
	Question bool
	Answer   string // questions only
	Supports []int  // questions only: ids of earlier statements of the story
}

// BabiStory is a run of lines numbered from 1.
type BabiStory struct {
	Lines []BabiLine
}

// BabiQuestion is one question with the story before it, as the BABILong
// construction uses it: every statement of the story up to the question (the
// earlier questions left out), the question, and its answer.
type BabiQuestion struct {
	Facts    []string // statements in story order
	Question string
	Answer   string
	Supports []int // indexes into Facts of the supporting statements
}

// Questions returns the questions of the story, each with its statements.
func (s BabiStory) Questions() []BabiQuestion {
	var qs []BabiQuestion
	var facts []string
	index := map[int]int{} // line id -> index into facts
	for _, l := range s.Lines {
		if !l.Question {
			index[l.ID] = len(facts)
			facts = append(facts, l.Text)
			continue
		}
		q := BabiQuestion{Facts: facts[:len(facts):len(facts)], Question: l.Text, Answer: l.Answer}
		for _, id := range l.Supports {
			q.Supports = append(q.Supports, index[id])
		}
		qs = append(qs, q)
	}
	return qs
}

// ParseBabi reads bAbI stories from r; name is used in errors. Malformed
// lines (a missing or non-increasing number, a question without answer or
// supporting ids, a supporting id that is not an earlier statement of the
// story) are errors naming the file and line.
func ParseBabi(r io.Reader, name string) ([]BabiStory, error) {
	var stories []BabiStory
	var cur *BabiStory
	isStatement := map[int]bool{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		raw := strings.TrimRight(sc.Text(), "\r\n")
		if strings.TrimSpace(raw) == "" {
			continue
		}
		bad := func(format string, args ...any) error {
			return fmt.Errorf("data: bAbI file %s line %d: %s (got %q)", name, lineNo, fmt.Sprintf(format, args...), raw)
		}
		numStr, rest, ok := strings.Cut(raw, " ")
		if !ok {
			return nil, bad("want \"ID text\"")
		}
		id, err := strconv.Atoi(numStr)
		if err != nil || id < 1 {
			return nil, bad("line id %q is not a positive integer", numStr)
		}
		switch {
		case id == 1:
			stories = append(stories, BabiStory{})
			cur = &stories[len(stories)-1]
			clear(isStatement)
		case cur == nil:
			return nil, bad("first line id is %d, want 1", id)
		case id != cur.Lines[len(cur.Lines)-1].ID+1:
			return nil, bad("line id %d follows %d, want %d or 1 (a new story)", id, cur.Lines[len(cur.Lines)-1].ID, cur.Lines[len(cur.Lines)-1].ID+1)
		}
		line := BabiLine{ID: id}
		fields := strings.Split(rest, "\t")
		switch len(fields) {
		case 1:
			line.Text = strings.TrimSpace(fields[0])
			isStatement[id] = true
		case 3:
			line.Question = true
			line.Text = strings.TrimSpace(fields[0])
			line.Answer = strings.TrimSpace(fields[1])
			if line.Answer == "" {
				return nil, bad("question has an empty answer")
			}
			for _, f := range strings.Fields(fields[2]) {
				sid, err := strconv.Atoi(f)
				if err != nil {
					return nil, bad("supporting fact id %q is not an integer", f)
				}
				if sid >= id || !isStatement[sid] {
					return nil, bad("supporting fact id %d is not an earlier statement of the story", sid)
				}
				line.Supports = append(line.Supports, sid)
			}
			if len(line.Supports) == 0 {
				return nil, bad("question has no supporting fact ids")
			}
		default:
			return nil, bad("%d tab-separated fields, want 1 (statement) or 3 (question, answer, supporting ids)", len(fields))
		}
		if line.Text == "" {
			return nil, bad("empty text")
		}
		cur.Lines = append(cur.Lines, line)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("data: bAbI file %s line %d: %w", name, lineNo+1, err)
	}
	return stories, nil
}

// ReadBabiFile parses one bAbI file.
func ReadBabiFile(path string) ([]BabiStory, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("data: bAbI file: %w", err)
	}
	defer f.Close()
	return ParseBabi(f, path)
}

// BabiFile finds the file of bAbI task qaN in dir for a split: for "train"
// qaN_*_train.txt; for "eval" qaN_*_test.txt, or qaN_*_train.txt when the
// directory has no test file (as ../shared/corpus/babi-train). The eval
// noise still comes from other files than the training noise.
func BabiFile(dir string, task int, split string) (string, error) {
	want := []string{"train"}
	if split == SplitEval {
		want = []string{"test", "train"}
	}
	for _, w := range want {
		m, err := filepath.Glob(filepath.Join(dir, fmt.Sprintf("qa%d_*_%s.txt", task, w)))
		if err != nil {
			return "", fmt.Errorf("data: --babi-dir %s: %w", dir, err)
		}
		if len(m) > 1 {
			return "", fmt.Errorf("data: --babi-dir %s: %d files match qa%d_*_%s.txt, want one", dir, len(m), task, w)
		}
		if len(m) == 1 {
			return m[0], nil
		}
	}
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("data: --babi-dir: %w", err)
	}
	return "", fmt.Errorf("data: --babi-dir %s has no qa%d_*_%s.txt file", dir, task, want[0])
}

// ParseBabiTasks parses a list of bAbI task numbers such as "1" or "1,2,5";
// only qa1-qa5 are supported (their entities are in TaskWords).
func ParseBabiTasks(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimPrefix(strings.TrimSpace(f), "qa")
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("data: --babi-task %q: want task numbers such as 1 or 1,2,5", s)
		}
		if n < 1 || n > 5 {
			return nil, fmt.Errorf("data: --babi-task %d: want 1 to 5 (qa1-qa5)", n)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}
