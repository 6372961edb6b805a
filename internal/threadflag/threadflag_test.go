package threadflag

import (
	"flag"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph/kernels"
)

func TestBind(t *testing.T) {
	before := kernels.Threads()
	t.Cleanup(func() {
		if err := kernels.SetThreads(before); err != nil {
			t.Fatal(err)
		}
		kernels.SetSpin(true)
	})
	parse := func(args ...string) error {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		Bind(fs)
		return fs.Parse(args)
	}
	for _, c := range []struct {
		args    []string
		threads int
		spin    bool
	}{
		{[]string{"--threads", "3"}, 3, true},
		{[]string{"--threads=2", "--spin=false"}, 2, false},
		{[]string{"--spin"}, 2, true}, // not given: the setting stays
		{[]string{"-threads", "1", "-spin=0"}, 1, false},
	} {
		if err := parse(c.args...); err != nil {
			t.Fatalf("parse %q: %v", c.args, err)
		}
		if kernels.Threads() != c.threads || kernels.Spin() != c.spin {
			t.Errorf("parse %q: threads %d spin %v, want %d %v", c.args, kernels.Threads(), kernels.Spin(), c.threads, c.spin)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--threads", "0"}, `invalid value "0" for flag -threads: want a whole number of threads, at least 1`},
		{[]string{"--threads", "-2"}, `invalid value "-2" for flag -threads`},
		{[]string{"--threads", "two"}, `invalid value "two" for flag -threads`},
		{[]string{"--threads"}, "flag needs an argument: -threads"},
		{[]string{"--spin=maybe"}, `invalid boolean value "maybe" for -spin`},
	} {
		err := parse(c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parse %q = %v, want an error containing %q", c.args, err, c.want)
		}
	}
	if kernels.Threads() != 1 {
		t.Errorf("a rejected --threads changed the setting to %d", kernels.Threads())
	}
}

// The default shown by -h is the current setting: the cores available
// unless something set it.
func TestDefaultIsCurrent(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	Bind(fs)
	if got, want := fs.Lookup("threads").Value.String(), strconv.Itoa(kernels.Threads()); got != want {
		t.Errorf("--threads default %q, want %q", got, want)
	}
	if got := fs.Lookup("spin").Value.String(); got != strconv.FormatBool(kernels.Spin()) {
		t.Errorf("--spin default %q, want %v", got, kernels.Spin())
	}
}
