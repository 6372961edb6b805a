package train

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/rmtgo/rmt/data"
)

// describeSplits says which books of the run's folders each split reads
// (data.SplitOf): training reads the train books, validation the
// validation books, and the eval books are left to evaluation.
func describeSplits(c Config) string {
	var b strings.Builder
	for _, d := range []struct{ flag, dir string }{{"noise_dir", c.NoiseDir}, {"text_dir", c.TextDir}} {
		if d.dir == "" {
			continue
		}
		for _, split := range data.Splits() {
			paths, _, err := data.SplitFiles(d.dir, split, 0, d.flag)
			if err != nil {
				fmt.Fprintf(&b, "split %s of %s: %v\n", split, d.flag, err)
				continue
			}
			names := make([]string, len(paths))
			for i, p := range paths {
				names[i] = strings.TrimSuffix(filepath.Base(p), ".txt")
			}
			use := map[string]string{data.SplitTrain: "training", data.SplitValid: "validation", data.SplitEval: "never read here; evaluation only"}[split]
			fmt.Fprintf(&b, "split %s of %s (%s): %d books: %s\n", split, d.flag, use, len(paths), strings.Join(names, ", "))
		}
	}
	return b.String()
}
