package train

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/eval"
)

func TestSelectionMetric(t *testing.T) {
	const samples = 64
	for _, tc := range []struct {
		name   string
		hi, lo eval.Validation
	}{
		{"more correct wins over any loss", eval.Validation{Accuracy: 0.5 + 1.0/samples, Loss: 1e6}, eval.Validation{Accuracy: 0.5, Loss: 0}},
		{"equal accuracy, lower loss wins", eval.Validation{Accuracy: 1, Loss: 0.001}, eval.Validation{Accuracy: 1, Loss: 0.01}},
		{"lm: lower loss wins", eval.Validation{Accuracy: -1, Loss: 2}, eval.Validation{Accuracy: -1, Loss: 3}},
	} {
		if h, l := selectionMetric(tc.hi, samples), selectionMetric(tc.lo, samples); !(h > l) {
			t.Errorf("%s: selectionMetric(%+v) = %v, not above selectionMetric(%+v) = %v", tc.name, tc.hi, h, tc.lo, l)
		}
	}
}

// TestStoryShare: with --story-share a micro-batch is sometimes made of
// bAbI stories alone (no noise, shorter than a segment), at about the share
// asked, drawn the same way again for the same seed and batch; without it
// never.
func TestStoryShare(t *testing.T) {
	dir := t.TempDir()
	var f strings.Builder
	for i := range 20 {
		fmt.Fprintf(&f, "1 Mary went to the garden.\n2 John went to the hallway.\n3 Where is Mary? \tgarden\t1\n")
		if i%2 == 1 {
			fmt.Fprintf(&f, "4 Mary went to the kitchen.\n5 Where is Mary? \tkitchen\t4\n")
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "qa1_single-supporting-fact_train.txt"), []byte(f.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, share := range []float64{0, 0.3} {
		c := DefaultConfig()
		c.Task, c.BabiDir, c.SegmentSize, c.StoryShare, c.Out = "babi", dir, 256, share, t.TempDir()
		if err := c.Resolve(); err != nil {
			t.Fatal(err)
		}
		tr := &trainer{cfg: c, tok: data.NewByteTokenizer()}
		tasks, err := tr.trainTasks(2)
		if err != nil {
			t.Fatal(err)
		}
		stories := 0
		const draws = 400
		for k := range draws {
			task := tr.batchTask(tasks, 2, k)
			if task != tr.batchTask(tasks, 2, k) {
				t.Fatalf("share %g: micro-batch %d drew two different tasks", share, k)
			}
			s, err := task.SampleAt(k)
			if err != nil {
				t.Fatal(err)
			}
			if task.Config().StoryOnly {
				stories++
				if len(s.IDs) >= c.SegmentSize || s.Facts[0].Start != 0 {
					t.Fatalf("story-only sample %d: %d tokens, first fact at %d; want the story alone", k, len(s.IDs), s.Facts[0].Start)
				}
			} else if len(s.IDs)%c.SegmentSize != 0 {
				t.Fatalf("noise sample %d: %d tokens, want whole segments", k, len(s.IDs))
			}
		}
		if got := float64(stories) / draws; math.Abs(got-share) > 0.07 {
			t.Fatalf("share %g: %d of %d micro-batches were stories alone", share, stories, draws)
		}
	}
	c := DefaultConfig()
	c.StoryShare = 0.5
	if err := c.Resolve(); err == nil || !strings.Contains(err.Error(), "story_share") {
		t.Fatalf("--story-share with task %s: error %v, want one naming the field", c.Task, err)
	}
}
