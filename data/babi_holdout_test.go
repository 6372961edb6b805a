package data

import (
	"fmt"
	"strings"
	"testing"
)

// A held-out story that the training share also holds is dropped and
// counted; keepDuplicates writes it as before.
func TestWriteBabiHoldoutDropsDuplicates(t *testing.T) {
	var b strings.Builder
	for k := range 20 {
		room := k
		if k == 9 { // held out (9 mod 10), the same story as story 0 (training)
			room = 0
		}
		fmt.Fprintf(&b, "1 Mary went to the room%d.\n2 Where is Mary? \troom%d\t1\n", room, room)
	}
	dir := writeFiles(t, map[string]string{"qa1_single-supporting-fact_train.txt": b.String()})
	for _, keep := range []bool{false, true} {
		files, err := WriteBabiHoldoutFiles(dir, []int{1}, t.TempDir(), keep)
		if err != nil {
			t.Fatal(err)
		}
		f := files[0]
		want := BabiHoldoutFile{Path: f.Path, Stories: 1, Questions: 1, Dropped: 1, DroppedQuestions: 1}
		if keep {
			want = BabiHoldoutFile{Path: f.Path, Stories: 2, Questions: 2}
		}
		if f != want {
			t.Errorf("keepDuplicates %v: %+v, want %+v", keep, f, want)
		}
		stories, err := ReadBabiFile(f.Path)
		if err != nil || len(stories) != want.Stories {
			t.Fatalf("keepDuplicates %v: read back %d stories (%v), want %d", keep, len(stories), err, want.Stories)
		}
		if !keep && stories[0].Lines[0].Text != "Mary went to the room19." {
			t.Errorf("the story kept is %q, want story 19's", stories[0].Lines[0].Text)
		}
	}
}
