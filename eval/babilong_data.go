package eval

import (
	"encoding/json"
	"fmt"
	"github.com/rmtgo/rmt/internal/field"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/provenance"
)

// CellData is what one BABILong cell was measured on: the unit of its
// length, the stories file and the background books by hash, the seed of
// its samples and whether the background was filtered. Two cells are of the
// same data when these are equal (books are compared only where both have
// background: a 0k cell has none).
type CellData struct {
	Units       string `json:"units"`
	Seed        int64  `json:"seed"`
	NoiseFilter bool   `json:"noise_filter,omitempty"`
	// Align is how the samples were cut into segments (AlignRight; empty:
	// left, from the start).
	Align      string            `json:"align,omitempty"`
	AnswerRoom int               `json:"answer_room,omitempty"` // with Align right
	Stories    provenance.File   `json:"stories"`
	Books      []provenance.File `json:"books,omitempty"`
}

// sameAs reports whether c and o are the same data for cells of tasks t
// and u: everything equal, the stories only when the tasks are.
func (c *CellData) sameAs(o *CellData, sameTask bool) bool {
	if c == nil || o == nil {
		return false
	}
	if c.Units != o.Units || c.Seed != o.Seed || c.NoiseFilter != o.NoiseFilter || c.Align != o.Align || c.AnswerRoom != o.AnswerRoom {
		return false
	}
	if sameTask && c.Stories.SHA256 != o.Stories.SHA256 {
		return false
	}
	if len(c.Books) > 0 && len(o.Books) > 0 && !slices.EqualFunc(c.Books, o.Books, func(a, b provenance.File) bool { return a.SHA256 == b.SHA256 }) {
		return false
	}
	return true
}

// cellData hashes the files a cell of task qa at a length of tokens reads.
func cellData(run BabilongRun, qa, tokens int) (*CellData, error) {
	file, err := data.BabiFile(run.BabiDir, qa, true)
	if err != nil {
		return nil, err
	}
	d := &CellData{Units: run.units(), Seed: run.Seed, NoiseFilter: run.NoiseFilter, Align: run.align(), AnswerRoom: run.AnswerRoom}
	if d.Stories, err = provenance.HashFile(file); err != nil {
		return nil, err
	}
	if tokens > 0 {
		books, _, err := data.SplitFiles(run.NoiseDir, data.SplitEval, 0, "noise_dir")
		if err != nil {
			return nil, err
		}
		if d.Books, err = provenance.HashFiles(books...); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// savePath is where run's results go: run.Out, else CKDIR/eval/babilong.json.
func (run BabilongRun) savePath(ckDir string) string {
	if run.Out != "" {
		return run.Out
	}
	return filepath.Join(ckDir, ResultsDir, BabilongFile)
}

// checkSaved refuses, before anything is measured, a run whose cells would
// join saved cells of other data under one file: such a run needs a file of
// its own (run.Out, --out).
func checkSaved(path string, run BabilongRun, cells map[int]*CellData) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil // nothing saved yet
	}
	var old BabilongReport
	if json.Unmarshal(raw, &old) != nil {
		return nil // unreadable: replaced, as before
	}
	for _, x := range old.Results {
		for task, d := range cells {
			if !d.sameAs(x.Data, task == x.Task) {
				what := "other data"
				if x.Data == nil {
					what = "data it does not record"
				}
				hint := "give {out} FILE to keep this run apart"
				if run.Out != "" {
					hint = "give another {out} file"
				}
				return fmt.Errorf("eval: %w", field.Errorf("", "%s holds qa%d %s measured on %s (units %q, seed %d); this run's cells would be mixed with them; "+hint+", or {save}=false",
					provenance.RelPath(path), x.Task, x.Length, what, x.Units, old.Seed))
			}
		}
	}
	return nil
}

// saveBabilongTo merges rep into the file at path (see Merge) and writes it.
func saveBabilongTo(path string, rep BabilongReport) (BabilongReport, error) {
	var old BabilongReport
	if raw, err := os.ReadFile(path); err == nil && json.Unmarshal(raw, &old) == nil {
		rep = old.Merge(rep)
	}
	return rep, writeResults(path, rep)
}

// modelPerGPT2 estimates the model's tokens per GPT-2 token on the first
// 64 KiB of the first eval book, for progress lines of GPT-2 lengths
// (1 when it cannot say, or in model units).
func modelPerGPT2(run BabilongRun, tok data.Tokenizer) float64 {
	if run.units() != UnitsGPT2 {
		return 1
	}
	books, _, err := data.SplitFiles(run.NoiseDir, data.SplitEval, 0, "noise_dir")
	if err != nil {
		return 1
	}
	f, err := os.Open(books[0])
	if err != nil {
		return 1
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	n, _ := io.ReadFull(f, buf)
	text := strings.ToValidUTF8(string(buf[:n]), "")
	gpt2, err := data.GPT2Tokenizer()
	if err != nil {
		return 1
	}
	g, err1 := gpt2.Encode(text)
	m, err2 := tok.Encode(text)
	if err1 != nil || err2 != nil || len(g) == 0 {
		return 1
	}
	return float64(len(m)) / float64(len(g))
}
