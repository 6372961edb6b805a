package data

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestParseBabi(t *testing.T) {
	in := "1 Mary moved to the bathroom.\n" +
		"2 John went to the hallway.\n" +
		"3 Where is Mary? \tbathroom\t1\n" +
		"4 Daniel went back to the hallway.\n" +
		"5 Where is Daniel? \thallway\t4\n" +
		"1 The office is north of the kitchen.\r\n" +
		"2 What is north of the kitchen?\toffice\t1\n"
	stories, err := ParseBabi(strings.NewReader(in), "mem")
	if err != nil {
		t.Fatal(err)
	}
	if len(stories) != 2 || len(stories[0].Lines) != 5 || len(stories[1].Lines) != 2 {
		t.Fatalf("ParseBabi: %d stories %v, want 2 of 5 and 2 lines", len(stories), stories)
	}
	q := stories[0].Lines[2]
	if !q.Question || q.Text != "Where is Mary?" || q.Answer != "bathroom" || !slices.Equal(q.Supports, []int{1}) {
		t.Errorf("question line = %+v", q)
	}
	qs := stories[0].Questions()
	if len(qs) != 2 {
		t.Fatalf("Questions() = %d, want 2", len(qs))
	}
	want := BabiQuestion{
		Facts:    []string{"Mary moved to the bathroom.", "John went to the hallway.", "Daniel went back to the hallway."},
		Question: "Where is Daniel?", Answer: "hallway", Supports: []int{2},
	}
	if got := qs[1]; !slices.Equal(got.Facts, want.Facts) || got.Question != want.Question || got.Answer != want.Answer || !slices.Equal(got.Supports, want.Supports) {
		t.Errorf("Questions()[1] = %+v, want %+v", got, want)
	}
	if got := stories[1].Lines[0].Text; got != "The office is north of the kitchen." {
		t.Errorf("CRLF line text = %q", got)
	}
}

func TestParseBabiMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, in, line string
	}{
		{"id gap", "1 Mary moved.\n3 John went.\n", "line 2"},
		{"id not a number", "x Mary moved.\n", "line 1"},
		{"first id not 1", "2 Mary moved.\n", "line 1"},
		{"no text", "1\n", "line 1"},
		{"two fields", "1 Mary moved.\n2 Where is Mary?\tbathroom\n", "line 2"},
		{"four fields", "1 A b.\n2 Where?\tx\t1\t2\n", "line 2"},
		{"support ahead", "1 A b.\n2 Where?\tx\t5\n", "line 2"},
		{"support is itself", "1 A b.\n2 Where?\tx\t2\n", "line 2"},
		{"support is a question", "1 A b.\n2 Where?\tx\t1\n3 Why?\ty\t2\n", "line 3"},
		{"support not a number", "1 A b.\n2 Where?\tx\tone\n", "line 2"},
		{"no supports", "1 A b.\n2 Where?\tx\t\n", "line 2"},
		{"empty answer", "1 A b.\n2 Where?\t \t1\n", "line 2"},
		{"blank then gap", "1 A b.\n\n4 C d.\n", "line 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseBabi(strings.NewReader(tc.in), "qa9_test.txt")
			if err == nil {
				t.Fatalf("ParseBabi(%q) = nil error, want one", tc.in)
			}
			if msg := err.Error(); !strings.Contains(msg, "qa9_test.txt") || !strings.Contains(msg, tc.line+":") || !strings.HasPrefix(msg, "data: ") {
				t.Errorf("ParseBabi(%q) error %q, want file name and %q", tc.in, msg, tc.line)
			}
		})
	}
}

// Every shared bAbI file parses, has 1,000 questions, and every supporting
// fact id names an earlier statement of its story.
func TestParseBabiShared(t *testing.T) {
	needShared(t, babiDir)
	for n := 1; n <= 5; n++ {
		file, err := BabiFile(babiDir, n, false)
		if err != nil {
			t.Fatal(err)
		}
		stories, err := ReadBabiFile(file)
		if err != nil {
			t.Fatal(err)
		}
		questions := 0
		for si, st := range stories {
			kind := map[int]bool{} // id -> is a statement
			for i, l := range st.Lines {
				if l.ID != i+1 {
					t.Fatalf("%s story %d: line %d has id %d", file, si, i, l.ID)
				}
				kind[l.ID] = !l.Question
				if !l.Question {
					continue
				}
				questions++
				for _, s := range l.Supports {
					if s >= l.ID || !kind[s] {
						t.Errorf("%s story %d line %d: support %d is not an earlier statement", file, si, l.ID, s)
					}
				}
			}
			for _, q := range st.Questions() {
				for _, s := range q.Supports {
					if s < 0 || s >= len(q.Facts) {
						t.Errorf("%s story %d: support index %d of %d facts", file, si, s, len(q.Facts))
					}
				}
			}
		}
		if questions != 1000 {
			t.Errorf("%s: %d questions, want 1000", filepath.Base(file), questions)
		}
	}
}

// The task vocabulary covers every entity of bAbI qa1-qa5, so that book
// noise is filtered against all of them.
func TestTaskWordsCoverBabi(t *testing.T) {
	needShared(t, babiDir)
	for n := 1; n <= 5; n++ {
		file, _ := BabiFile(babiDir, n, false)
		stories, err := ReadBabiFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stories {
			for _, l := range st.Lines {
				if l.Question && !taskWords[lower(l.Answer)] {
					t.Fatalf("%s: answer %q is not in taskWords", file, l.Answer)
				}
				if first, _, _ := strings.Cut(l.Text, " "); !l.Question && first != "The" && !taskWords[lower(first)] {
					t.Fatalf("%s: subject %q of %q is not in taskWords", file, first, l.Text)
				}
			}
		}
	}
}

func TestBabiFile(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"qa1_single-supporting-fact_train.txt": "",
		"qa1_single-supporting-fact_test.txt":  "",
		"qa10_indefinite-knowledge_train.txt":  "",
		"qa2_two-supporting-facts_train.txt":   "",
	})
	other := writeFiles(t, map[string]string{"qa3_three-supporting-facts_train.txt": ""})
	for _, tc := range []struct {
		dir  string
		task int
		test bool
		want string // base name, or the start of the error's text after "data: "
	}{
		{dir, 1, false, "qa1_single-supporting-fact_train.txt"},
		{dir, 1, true, "qa1_single-supporting-fact_test.txt"},
		// No test file: an error, never the training file.
		{dir, 2, true, "error: no qa2_*_test.txt file; evaluation reads the bAbI test split only"},
		{dir, 3, false, "error: no qa3_*_train.txt file"},
		// A list of folders: the first with the file gives it.
		{dir + string(filepath.ListSeparator) + other, 3, false, "qa3_three-supporting-facts_train.txt"},
		{dir + string(filepath.ListSeparator) + other, 1, false, "qa1_single-supporting-fact_train.txt"},
		{filepath.Join(dir, "absent"), 1, false, "error: no such file"},
	} {
		got, err := BabiFile(tc.dir, tc.task, tc.test)
		if msg, ok := strings.CutPrefix(tc.want, "error: "); ok {
			if err == nil || !strings.Contains(err.Error(), "babi_dir") || !strings.Contains(strings.ReplaceAll(err.Error(), tc.dir+" has ", ""), msg) {
				t.Errorf("BabiFile(qa%d, test %v) error %v, want a babi_dir error saying %q", tc.task, tc.test, err, msg)
			}
			continue
		}
		if err != nil || filepath.Base(got) != tc.want {
			t.Errorf("BabiFile(qa%d, test %v) = %q, %v, want %s", tc.task, tc.test, got, err, tc.want)
		}
	}
}

func TestParseBabiTasks(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
	}{
		{"1", []int{1}}, {"1,2,5", []int{1, 2, 5}}, {"qa3, qa4", []int{3, 4}}, {"2,2", []int{2}},
		{"6", []int{6}}, {"21", nil}, {"0", nil}, {"a", nil}, {"", nil},
	} {
		got, err := ParseBabiTasks(tc.in)
		if tc.want == nil {
			if err == nil {
				t.Errorf("ParseBabiTasks(%q) = %v, want an error", tc.in, got)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseBabiTasks(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}
