package tokcompare

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sugarme/tokenizer"
	"github.com/sugarme/tokenizer/decoder"
	"github.com/sugarme/tokenizer/pretrained"

	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/internal/testutil"
)

// refCase is one text of a reference fixture with HF's ids for it, without
// the BOS the Llama post-processor adds (neither side here adds it).
type refCase struct {
	text string
	ids  []int
}

// fixtureCases reads the tokenizer_reference.json of the shared model
// folder rel: the Llama fixture holds ids_tokenizer_json (with BOS), the
// GPT-2 one ids.
func fixtureCases(t testing.TB, rel string) (string, []refCase) {
	dir := testutil.Shared(t, rel)
	var ref struct {
		Cases []struct {
			Text    string `json:"text"`
			IDs     []int  `json:"ids"`
			IDsJSON []int  `json:"ids_tokenizer_json"`
		} `json:"cases"`
	}
	testutil.ReadJSON(t, filepath.Join(dir, "tokenizer_reference.json"), &ref)
	var out []refCase
	for _, c := range ref.Cases {
		ids := c.IDs
		if c.IDsJSON != nil {
			ids = c.IDsJSON[1:] // drop BOS
		}
		out = append(out, refCase{c.Text, ids})
	}
	return dir, out
}

// sugarmeEncode encodes text without special tokens, turning a panic into
// an error.
func sugarmeEncode(tk *tokenizer.Tokenizer, text string) (ids []int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	en, err := tk.EncodeSingle(text, false)
	if err != nil {
		return nil, err
	}
	return en.Ids, nil
}

// TestReference counts, per fixture, the cases where each tokenizer gives
// HF's ids. Package data must give all of them; sugarme's count is logged
// (it is the evidence package data's doc comment quotes).
func TestReference(t *testing.T) {
	for _, fx := range []struct{ name, rel string }{
		{"stories260K (Llama, byte fallback)", "models/stories260K"},
		{"GPT-2", "models/gpt2-tokenizer"},
	} {
		dir, cases := fixtureCases(t, fx.rel)
		ours, err := data.LoadTokenizer(dir)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := pretrained.FromFile(filepath.Join(dir, "tokenizer.json"))
		if err != nil {
			t.Fatal(err)
		}
		oursOK, theirsOK, panics := 0, 0, 0
		for _, c := range cases {
			if ids, err := ours.Encode(c.text); err == nil && slices.Equal(ids, c.ids) {
				oursOK++
			} else {
				t.Errorf("%s: data: Encode(%q) = %v, %v; want %v", fx.name, c.text, ids, err, c.ids)
			}
			ids, err := sugarmeEncode(theirs, c.text)
			switch {
			case err != nil:
				panics++
				t.Logf("%s: sugarme: %s: %v", fx.name, short(c.text), err)
			case slices.Equal(ids, c.ids):
				theirsOK++
			default:
				i := 0
				for i < min(len(ids), len(c.ids)) && ids[i] == c.ids[i] {
					i++
				}
				t.Logf("%s: sugarme: %s: ids differ from HF's at %d: %v, HF %v", fx.name, short(c.text), i,
					ids[i:min(i+4, len(ids))], c.ids[i:min(i+4, len(c.ids))])
			}
		}
		t.Logf("%s: %d cases; HF's ids from package data %d, from sugarme %d (%d errors or panics)",
			fx.name, len(cases), oursOK, theirsOK, panics)
	}
}

// short quotes at most 32 bytes of s.
func short(s string) string {
	if len(s) > 32 {
		return fmt.Sprintf("%q...", s[:32])
	}
	return fmt.Sprintf("%q", s)
}

// TestSugarmePanics holds the claim of data/doc.go that sugarme's decoders
// panic on two inputs where HF's return a value (package data's guards for
// them are tested by data.TestDecoderGuards); it fails once sugarme is fixed.
func TestSugarmePanics(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func()
	}{
		{"Strip decoder on a token shorter than its start", func() { decoder.NewStrip("\u2581", 1, 0).DecodeChain([]string{""}) }},
		{"ByteFallback decoder on a <0x..> token that is not hex", func() { decoder.NewByteFallback().DecodeChain([]string{"<0xZZ>"}) }},
	} {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("%v", r)
				}
			}()
			c.f()
			return nil
		}()
		if err == nil {
			t.Errorf("sugarme %s: no panic: the guard package data keeps for it (data/doc.go) may go", c.name)
			continue
		}
		t.Logf("sugarme %s: panic: %v", c.name, err)
	}
}

// bookText is the first n bytes of a book of the shared corpus.
func bookText(b *testing.B, n int) string {
	raw, err := os.ReadFile(filepath.Join(testutil.Shared(b, "corpus/books"), "Hardy_Tess_1891.txt"))
	if err != nil {
		b.Fatal(err)
	}
	return string(raw[:n])
}

// BenchmarkEncode encodes the same book text with both tokenizers, per
// tokenizer file and length; the timer covers Encode alone, and each
// iteration loads a fresh tokenizer so that no word cache carries over.
// (sugarme's Llama pipeline takes tens of seconds for 4 KiB, so its sizes
// stop there.)
func BenchmarkEncode(b *testing.B) {
	for _, fx := range []struct {
		name  string
		dir   string
		sizes []int
	}{{"llama", "models/stories260K", []int{1 << 10, 2 << 10, 4 << 10}}, {"gpt2", "models/gpt2-tokenizer", []int{4 << 10, 16 << 10}}} {
		dir := testutil.Shared(b, fx.dir)
		for _, n := range fx.sizes {
			text := bookText(b, n)
			b.Run(fmt.Sprintf("%s/%dKiB/data", fx.name, n>>10), func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					tok, err := data.LoadTokenizer(dir)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if _, err := tok.Encode(text); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(n))
			})
			b.Run(fmt.Sprintf("%s/%dKiB/sugarme", fx.name, n>>10), func(b *testing.B) {
				for range b.N {
					b.StopTimer()
					tk, err := pretrained.FromFile(filepath.Join(dir, "tokenizer.json"))
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if _, err := sugarmeEncode(tk, text); err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(n))
			})
		}
	}
}
