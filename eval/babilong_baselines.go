package eval

import (
	"fmt"
	"io"
	"strings"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/provenance"
)

// BabilongBaseline is how often a task's test questions are answered
// without a model, measured on every question of the test file (the
// background does not change them, so they hold at every length):
//
//   - question only: the answer given most often in the training share to
//     the same question text (ties to the first in sort order; a question
//     never asked in training gets the task's most frequent answer);
//   - last candidate: the last word of the story before the question that
//     is an answer of the training share, the question's own words left out.
//
// A model that has learned a task should beat the better of the two.
type BabilongBaseline struct {
	Task          int             `json:"task"`
	Questions     int             `json:"questions"`
	QuestionOnly  float64         `json:"question_only"`
	LastCandidate float64         `json:"last_candidate"`
	Train         provenance.File `json:"train_file"`
}

// Best is the better of the two baselines.
func (b BabilongBaseline) Best() float64 { return max(b.QuestionOnly, b.LastCandidate) }

// BabiBaselines measures the two baselines of test's questions with the
// answers of train.
func BabiBaselines(train, test []data.BabiStory) (questionOnly, lastCandidate float64, questions int) {
	byQuestion := map[string]map[string]int{}
	overall := map[string]int{}
	for _, st := range train {
		for _, q := range st.Questions() {
			if byQuestion[q.Question] == nil {
				byQuestion[q.Question] = map[string]int{}
			}
			byQuestion[q.Question][q.Answer]++
			overall[q.Answer]++
		}
	}
	fallback := mostFrequent(overall)
	var qo, lc int
	for _, st := range test {
		for _, q := range st.Questions() {
			questions++
			guess := fallback
			if counts, ok := byQuestion[q.Question]; ok {
				guess = mostFrequent(counts)
			}
			if guess == q.Answer {
				qo++
			}
			if lastCandidateOf(q, overall) == q.Answer {
				lc++
			}
		}
	}
	if questions == 0 {
		return 0, 0, 0
	}
	return float64(qo) / float64(questions), float64(lc) / float64(questions), questions
}

// mostFrequent is the key with the highest count, the first in sort order
// among equals.
func mostFrequent(counts map[string]int) string {
	best, n := "", -1
	for k, c := range counts {
		if c > n || (c == n && k < best) {
			best, n = k, c
		}
	}
	return best
}

// lastCandidateOf is the last word of q's statements that is a candidate
// answer and not a word of the question ("" when there is none).
func lastCandidateOf(q data.BabiQuestion, candidates map[string]int) string {
	asked := map[string]bool{}
	for _, w := range words(q.Question) {
		asked[w] = true
	}
	for i := len(q.Facts) - 1; i >= 0; i-- {
		ws := words(q.Facts[i])
		for j := len(ws) - 1; j >= 0; j-- {
			if _, ok := candidates[ws[j]]; ok && !asked[ws[j]] {
				return ws[j]
			}
		}
	}
	return ""
}

// words splits text at spaces and drops the punctuation around each word.
func words(text string) []string {
	var out []string
	for _, w := range strings.Fields(text) {
		if w = strings.Trim(w, ".,?!;:'\""); w != "" {
			out = append(out, w)
		}
	}
	return out
}

// baselines measures the baselines of tasks, reading the training shares
// from BabiTrainDir (BabiDir when empty); a task without a training file
// is left out with a note on log.
func (run BabilongRun) baselines(tasks []int, log io.Writer) []BabilongBaseline {
	dir := run.BabiTrainDir
	if dir == "" {
		dir = run.BabiDir
	}
	var out []BabilongBaseline
	for _, t := range tasks {
		train, file, err := data.ReadBabiShare(dir, t, data.BabiTrain)
		if err != nil {
			fmt.Fprintf(log, "note: no qa%d baselines: %v (give babi_train_dir)\n", t, err)
			continue
		}
		test, _, err := data.ReadBabiShare(run.BabiDir, t, data.BabiTest)
		if err != nil {
			fmt.Fprintf(log, "note: no qa%d baselines: %v\n", t, err)
			continue
		}
		b := BabilongBaseline{Task: t}
		b.QuestionOnly, b.LastCandidate, b.Questions = BabiBaselines(train, test)
		if b.Train, err = provenance.HashFile(file); err != nil {
			fmt.Fprintf(log, "note: no qa%d baselines: %v\n", t, err)
			continue
		}
		out = append(out, b)
	}
	return out
}
