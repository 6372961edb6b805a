package train

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
)

// Validation reads only the validation books and training only the train
// books: neither ever opens an eval book. Each of five books repeats a word
// of its own; book3 is validation, book4 eval (data.SplitOf).
func TestValidationNeverReadsEvalBooks(t *testing.T) {
	dir := t.TempDir()
	words := []string{"amber", "birch", "cedar", "dahlia", "ember"}
	for i, w := range words {
		text := strings.Repeat(fmt.Sprintf("The %s lantern hung by the old door all night long. ", w), 400)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("book%d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := DefaultConfig()
	c.Task, c.NoiseDir, c.SegmentSize, c.EvalSamples, c.Out = "memorize", dir, 128, 24, t.TempDir()
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	tok := data.NewByteTokenizer()
	tr := &trainer{cfg: c, tok: tok, opt: Options{Log: io.Discard}}
	seen := func(samples []data.Sample) map[string]bool {
		m := map[string]bool{}
		for _, s := range samples {
			text := tok.Decode(s.IDs)
			for _, w := range words {
				if strings.Contains(text, w) {
					m[w] = true
				}
			}
		}
		return m
	}
	val, err := tr.valSamples(2)
	if err != nil {
		t.Fatal(err)
	}
	if got := seen(val); len(got) != 1 || !got["dahlia"] {
		t.Errorf("validation samples read the books of %v, want the validation book's (dahlia) alone", got)
	}
	tasks, err := tr.trainTasks(2)
	if err != nil {
		t.Fatal(err)
	}
	var train []data.Sample
	for k := range 40 {
		s, err := tr.batchTask(tasks, 2, k).SampleAt(k)
		if err != nil {
			t.Fatal(err)
		}
		train = append(train, s)
	}
	if got := seen(train); got["dahlia"] || got["ember"] || len(got) == 0 {
		t.Errorf("training samples read the books of %v, want train books only (amber, birch, cedar)", got)
	}
	if s := describeSplits(c); !strings.Contains(s, "split eval of noise_dir (never read here; evaluation only): 1 books: book4") {
		t.Errorf("the split printed at start:\n%s", s)
	}
}
