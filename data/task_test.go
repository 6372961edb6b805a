package data

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// checkSample checks the invariants every question-task sample keeps: n*S
// tokens, question and answer in the last segment, the mask on the answer
// and EOS only, the answer tokens spelling the answer, facts in order and
// before the question.
func checkSample(t *testing.T, cfg TaskConfig, s Sample) {
	t.Helper()
	L, S, tok := cfg.Length(), cfg.SegmentSize, cfg.Tokenizer
	if len(s.IDs) != L || len(s.LabelMask) != L {
		t.Fatalf("%s %dx%d: %d ids, %d mask, want %d", cfg.Name, cfg.Segments, S, len(s.IDs), len(s.LabelMask), L)
	}
	if s.AnswerStart < L-S || s.Question.Start < L-S || s.Question.End > s.AnswerStart {
		t.Fatalf("%s %dx%d: question %v, answer at %d, want both in the last segment [%d, %d)", cfg.Name, cfg.Segments, S, s.Question, s.AnswerStart, L-S, L)
	}
	for i, m := range s.LabelMask {
		if want := i >= s.AnswerStart; m != want {
			t.Fatalf("%s: LabelMask[%d] = %v, want %v (answer from %d)", cfg.Name, i, m, want, s.AnswerStart)
		}
	}
	if s.IDs[L-1] != tok.EOS() {
		t.Fatalf("%s: last token %d, want EOS %d", cfg.Name, s.IDs[L-1], tok.EOS())
	}
	if got := tok.Decode(s.IDs[s.AnswerStart : L-1]); got != " "+s.Answer {
		t.Fatalf("%s: answer tokens spell %q, want %q", cfg.Name, got, " "+s.Answer)
	}
	if got := tok.Decode(s.IDs[s.Question.End:s.AnswerStart]); got != AnswerMarker {
		t.Fatalf("%s: marker tokens spell %q, want %q", cfg.Name, got, AnswerMarker)
	}
	if q := tok.Decode(s.IDs[s.Question.Start:s.Question.End]); !strings.HasSuffix(q, "?") {
		t.Fatalf("%s: question %q", cfg.Name, q)
	}
	at := 0
	for _, f := range s.Facts {
		if f.Start < at || f.End <= f.Start || f.End > s.Question.Start {
			t.Fatalf("%s: facts %v overlap or pass the question at %d", cfg.Name, s.Facts, s.Question.Start)
		}
		at = f.End
	}
	if len(s.Supporting) == 0 {
		t.Fatalf("%s: no supporting fact", cfg.Name)
	}
	for _, i := range s.Supporting {
		if i < 0 || i >= len(s.Facts) {
			t.Fatalf("%s: supporting index %d of %d facts", cfg.Name, i, len(s.Facts))
		}
	}
}

// haystackNoise returns the noise of s: the text before the question with
// the facts taken out, one string per run.
func haystackNoise(tok Tokenizer, s Sample) []string {
	var runs []string
	at := 0
	for _, f := range s.Facts {
		runs = append(runs, tok.Decode(s.IDs[at:f.Start]))
		at = f.End
	}
	return append(runs, tok.Decode(s.IDs[at:s.Question.Start]))
}

type noiseCase struct {
	name, dir string
}

func noiseCases(t *testing.T) []noiseCase {
	cases := []noiseCase{{"filler", ""}}
	if _, err := os.Stat(booksDir); err == nil {
		cases = append(cases, noiseCase{"books", booksDir})
	} else {
		t.Logf("../shared not present, books noise not tested: %v", err)
	}
	return cases
}

// Samples of every question task have exactly n*S tokens and the answer
// masked, for many shapes, seeds, noise sources and tokenizers.
func TestSampleShapes(t *testing.T) {
	toks := []struct {
		name string
		tok  Tokenizer
	}{{"bytes", fakeBytes{}}, {"words", newFakeWords()}}
	for _, nc := range noiseCases(t) {
		for _, tk := range toks {
			for _, task := range []string{"memorize", "detect", "reasoning"} {
				for _, shape := range [][2]int{{1, 160}, {2, 128}, {3, 200}, {5, 131}, {8, 256}} {
					for seed := range int64(3) {
						cfg := TaskConfig{Name: task, Segments: shape[0], SegmentSize: shape[1], Seed: seed, NoiseDir: nc.dir, Tokenizer: tk.tok}
						tsk, err := NewTask(cfg)
						if err != nil {
							t.Fatalf("%s/%s/%s %v: %v", nc.name, tk.name, task, shape, err)
						}
						for i := range 4 {
							s, err := tsk.SampleAt(i)
							if err != nil {
								t.Fatalf("%s/%s/%s %v sample %d: %v", nc.name, tk.name, task, shape, i, err)
							}
							checkSample(t, cfg, s)
							if want := map[string]int{"memorize": 1, "detect": 1, "reasoning": 2}[task]; len(s.Facts) != want {
								t.Fatalf("%s: %d facts, want %d", task, len(s.Facts), want)
							}
						}
					}
				}
			}
		}
	}
}

func TestSampleDeterministic(t *testing.T) {
	for _, nc := range noiseCases(t) {
		for _, task := range []string{"memorize", "detect", "reasoning"} {
			cfg := TaskConfig{Name: task, Segments: 4, SegmentSize: 256, Seed: 3, NoiseDir: nc.dir, Tokenizer: fakeBytes{}}
			a, _ := NewTask(cfg)
			b, _ := NewTask(cfg)
			cfg.Seed = 4
			c, _ := NewTask(cfg)
			s5, _ := a.SampleAt(5)
			a.SampleAt(9) // no hidden state between calls
			again, _ := b.SampleAt(5)
			if !reflect.DeepEqual(s5, again) {
				t.Errorf("%s/%s: SampleAt(5) differs between two tasks of one config", nc.name, task)
			}
			if viaRNG, _ := a.Sample(SampleRNG(3, 5)); !reflect.DeepEqual(s5, viaRNG) {
				t.Errorf("%s/%s: Sample(SampleRNG(seed, 5)) differs from SampleAt(5)", nc.name, task)
			}
			if s6, _ := a.SampleAt(6); reflect.DeepEqual(s5.IDs, s6.IDs) {
				t.Errorf("%s/%s: samples 5 and 6 are equal", nc.name, task)
			}
			if other, _ := c.SampleAt(5); reflect.DeepEqual(s5.IDs, other.IDs) {
				t.Errorf("%s/%s: seeds 3 and 4 give the same sample 5", nc.name, task)
			}
		}
	}
}

// Samples drawn from several goroutines equal those drawn one by one.
func TestSampleConcurrent(t *testing.T) {
	for _, nc := range noiseCases(t) {
		tsk, err := NewTask(TaskConfig{Name: "detect", Segments: 4, SegmentSize: 128, NoiseDir: nc.dir, Tokenizer: fb})
		if err != nil {
			t.Fatal(err)
		}
		want := make([]Sample, 16)
		for i := range want {
			want[i], _ = tsk.SampleAt(i)
		}
		got := make([]Sample, len(want))
		var wg sync.WaitGroup
		for i := range got {
			wg.Go(func() { got[i], _ = tsk.SampleAt(i) })
		}
		wg.Wait()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: concurrent samples differ from sequential ones", nc.name)
		}
	}
}

func TestMemorizeFactFirst(t *testing.T) {
	cfg := TaskConfig{Name: "memorize", Segments: 3, SegmentSize: 128, Tokenizer: fakeBytes{}}
	tsk, _ := NewTask(cfg)
	for i := range 50 {
		s, _ := tsk.SampleAt(i)
		fact := strings.TrimSpace(fb.Decode(s.IDs[s.Facts[0].Start:s.Facts[0].End]))
		question := fb.Decode(s.IDs[s.Question.Start:s.Question.End])
		name, _, _ := strings.Cut(fact, " ")
		if s.Facts[0].Start != 0 || question != " Where is "+name+"?" || !strings.HasSuffix(fact, " to the "+s.Answer+".") {
			t.Fatalf("sample %d: fact %q at %d, question %q, answer %q", i, fact, s.Facts[0].Start, question, s.Answer)
		}
	}
}

// detect puts the fact at the start of a segment, and over many samples at
// the start of every one.
func TestDetectEverySegment(t *testing.T) {
	const n, S = 6, 128
	cfg := TaskConfig{Name: "detect", Segments: n, SegmentSize: S, Seed: 1, Tokenizer: fakeBytes{}}
	tsk, err := NewTask(cfg)
	if err != nil {
		t.Fatal(err)
	}
	seen := make([]int, n)
	for i := range 300 {
		s, _ := tsk.SampleAt(i)
		start := s.Facts[0].Start
		if start%S != 0 {
			t.Fatalf("sample %d: fact at %d, want a segment start", i, start)
		}
		seen[start/S]++
	}
	for k, c := range seen {
		if c == 0 {
			t.Errorf("fact never in segment %d over 300 samples: %v", k+1, seen)
		}
	}
}

// reasoning: two facts inside segments; the answer follows from them; the
// facts land in the same and in different segments.
func TestReasoning(t *testing.T) {
	const n, S = 4, 160
	cfg := TaskConfig{Name: "reasoning", Segments: n, SegmentSize: S, Seed: 2, Tokenizer: fakeBytes{}}
	tsk, err := NewTask(cfg)
	if err != nil {
		t.Fatal(err)
	}
	same, apart := 0, 0
	for i := range 300 {
		s, _ := tsk.SampleAt(i)
		rel := map[[2]string]string{} // (direction, place) -> what is in that direction of the place
		for k, f := range s.Facts {
			if f.Start/S != (f.End-1)/S {
				t.Fatalf("sample %d: fact %d %v crosses a segment start", i, k, f)
			}
			var x, d, y string
			fmt.Sscanf(strings.TrimSuffix(strings.TrimSpace(fb.Decode(s.IDs[f.Start:f.End])), "."), "The %s is %s of the %s", &x, &d, &y)
			rel[[2]string{d, y}] = x
			rel[[2]string{"of:" + opposite[d], x}] = y
		}
		if s.Facts[0].Start/S == s.Facts[1].Start/S {
			same++
		} else {
			apart++
		}
		q := strings.TrimSuffix(strings.TrimSpace(fb.Decode(s.IDs[s.Question.Start:s.Question.End])), "?")
		var got string
		var d, y string
		if _, err := fmt.Sscanf(q, "What is the %s %s of", &y, &d); err == nil {
			// "What is the Y d of?": the X with Y d of X.
			for k, v := range rel {
				if k[0] == "of:"+d && v == y {
					got = k[1]
				}
			}
		} else {
			fmt.Sscanf(q, "What is %s of the %s", &d, &y)
			got = rel[[2]string{d, y}]
		}
		if got != s.Answer {
			t.Fatalf("sample %d: question %q over facts %v gives %q, answer %q", i, q, rel, got, s.Answer)
		}
	}
	if same == 0 || apart == 0 {
		t.Errorf("facts in one segment %d times, apart %d times; want both", same, apart)
	}
}

// Noise never states a task fact: no noise run of any task names a task
// entity, from books or filler.
func TestNoiseHasNoFacts(t *testing.T) {
	for _, nc := range noiseCases(t) {
		for _, task := range []string{"memorize", "detect", "reasoning", "babi"} {
			cfg := TaskConfig{Name: task, Segments: 4, SegmentSize: 512, Seed: 5, NoiseDir: nc.dir, BabiDir: babiDir, BabiTasks: []int{1, 2, 3, 4, 5}, Tokenizer: fakeBytes{}}
			if task == "babi" {
				if _, err := os.Stat(babiDir); err != nil {
					continue
				}
			}
			tsk, err := NewTask(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 60 {
				s, err := tsk.SampleAt(i)
				if err != nil {
					t.Fatal(err)
				}
				for _, run := range haystackNoise(fakeBytes{}, s) {
					if MentionsTaskWord(run) {
						t.Fatalf("%s/%s sample %d: noise %q names a task entity", nc.name, task, i, run)
					}
				}
			}
		}
	}
}

// bAbI samples: every statement of the story before the question is in
// the sample, in order; the question, answer and supporting facts belong to
// that story.
func TestBabiSamples(t *testing.T) {
	needShared(t, babiDir)
	known := map[string]bool{} // facts | question | answer of every qa1-qa5 question
	for n := 1; n <= 5; n++ {
		file, _ := BabiFile(babiDir, n, false)
		stories, err := ReadBabiFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range stories {
			for _, q := range st.Questions() {
				known[strings.Join(q.Facts, " ")+" | "+q.Question+" | "+q.Answer] = true
			}
		}
	}
	for _, nc := range noiseCases(t) {
		for _, shape := range [][2]int{{1, 512}, {4, 256}, {16, 128}} {
			cfg := TaskConfig{Name: "babi", Segments: shape[0], SegmentSize: shape[1], Seed: 9, NoiseDir: nc.dir, BabiDir: babiDir, BabiTasks: []int{1, 2, 3, 4, 5}, Tokenizer: fakeBytes{}}
			tsk, err := NewTask(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 40 {
				s, err := tsk.SampleAt(i)
				if err != nil {
					t.Fatal(err)
				}
				checkSample(t, cfg, s)
				var facts []string
				for _, f := range s.Facts {
					facts = append(facts, strings.TrimSpace(fb.Decode(s.IDs[f.Start:f.End])))
				}
				q := strings.TrimSpace(fb.Decode(s.IDs[s.Question.Start:s.Question.End]))
				if key := strings.Join(facts, " ") + " | " + q + " | " + s.Answer; !known[key] {
					t.Fatalf("%s %v sample %d: facts and question %q are not a bAbI story in order", nc.name, shape, i, key)
				}
				found := false
				for _, k := range s.Supporting {
					found = found || strings.Contains(facts[k], s.Answer)
				}
				if !found {
					t.Fatalf("sample %d: answer %q in none of the supporting facts %v of %q", i, s.Answer, s.Supporting, facts)
				}
			}
		}
	}
}

// Statements are inserted in order between noise sentences, with a story
// of our own whose order is visible.
func TestBabiOrder(t *testing.T) {
	var story strings.Builder
	places := []string{"bathroom", "hallway", "garden", "office", "kitchen", "bedroom"}
	for i, p := range places {
		fmt.Fprintf(&story, "%d Mary went to the %s.\n", i+1, p)
	}
	fmt.Fprintf(&story, "%d Where is Mary? \tbedroom\t%d\n", len(places)+1, len(places))
	dir := writeFiles(t, map[string]string{"qa1_single-supporting-fact_train.txt": story.String()})
	cfg := TaskConfig{Name: "babi", Segments: 8, SegmentSize: 128, BabiDir: dir, Tokenizer: fakeBytes{}}
	tsk, err := NewTask(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		s, _ := tsk.SampleAt(i)
		checkSample(t, cfg, s)
		for k, f := range s.Facts {
			if got, want := fb.Decode(s.IDs[f.Start:f.End]), " Mary went to the "+places[k]+"."; got != want {
				t.Fatalf("sample %d: fact %d = %q, want %q", i, k, got, want)
			}
			// At a sentence boundary: after a full stop (or at the start).
			if f.Start > 0 && s.IDs[f.Start-1] != '.' {
				t.Fatalf("sample %d: fact %d follows %q, want a sentence end", i, k, fb.Decode(s.IDs[max(0, f.Start-10):f.Start]))
			}
		}
		if s.Supporting[0] != len(places)-1 {
			t.Fatalf("supporting = %v, want [%d]", s.Supporting, len(places)-1)
		}
	}
}

// lmFiles makes a text directory of n documents of about size bytes.
func lmFiles(t *testing.T, n, size int) string {
	files := map[string]string{}
	for i := range n {
		files[fmt.Sprintf("doc%d.txt", i)] = fillerText(int64(i), size/60)
	}
	return writeFiles(t, files)
}

func TestLMSamples(t *testing.T) {
	dirs := []noiseCase{{"generated", lmFiles(t, 3, 40000)}}
	if _, err := os.Stat(booksDir); err == nil {
		dirs = append(dirs, noiseCase{"books", booksDir})
	}
	for _, dc := range dirs {
		for _, shape := range [][2]int{{1, 64}, {3, 100}, {8, 512}} {
			cfg := TaskConfig{Name: "lm", Segments: shape[0], SegmentSize: shape[1], Seed: 1, TextDir: dc.dir, EvalEvery: -1, Tokenizer: fakeBytes{}}
			tsk, err := NewTask(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 10 {
				s, err := tsk.SampleAt(i)
				if err != nil {
					t.Fatal(err)
				}
				L := cfg.Length()
				if len(s.IDs) != L || len(s.LabelMask) != L || s.LabelMask[0] || s.AnswerStart != -1 {
					t.Fatalf("%s %v: %d ids, mask[0] %v, answer at %d", dc.name, shape, len(s.IDs), s.LabelMask[0], s.AnswerStart)
				}
				for k := 1; k < L; k++ {
					if !s.LabelMask[k] {
						t.Fatalf("LabelMask[%d] false, want every token but the first", k)
					}
				}
				again, _ := tsk.SampleAt(i)
				if !reflect.DeepEqual(s, again) {
					t.Fatalf("SampleAt(%d) twice differs", i)
				}
				if dc.name == "generated" {
					// The window is a piece of one document.
					text := fb.Decode(s.IDs)
					found := false
					for k := range 3 {
						b, _ := os.ReadFile(fmt.Sprintf("%s/doc%d.txt", dc.dir, k))
						found = found || strings.Contains(string(b), text)
					}
					if !found {
						t.Fatalf("window %q is not a piece of a document", text[:40])
					}
				}
			}
		}
	}
}

// Inputs the tasks cannot use are clear errors naming the flag.
func TestTaskErrors(t *testing.T) {
	shortText := lmFiles(t, 2, 3000)
	noQuestions := writeFiles(t, map[string]string{"qa1_x_train.txt": "1 Mary went to the office.\n"})
	bad := writeFiles(t, map[string]string{"qa1_x_train.txt": "1 Mary went to the office.\n3 Where is Mary?\toffice\t1\n"})
	long := writeFiles(t, map[string]string{"qa1_x_train.txt": "1 Mary went to the office.\n2 John went to the hallway.\n3 Where is Mary?\toffice\t1\n"})
	base := TaskConfig{Segments: 2, SegmentSize: 128, Tokenizer: fakeBytes{}}
	with := func(f func(*TaskConfig)) TaskConfig { c := base; f(&c); return c }
	for _, tc := range []struct {
		name string
		cfg  TaskConfig
		want string
	}{
		{"unknown task", with(func(c *TaskConfig) { c.Name = "copy" }), `task "copy"`},
		{"no tokenizer", with(func(c *TaskConfig) { c.Name = "memorize"; c.Tokenizer = nil }), "tokenizer"},
		{"no segments", with(func(c *TaskConfig) { c.Name = "memorize"; c.Segments = 0 }), "segments"},
		{"bad split", with(func(c *TaskConfig) { c.Name = "memorize"; c.Split = "test" }), "split"},
		{"memorize segment too short", with(func(c *TaskConfig) { c.Name = "memorize"; c.SegmentSize = 40 }), "segment_size 40"},
		{"detect segment too short", with(func(c *TaskConfig) { c.Name = "detect"; c.SegmentSize = 60 }), "segment_size 60"},
		{"reasoning segment too short", with(func(c *TaskConfig) { c.Name = "reasoning"; c.SegmentSize = 100 }), "segment_size 100"},
		{"babi without dir", with(func(c *TaskConfig) { c.Name = "babi" }), "babi_dir"},
		{"babi missing dir", with(func(c *TaskConfig) { c.Name = "babi"; c.BabiDir = "/nonexistent/babi" }), "babi_dir"},
		{"babi task 21", with(func(c *TaskConfig) { c.Name = "babi"; c.BabiDir = long; c.BabiTasks = []int{21} }), "babi_task 21"},
		{"babi no file for task", with(func(c *TaskConfig) { c.Name = "babi"; c.BabiDir = long; c.BabiTasks = []int{2} }), "qa2"},
		{"babi malformed", with(func(c *TaskConfig) { c.Name = "babi"; c.BabiDir = bad }), "line 2"},
		{"babi no questions", with(func(c *TaskConfig) { c.Name = "babi"; c.BabiDir = noQuestions }), "no questions"},
		{"babi segment too short", with(func(c *TaskConfig) { c.Name = "babi"; c.BabiDir = long; c.SegmentSize = 20; c.Segments = 10 }), "segment_size 20"},
		{"babi story too long", with(func(c *TaskConfig) { c.Name = "babi"; c.BabiDir = long; c.SegmentSize = 50; c.Segments = 1 }), "fits in 1 x 50"},
		{"noise corpus too short", with(func(c *TaskConfig) { c.Name = "detect"; c.NoiseDir = shortText; c.EvalEvery = -1; c.Segments = 64 }), "noise_dir"},
		{"lm without dir", with(func(c *TaskConfig) { c.Name = "lm" }), "text_dir"},
		{"lm corpus too short", with(func(c *TaskConfig) { c.Name = "lm"; c.TextDir = shortText; c.EvalEvery = -1; c.Segments = 64 }), "text_dir"},
		{"lm empty dir", with(func(c *TaskConfig) { c.Name = "lm"; c.TextDir = t.TempDir() }), "text_dir"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewTask(tc.cfg)
			if err == nil || !strings.HasPrefix(err.Error(), "data: ") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("NewTask error %v, want one with %q", err, tc.want)
			}
		})
	}
	tsk, _ := NewTask(with(func(c *TaskConfig) { c.Name = "memorize" }))
	if _, err := tsk.SampleAt(-1); err == nil {
		t.Errorf("SampleAt(-1): nil error")
	}
}

// BenchmarkSamples64x512 builds samples of 64 segments x 512 tokens with
// book noise, with a byte tokenizer (the cost of the data code itself) and
// with the stories260K BPE tokenizer.json (what a real run pays; most of it
// is tokenization). 1,000 samples must take under a few seconds (issue 4).
func BenchmarkSamples64x512(b *testing.B) {
	needShared(b, booksDir)
	for _, task := range taskNames {
		b.Run(task, func(b *testing.B) {
			benchSamples(b, task, fakeBytes{})
		})
	}
	tok, err := LoadTokenizer(filepath.Join(booksDir, "..", "..", "models", "stories260K"))
	if err != nil {
		b.Skip("stories260K tokenizer not available:", err)
	}
	for _, task := range []string{"memorize", "lm"} {
		b.Run(task+"/stories260K-bpe", func(b *testing.B) { benchSamples(b, task, tok) })
	}
}

func benchSamples(b *testing.B, task string, tok Tokenizer) {
	if task == "babi" {
		needShared(b, babiDir)
	}
	tsk, err := NewTask(TaskConfig{Name: task, Segments: 64, SegmentSize: 512, Seed: 1,
		NoiseDir: booksDir, TextDir: booksDir, BabiDir: babiDir, BabiTasks: []int{1, 2, 3, 4, 5}, Tokenizer: tok})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	for i := 0; b.Loop(); i++ {
		if _, err := tsk.SampleAt(i); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "samples/s")
}
