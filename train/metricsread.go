package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Record is one line of metrics.jsonl (docs/formats.md), for readers of a
// run's log such as `eval curves`.
type Record = record

// ReadMetrics reads a run's metrics.jsonl; a torn last line (a run killed
// while writing) is skipped, any other bad line is an error naming it.
func ReadMetrics(path string) ([]Record, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var out []Record
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for line := 1; sc.Scan(); line++ {
		var r Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			if !bytes.HasSuffix(raw, []byte("\n")) && line == bytes.Count(raw, []byte("\n"))+1 {
				break
			}
			return nil, fmt.Errorf("train: %s line %d: %w", path, line, err)
		}
		out = append(out, r)
	}
	return out, nil
}
