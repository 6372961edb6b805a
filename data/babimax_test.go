package data

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestBabiTasksTo20: every bAbI task 1-20 whose file exists makes samples
// whose answer is the file's, and a task past 20 is refused.
func TestBabiTasksTo20(t *testing.T) {
	dir := "../../shared/corpus/babi-train-10k"
	needShared(t, dir)
	found := 0
	for n := 1; n <= MaxBabiTask; n++ {
		m, _ := filepath.Glob(filepath.Join(dir, "qa"+strconv.Itoa(n)+"_*_train.txt"))
		if len(m) == 0 {
			continue // qa3 is absent from the shared folder
		}
		found++
		task, err := NewTask(TaskConfig{Name: "babi", Segments: 2, SegmentSize: 1024, Seed: 1, BabiDir: dir, BabiTasks: []int{n}, Tokenizer: NewByteTokenizer()})
		if err != nil {
			t.Fatalf("task %d: %v", n, err)
		}
		s, err := task.SampleAt(0)
		if err != nil {
			t.Fatalf("task %d: %v", n, err)
		}
		raw, _ := os.ReadFile(m[0])
		if s.Answer == "" || !strings.Contains(string(raw), "\t"+s.Answer+"\t") {
			t.Fatalf("task %d: answer %q is not one of its file's", n, s.Answer)
		}
	}
	if found < 19 {
		t.Fatalf("%d task files found, want 19", found)
	}
	if _, err := ParseBabiTasks("21"); err == nil || !strings.Contains(err.Error(), "want 1 to 20") {
		t.Fatalf("task 21: %v", err)
	}
}
