package eval

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress reports a long evaluation as one line at most every Every:
//
//	accuracy 4096 seg | 3/100 samples | 6.3M/204.8M tokens | 41.2k tok/s | ~1h20m left
//
// The time left is the tokens still to read at the rate so far. A nil
// *Progress reports nothing, so callers pass nil for quiet runs. It is
// safe for concurrent use (samples read on several threads report to one).
type Progress struct {
	mu      sync.Mutex
	out     io.Writer
	label   string
	every   time.Duration
	samples int   // expected in all
	tokens  int64 // expected in all
	start   time.Time
	last    time.Time
	doneS   int
	doneT   int64
	now     func() time.Time // time.Now; tests replace it
}

// NewProgress starts a report of `samples` samples holding `tokens` tokens
// in all; every 0 or less means never to report. It returns nil when out is nil
// or every is not positive.
func NewProgress(out io.Writer, label string, samples int, tokens int64, every time.Duration) *Progress {
	if out == nil || every <= 0 {
		return nil
	}
	p := &Progress{out: out, label: label, every: every, samples: samples, tokens: tokens, now: time.Now}
	p.start = p.now()
	p.last = p.start
	return p
}

// Tokens records n more tokens read.
func (p *Progress) Tokens(n int) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.doneT += int64(n)
	p.maybe()
}

// Sample records one more sample done.
func (p *Progress) Sample() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.doneS++
	p.maybe()
}

func (p *Progress) maybe() {
	now := p.now()
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	fmt.Fprintln(p.out, p.line(now))
}

func (p *Progress) line(now time.Time) string {
	el := now.Sub(p.start).Seconds()
	rate := 0.0
	if el > 0 {
		rate = float64(p.doneT) / el
	}
	left, tokens := "?", count(float64(p.doneT))
	if p.tokens > 0 {
		tokens += "/" + count(float64(p.tokens))
	}
	switch {
	case p.tokens > 0 && rate > 0:
		left = "~" + time.Duration(float64(p.tokens-p.doneT)/rate*float64(time.Second)).Round(time.Second).String()
	case p.tokens <= 0 && p.doneS > 0:
		// Samples of a file have lengths unknown until read: the time
		// left is the samples still to read at the pace so far.
		left = "~" + time.Duration(float64(p.samples-p.doneS)*el/float64(p.doneS)*float64(time.Second)).Round(time.Second).String()
	}
	return fmt.Sprintf("%s | %d/%d samples | %s tokens | %s tok/s | %s left",
		p.label, p.doneS, p.samples, tokens, count(rate), left)
}

// count prints 1234 as 1234, 41234 as 41.2k, 6291456 as 6.3M.
func count(x float64) string {
	switch {
	case x >= 1e9:
		return fmt.Sprintf("%.1fG", x/1e9)
	case x >= 1e6:
		return fmt.Sprintf("%.1fM", x/1e6)
	case x >= 1e4:
		return fmt.Sprintf("%.1fk", x/1e3)
	}
	return fmt.Sprintf("%.0f", x)
}
