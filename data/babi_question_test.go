package data

import (
	"strings"
	"testing"
)

// A question line without its tab-separated answer is refused naming the
// file and line, not kept as a statement.
func TestBabiQuestionWithoutAnswer(t *testing.T) {
	in := "1 Mary went to the garden.\n2 Where is Mary?\n"
	_, err := ParseBabi(strings.NewReader(in), "qa1_train.txt")
	if err == nil || !strings.Contains(err.Error(), "qa1_train.txt line 2: a question without its answer") {
		t.Errorf("ParseBabi of a question without answer = %v; want an error naming line 2", err)
	}
}
