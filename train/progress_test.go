package train

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Off a terminal a step line carries the run's step out of its total and
// the time left; on one the bar with its description fits 80 columns,
// leaving room for clock times of up to 1h0m0s each.
func TestProgressLines(t *testing.T) {
	var log bytes.Buffer
	p := newProgress(Options{Log: &log}, 100, "stage 2 (4 seg)", 300, 100)
	p.start = time.Now().Add(-10 * time.Second) // 10 steps in 10 s
	p.Step(10, 110, "", "stage 2 (4 seg) | loss 0.5000", true)
	if got, want := log.String(), "step 110/300 | stage 2 (4 seg) | loss 0.5000 | eta 3m10s\n"; got != want {
		t.Errorf("step line %q, want %q", got, want)
	}

	var term bytes.Buffer
	p = newProgress(Options{Log: &term, Terminal: true}, 10000, "stage 12 (1024 seg)", 40000, 0)
	for i := 1; i <= 3; i++ {
		p.Step(i*5000-1, i*5000-1, "stage 12 (1024 seg) loss 12.3456", "", true)
		time.Sleep(70 * time.Millisecond) // past the bar's redraw throttle
	}
	p.Step(10000, 10000, "stage 12 (1024 seg) loss 12.3456", "", true)
	clock := regexp.MustCompile(`\[[0-9hms]*:[0-9hms]*\]`)
	drawn := 0
	for _, piece := range strings.Split(term.String(), "\r") {
		piece = strings.TrimRight(piece, " \n")
		if piece == "" {
			continue
		}
		drawn++
		// The clock is drawn as [elapsed:left]; give each up to "1h0m0s".
		width := utf8.RuneCountInString(clock.ReplaceAllString(piece, "[1h0m0s:1h0m0s]"))
		if width > 80 {
			t.Errorf("progress bar %q is %d columns with hour-long times, want at most 80", piece, width)
		}
	}
	if drawn == 0 {
		t.Fatal("no progress bar drawn")
	}
}
