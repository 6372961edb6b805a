package data

import (
	"strings"
	"testing"
)

// FuzzParseBabi checks that the bAbI parser never panics, names the file
// in its errors, and that what it accepts keeps the format's promises:
// stories numbered from 1 without gaps, questions with an answer and
// supporting ids of earlier statements.
func FuzzParseBabi(f *testing.F) {
	f.Add("1 Mary went to the garden.\n2 John went to the hallway.\n3 Where is Mary? \tgarden\t1\n")
	f.Add("1 Mary got the milk.\n2 Where is the milk?\tgarden\t1 1\n1 A new story.\n2 Where? \tx\t1\n")
	f.Add("1 Where is Mary?\n")
	f.Add("2 Out of order.\n")
	f.Add("1 a\n1 b\t\t\n")
	f.Add("1 q? \tans\t3\n")
	f.Add("x y\n\n\r\n1\t\n")
	f.Fuzz(func(t *testing.T, in string) {
		stories, err := ParseBabi(strings.NewReader(in), "qa1_train.txt")
		if err != nil {
			if !strings.Contains(err.Error(), "qa1_train.txt") {
				t.Errorf("ParseBabi error %q does not name the file", err)
			}
			return
		}
		for _, s := range stories {
			statements := map[int]bool{}
			for i, l := range s.Lines {
				if l.ID != i+1 {
					t.Fatalf("story line %d has id %d", i, l.ID)
				}
				if l.Text == "" {
					t.Fatalf("accepted an empty line text: %+v", l)
				}
				if !l.Question {
					statements[l.ID] = true
					continue
				}
				if l.Answer == "" || len(l.Supports) == 0 {
					t.Fatalf("accepted a question without answer or supports: %+v", l)
				}
				for _, id := range l.Supports {
					if !statements[id] {
						t.Fatalf("question %+v cites %d, no earlier statement", l, id)
					}
				}
			}
			for _, q := range s.Questions() {
				for _, k := range q.Supports {
					if k < 0 || k >= len(q.Facts) {
						t.Fatalf("question %q supports index %d of %d facts", q.Question, k, len(q.Facts))
					}
				}
			}
		}
	})
}

// FuzzParseTokenizer checks that tokenizer.json parsing never panics and
// that an accepted tokenizer encodes and decodes text without panicking,
// giving ids inside its vocabulary.
func FuzzParseTokenizer(f *testing.F) {
	f.Add([]byte(`{"model": {"type": "BPE", "unk_token": "<unk>", "fuse_unk": true, "byte_fallback": false,
		"vocab": {"<unk>": 0, "a": 1, "b": 2, "ab": 3}, "merges": [["a", "b"]]},
		"added_tokens": [{"id": 0, "content": "<unk>", "special": true}]}`), "abxyb")
	f.Add([]byte(`{"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
		"decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": true},
		"added_tokens": [{"id": 3, "content": "<s>", "special": true}],
		"model": {"type": "BPE", "vocab": {"▁": 0, "a": 1, "b": 2, "<s>": 3, "▁a": 4, "▁b": 5}, "merges": [["▁", "a"], ["▁", "b"]]}}`), "a b<s>ab")
	f.Add([]byte(`{"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false}, "decoder": {"type": "ByteLevel"},
		"model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "Ġ": 2, "Ġa": 3}, "merges": ["Ġ a"]}}`), "a a b")
	f.Add([]byte(`{"model": {"type": "Unigram", "vocab": [["a", -1.0]]}}`), "a")
	f.Add([]byte(`{"model": {"vocab": {"a": 0}`), "")
	f.Add([]byte(`{"model": {"type": "BPE", "byte_fallback": true, "vocab": {"<0xZZ>": 0}}, "decoder": {"type": "ByteFallback"}}`), "\xff")
	f.Fuzz(func(t *testing.T, raw []byte, text string) {
		tok, err := parseTokenizer(raw)
		if err != nil {
			return
		}
		ids, err := tok.Encode(text)
		if err != nil {
			return
		}
		for _, id := range ids {
			if id < 0 || id >= tok.VocabSize() {
				t.Fatalf("Encode(%q) gave id %d outside the vocabulary of %d", text, id, tok.VocabSize())
			}
		}
		_ = tok.Decode(ids)
	})
}
