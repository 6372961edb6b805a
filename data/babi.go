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
			if strings.HasSuffix(line.Text, "?") {
				return nil, bad("a question without its answer and supporting ids; want \"ID question?<TAB>answer<TAB>ids\"")
			}
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

// Which stories of the bAbI files a task draws from (TaskConfig.BabiStories).
// The training file qaN_*_train.txt is cut into three fixed shares by story
// index (BabiShare): training steps read only BabiTrain, validation during
// training only BabiValid, and BabiHoldout is read by neither, so that a
// folder without the test split can still be measured on stories no run saw
// (WriteBabiHoldout). BabiTest is the test file qaN_*_test.txt, which
// evaluation requires: it never falls back to the training file.
const (
	BabiTrain   = "train"
	BabiValid   = "valid"
	BabiHoldout = "holdout"
	BabiTest    = "test"
)

// BabiShareEvery is the cycle of the shares: of every 10 stories of a
// training file, the 9th (index 8 mod 10) is validation, the 10th held out.
const BabiShareEvery = 10

// BabiShare is the share of the training file that story k (0-based, in
// file order) belongs to.
func BabiShare(k int) string {
	switch k % BabiShareEvery {
	case BabiShareEvery - 2:
		return BabiValid
	case BabiShareEvery - 1:
		return BabiHoldout
	}
	return BabiTrain
}

// BabiFile finds the file of bAbI task qaN: qaN_*_test.txt when test is
// true, else qaN_*_train.txt. dir is a folder or a list of folders joined by
// the OS list separator (':' on Unix), searched in order; the first that has
// the task's file gives it (so qa1 may come from a 10k folder and qa3 from a
// 1k folder). A folder list without the file is an error naming it.
func BabiFile(dir string, task int, test bool) (string, error) {
	kind := "train"
	if test {
		kind = "test"
	}
	dirs := filepath.SplitList(dir)
	if len(dirs) == 0 {
		return "", badField("babi_dir", "is empty, want a folder of bAbI qaN_*_%s.txt files", kind)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); err != nil {
			return "", wrapField("babi_dir", "", err)
		}
		m, err := filepath.Glob(filepath.Join(d, fmt.Sprintf("qa%d_*_%s.txt", task, kind)))
		if err != nil {
			return "", wrapField("babi_dir", d, err)
		}
		if len(m) > 1 {
			return "", badField("babi_dir", "%s: %d files match qa%d_*_%s.txt, want one", d, len(m), task, kind)
		}
		if len(m) == 1 {
			return m[0], nil
		}
	}
	if test {
		return "", badField("babi_dir", "%s has no qa%d_*_test.txt file; evaluation reads the bAbI test split only, never the training stories (for a folder without it, 'eval babi-holdout' writes the held-out training stories in test format)", dir, task)
	}
	return "", badField("babi_dir", "%s has no qa%d_*_train.txt file", dir, task)
}

// ReadBabiShare reads the stories of task qaN that share names (BabiTrain,
// BabiValid, BabiHoldout: that share of the training file; BabiTest: the
// whole test file) and the file they come from.
func ReadBabiShare(dir string, task int, share string) ([]BabiStory, string, error) {
	switch share {
	case BabiTrain, BabiValid, BabiHoldout, BabiTest:
	default:
		return nil, "", fmt.Errorf("data: bAbI stories %q, want %s, %s, %s or %s", share, BabiTrain, BabiValid, BabiHoldout, BabiTest)
	}
	file, err := BabiFile(dir, task, share == BabiTest)
	if err != nil {
		return nil, "", err
	}
	stories, err := ReadBabiFile(file)
	if err != nil || share == BabiTest {
		return stories, file, err
	}
	var out []BabiStory
	for k, st := range stories {
		if BabiShare(k) == share {
			out = append(out, st)
		}
	}
	return out, file, nil
}

// WriteBabi writes stories in the bAbI text format ParseBabi reads.
func WriteBabi(w io.Writer, stories []BabiStory) error {
	bw := bufio.NewWriter(w)
	for _, st := range stories {
		for _, l := range st.Lines {
			if !l.Question {
				fmt.Fprintf(bw, "%d %s\n", l.ID, l.Text)
				continue
			}
			ids := make([]string, len(l.Supports))
			for i, s := range l.Supports {
				ids[i] = strconv.Itoa(s)
			}
			fmt.Fprintf(bw, "%d %s\t%s\t%s\n", l.ID, l.Text, l.Answer, strings.Join(ids, " "))
		}
	}
	return bw.Flush()
}

// WriteBabiHoldout writes the held-out share (BabiHoldout) of the training
// file of each task as out/qaN_<name>_test.txt, a folder evaluation reads as
// a test split: the stories of it were never drawn by training steps or by
// validation, and a held-out story that also occurs in the training share
// (bAbI files repeat stories; qa4 most) is dropped. It returns the files
// written and their question counts (WriteBabiHoldoutFiles says more).
func WriteBabiHoldout(dir string, tasks []int, out string) (files []string, questions []int, err error) {
	written, err := WriteBabiHoldoutFiles(dir, tasks, out, false)
	for _, f := range written {
		files, questions = append(files, f.Path), append(questions, f.Questions)
	}
	return files, questions, err
}

// BabiHoldoutFile is one file WriteBabiHoldoutFiles wrote.
type BabiHoldoutFile struct {
	Path      string
	Stories   int // written
	Questions int // of the stories written
	// Dropped is the held-out stories left out because the training
	// share holds the same story (every line equal), with their questions.
	Dropped          int
	DroppedQuestions int
}

// WriteBabiHoldoutFiles is WriteBabiHoldout; keepDuplicates writes every
// held-out story, those that also occur in the training share included,
// as the command did before it dropped them (the committed results were
// measured on such files).
func WriteBabiHoldoutFiles(dir string, tasks []int, out string, keepDuplicates bool) ([]BabiHoldoutFile, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, wrapField("out", "", err)
	}
	var written []BabiHoldoutFile
	for _, n := range tasks {
		stories, file, err := ReadBabiShare(dir, n, BabiHoldout)
		if err != nil {
			return nil, err
		}
		var f BabiHoldoutFile
		if !keepDuplicates {
			train, _, err := ReadBabiShare(dir, n, BabiTrain)
			if err != nil {
				return nil, err
			}
			seen := map[string]bool{}
			for _, st := range train {
				seen[storyKey(st)] = true
			}
			kept := stories[:0:0]
			for _, st := range stories {
				if seen[storyKey(st)] {
					f.Dropped++
					f.DroppedQuestions += len(st.Questions())
					continue
				}
				kept = append(kept, st)
			}
			stories = kept
		}
		for _, st := range stories {
			f.Questions += len(st.Questions())
		}
		f.Stories = len(stories)
		name := strings.TrimSuffix(filepath.Base(file), "_train.txt") + "_test.txt"
		f.Path = filepath.Join(out, name)
		var buf strings.Builder
		if err := WriteBabi(&buf, stories); err != nil {
			return nil, err
		}
		if err := os.WriteFile(f.Path, []byte(buf.String()), 0o644); err != nil {
			return nil, wrapField("out", "", err)
		}
		written = append(written, f)
	}
	return written, nil
}

// storyKey is a story's text in bAbI format: equal keys, equal stories.
func storyKey(st BabiStory) string {
	var b strings.Builder
	WriteBabi(&b, []BabiStory{st})
	return b.String()
}

// ParseBabiTasks parses a list of bAbI task numbers such as "1" or "1,2,5";
// tasks 1 to MaxBabiTask are accepted.
func ParseBabiTasks(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		f = strings.TrimPrefix(strings.TrimSpace(f), "qa")
		n, err := strconv.Atoi(f)
		if err != nil {
			return nil, fmt.Errorf("data: bAbI tasks %q: want task numbers such as 1 or 1,2,5", s)
		}
		if n < 1 || n > MaxBabiTask {
			return nil, fmt.Errorf("data: bAbI task %d: want 1 to %d (the bAbI tasks qa1-qa%d)", n, MaxBabiTask, MaxBabiTask)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}
