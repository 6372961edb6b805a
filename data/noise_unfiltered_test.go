package data

import (
	"strings"
	"testing"
)

// A task with NoiseUnfiltered keeps background sentences that name a task
// entity (BABILong's background); the default drops them.
func TestTaskNoiseUnfiltered(t *testing.T) {
	const entity = "Mary went back to the kitchen after the long walk home."
	const plain = "The old sailor mended the broken fence before supper."
	books := writeFiles(t, map[string]string{"a.txt": strings.Repeat(entity+" "+plain+" ", 300)})
	for _, unfiltered := range []bool{false, true} {
		task, err := NewTask(TaskConfig{Name: "memorize", Segments: 2, SegmentSize: 256, NoiseDir: books, EvalEvery: -1, NoiseUnfiltered: unfiltered, Tokenizer: fb})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for i := range 10 {
			s, err := task.SampleAt(i)
			if err != nil {
				t.Fatal(err)
			}
			found = found || strings.Contains(fb.Decode(s.IDs), entity)
		}
		if found != unfiltered {
			t.Errorf("NoiseUnfiltered %v: a sentence naming Mary and the kitchen appears: %v", unfiltered, found)
		}
	}
}
