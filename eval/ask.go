package eval

import (
	"errors"
	"fmt"
	"github.com/rmtgo/rmt/internal/field"
	"io"
	"strings"
	"time"
	"unicode"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/data"
	"github.com/rmtgo/rmt/graph"
)

// AskResult is what one read of a long input gave. The JSON names are a
// stable contract (docs/cli.md, eval ask --json).
type AskResult struct {
	Answer     string  `json:"answer"`
	TokensRead int64   `json:"tokens_read"` // prompt tokens read through memory
	Generated  int     `json:"generated"`   // tokens generated (EOS included)
	Segments   int     `json:"segments"`    // segments read into memory
	Seconds    float64 `json:"seconds"`
	TokensPerS float64 `json:"tokens_per_s"` // tokens read per second
	PeakRSSMB  float64 `json:"peak_rss_mb"`  // the process's peak resident set (VmHWM), model loading included
}

// Ask reads a prompt stream through cell a piece at a time (graph.Stream:
// only the memory and less than a segment of tokens are kept), then
// generates greedily up to maxNew tokens, stopping at EOS. progress, when
// not nil, hears of the tokens read so far after every piece.
func Ask(cell *graph.Cell[float32], tok data.Tokenizer, ps *data.PromptStream, maxNew int, progress func(read int64)) (AskResult, error) {
	defer ps.Close()
	if maxNew < 1 {
		return AskResult{}, fmt.Errorf("eval: %w", field.Errorf("max_new", "%d, want at least 1", maxNew))
	}
	t0 := time.Now()
	st := cell.NewStream()
	var r AskResult
	var piece []int
	for {
		var err error
		piece, err = ps.Next(piece[:0])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return r, err
		}
		if err := st.Feed(piece); err != nil {
			return r, err
		}
		r.TokensRead += int64(len(piece))
		if progress != nil {
			progress(r.TokensRead)
		}
	}
	if r.TokensRead == 0 {
		return r, fmt.Errorf("eval: nothing to read: the context and question are empty")
	}
	readDone := time.Since(t0).Seconds()
	eos := tok.EOS()
	out, err := st.Generate(nil, maxNew, func(id int) bool { return id == eos })
	if err != nil {
		return r, err
	}
	r.Generated = len(out)
	if len(out) > 0 && out[len(out)-1] == eos {
		out = out[:len(out)-1]
	}
	r.Answer = strings.TrimSpace(tok.Decode(out))
	r.Segments = st.Segments()
	r.Seconds = time.Since(t0).Seconds()
	r.TokensPerS = float64(r.TokensRead) / max(readDone, 1e-9)
	r.PeakRSSMB = bench.PeakResidentMB()
	return r, nil
}

// Normalize is the text a normalised match compares: lower case, without
// punctuation, white space collapsed and trimmed.
func Normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) {
			return ' '
		}
		return unicode.ToLower(r)
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
