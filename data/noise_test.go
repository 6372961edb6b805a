package data

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestScanSentences(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"full stops", "One two. Three four.", []string{"One two.", "Three four."}},
		{"marks", "Really? Yes! Fine.", []string{"Really?", "Yes!", "Fine."}},
		{"quotes", `"Well, Watson?" said he. 'No.' Then`, []string{`"Well, Watson?"`, "said he.", "'No.'", "Then"}},
		{"curly quotes", "\u201cGo.\u201d He went.", []string{"\u201cGo.\u201d", "He went."}},
		{"titles", "Mr. Holmes met Dr. Watson and J. Smith. Done.", []string{"Mr. Holmes met Dr. Watson and J. Smith.", "Done."}},
		{"wrapped line", "a long\nsentence here. b", []string{"a long sentence here.", "b"}},
		{"blank line", "Chapter 1\n\nIt began. End", []string{"Chapter 1", "It began.", "End"}},
		{"decimal", "It cost 3.50 then. Ok", []string{"It cost 3.50 then.", "Ok"}},
		{"crlf paragraphs", "First line\r\n\r\nSecond.", []string{"First line", "Second."}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sc := bufio.NewScanner(strings.NewReader(tc.in))
			sc.Split(ScanSentences)
			var got []string
			for sc.Scan() {
				if s := string(normalizeSpace(nil, sc.Bytes())); s != "" {
					got = append(got, s)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("sentences of %q = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
	// Run-on text is cut at a space, never longer than maxSentenceBytes.
	sc := bufio.NewScanner(strings.NewReader(strings.Repeat("word ", 3000)))
	sc.Split(ScanSentences)
	for sc.Scan() {
		if n := len(sc.Bytes()); n > maxSentenceBytes+1 {
			t.Fatalf("run-on piece of %d bytes, want at most %d", n, maxSentenceBytes)
		}
	}
}

func TestMentionsTaskWord(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want bool
	}{
		{"Mary had a little lamb.", true},
		{"in the KITCHEN", true},
		{"the garden's wall", true},
		{"Rosemary and Maryland", false},
		{"a billion apples", false},
		{"the bill, please", true},
		{"The dog slept.", false},
		{"", false},
	} {
		if got := MentionsTaskWord(tc.s); got != tc.want {
			t.Errorf("MentionsTaskWord(%q) = %v, want %v", tc.s, got, tc.want)
		}
	}
}

func TestSplitFiles(t *testing.T) {
	files := map[string]string{"notes.md": "x", "empty.txt": ""}
	for i := range 10 {
		files[fmt.Sprintf("book%02d.txt", i)] = "Some text."
	}
	dir := writeFiles(t, files)
	base := func(ps []string) []string {
		var out []string
		for _, p := range ps {
			out = append(out, filepath.Base(p))
		}
		return out
	}
	eval, _, err := SplitFiles(dir, SplitEval, 0, "noise_dir")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := base(eval), []string{"book04.txt", "book09.txt"}; !slices.Equal(got, want) {
		t.Errorf("eval files = %v, want %v", got, want)
	}
	valid, _, _ := SplitFiles(dir, SplitValid, 0, "noise_dir")
	if got, want := base(valid), []string{"book03.txt", "book08.txt"}; !slices.Equal(got, want) {
		t.Errorf("validation files = %v, want %v", got, want)
	}
	train, _, _ := SplitFiles(dir, SplitTrain, 0, "noise_dir")
	other := func(p string) bool { return slices.Contains(eval, p) || slices.Contains(valid, p) }
	if len(train) != 6 || slices.ContainsFunc(train, other) {
		t.Errorf("train files = %v, want the 6 others", base(train))
	}
	if all, _, _ := SplitFiles(dir, SplitEval, -1, "noise_dir"); len(all) != 10 {
		t.Errorf("no split: %d files, want 10", len(all))
	}
	if two, _, _ := SplitFiles(dir, SplitEval, 2, "noise_dir"); len(two) != 5 {
		t.Errorf("every 2nd: %d eval files, want 5", len(two))
	}
}

// Directories that cannot supply noise are errors naming the flag.
func TestNoiseDirErrors(t *testing.T) {
	small := writeFiles(t, map[string]string{"a.txt": "One.", "b.txt": "Two."})
	dangling := writeFiles(t, map[string]string{"a.txt": "One."})
	if err := os.Symlink(filepath.Join(dangling, "gone"), filepath.Join(dangling, "b.txt")); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(small, "a.txt")
	for _, tc := range []struct {
		name, dir, split, want string
	}{
		{"empty", t.TempDir(), SplitTrain, "no non-empty .txt files"},
		{"missing", filepath.Join(small, "nope"), SplitTrain, "no such file"},
		{"not a directory", notDir, SplitTrain, "noise_dir"},
		{"dangling link", dangling, SplitTrain, "b.txt"},
		{"eval split empty", small, SplitEval, "split is empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTask(TaskConfig{Name: "memorize", Segments: 1, SegmentSize: 256, NoiseDir: tc.dir, Split: tc.split, Tokenizer: fakeBytes{}})
			if err == nil || !strings.HasPrefix(err.Error(), "data: ") || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "noise_dir") {
				t.Errorf("NewTask(noise %s) error %v, want a noise_dir error with %q", tc.dir, err, tc.want)
			}
		})
	}
}

func readN(t *testing.T, n Noise, rng *rand.Rand, k int) []string {
	t.Helper()
	r := n.Open(rng)
	defer r.Close()
	var out []string
	for range k {
		s, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// Book noise is a deterministic function of the rng, runs on across files,
// and drops every sentence that names a task entity.
func TestBookNoise(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.txt": fillerText(1, 200) + "\n\nMary went into the garden. John took the milk.\n\n" + fillerText(2, 200),
		"b.txt": "The office was closed. " + fillerText(3, 50) + " Sandra laughed.",
	})
	b, err := NewBookNoise(dir, SplitTrain, -1)
	if err != nil {
		t.Fatal(err)
	}
	for seed := range int64(20) {
		got := readN(t, b, SampleRNG(seed, 0), 600) // more than a file holds
		if again := readN(t, b, SampleRNG(seed, 0), 600); !slices.Equal(got, again) {
			t.Fatalf("seed %d: two runs differ", seed)
		}
		for _, s := range got {
			if MentionsTaskWord(s) {
				t.Fatalf("seed %d: noise sentence %q names a task entity", seed, s)
			}
			if s == "" || strings.Contains(s, "  ") || strings.Contains(s, "\n") {
				t.Fatalf("seed %d: sentence %q is not normalised", seed, s)
			}
		}
	}
	if a, c := readN(t, b, SampleRNG(1, 0), 5), readN(t, b, SampleRNG(1, 1), 5); slices.Equal(a, c) {
		t.Errorf("two rngs start at the same place: %q", a)
	}
}

// A corpus in which every sentence names a task entity cannot give noise:
// an error, not an endless loop.
func TestBookNoiseAllFiltered(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.txt": strings.Repeat("Mary sat in the kitchen. ", 100)})
	b, err := NewBookNoise(dir, SplitTrain, -1)
	if err != nil {
		t.Fatal(err)
	}
	r := b.Open(SampleRNG(0, 0))
	defer r.Close()
	if _, err := r.Next(); err == nil || !strings.Contains(err.Error(), "no usable sentence") {
		t.Errorf("Next() error %v, want no usable sentence", err)
	}
}

// The filler vocabulary excludes every task word, movement verb and
// direction, and the generator is varied.
func TestFillerVocabulary(t *testing.T) {
	banned := map[string]bool{}
	for w := range taskWords {
		banned[w] = true
	}
	for _, list := range [][]string{moveVerbs, directions} {
		for _, phrase := range list {
			for _, w := range strings.Fields(phrase) {
				if w != "back" { // "went back": "went" suffices
					banned[w] = true
				}
			}
		}
	}
	got := readN(t, NewFillerNoise(), SampleRNG(7, 0), 20000)
	distinct := map[string]bool{}
	for _, s := range got {
		distinct[s] = true
		for _, w := range strings.FieldsFunc(lower(s), func(r rune) bool { return r < 'a' || r > 'z' }) {
			if banned[w] {
				t.Fatalf("filler %q uses the task word %q", s, w)
			}
		}
	}
	if len(distinct) < 10000 {
		t.Errorf("%d distinct filler sentences in 20000, want at least 10000", len(distinct))
	}
}

// sliceNoise replays fixed sentences in a cycle.
type sliceNoise []string

func (s sliceNoise) Open(*rand.Rand) SentenceReader { return &sliceReader{s: s} }

type sliceReader struct {
	s []string
	i int
}

func (r *sliceReader) Next() (string, error) { r.i++; return r.s[(r.i-1)%len(r.s)], nil }
func (r *sliceReader) Close() error          { return nil }

// fill gives exactly k tokens ending at a sentence end with at most one
// sentence cut, and a cut never leaves a task word at the front of a
// fragment ("Rosemary" -> "mary").
func TestFillCuts(t *testing.T) {
	tok := fakeBytes{}
	src := sliceNoise{"Rosemary sang.", "The dog slept by the fire.", "Old Billings laughed."}
	for k := 1; k < 120; k++ {
		n := noiseTokens{r: src.Open(nil), tok: tok, rng: SampleRNG(0, k)}
		ids, starts, err := n.fill([]int{1, 2}, k)
		if err != nil {
			t.Fatalf("fill(%d): %v", k, err)
		}
		if len(ids) != k+2 {
			t.Fatalf("fill(%d) gave %d tokens, want %d", k, len(ids)-2, k)
		}
		text := tok.Decode(ids[2:])
		if MentionsTaskWord(text) {
			t.Fatalf("fill(%d) = %q names a task entity", k, text)
		}
		if !strings.HasSuffix(text, ".") {
			t.Errorf("fill(%d) = %q, want it to end at a sentence end", k, text)
		}
		// Sentences start at a space, but for the one fragment.
		cuts, prev := 0, 1
		for _, s := range starts {
			if s <= prev || s >= len(ids) {
				t.Fatalf("fill(%d): sentence starts %v out of order or range", k, starts)
			}
			if ids[s] != ' ' {
				cuts++
			}
			prev = s
		}
		if cuts > 1 {
			t.Errorf("fill(%d) = %q: %d fragments, want at most 1", k, text, cuts)
		}
	}
	// The same sentence over and over, each cut giving "mary": an error.
	n := noiseTokens{r: sliceNoise{"Rosemary."}.Open(nil), tok: tok, rng: SampleRNG(0, 0)}
	if _, _, err := n.fill(nil, len("mary.")); err == nil {
		t.Errorf("fill on a repeating sentence cut to a task word: nil error, want one")
	}
}
