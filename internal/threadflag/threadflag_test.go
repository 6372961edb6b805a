package threadflag

import (
	"flag"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph/kernels"
)

// The flags fill the settings the command owns (two flag sets, two values
// that do not see each other's), and --threads sets the scheduler's
// GOMAXPROCS; rejected values change nothing.
func TestBind(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	parse := func(s *kernels.Settings, args ...string) error {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		BindTo(fs, s)
		return fs.Parse(args)
	}
	var s kernels.Settings
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
		if err := parse(&s, c.args...); err != nil {
			t.Fatalf("parse %q: %v", c.args, err)
		}
		if s.Threads != c.threads || s.NoSpin == c.spin || runtime.GOMAXPROCS(0) != c.threads {
			t.Errorf("parse %q: %+v, GOMAXPROCS %d; want threads %d spin %v", c.args, s, runtime.GOMAXPROCS(0), c.threads, c.spin)
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
		err := parse(&s, c.args...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("parse %q = %v, want an error containing %q", c.args, err, c.want)
		}
	}
	if s.Threads != 1 || runtime.GOMAXPROCS(0) != 1 {
		t.Errorf("a rejected --threads changed the setting to %d (GOMAXPROCS %d)", s.Threads, runtime.GOMAXPROCS(0))
	}
	other := Bind(flag.NewFlagSet("other", flag.ContinueOnError))
	if *other != (kernels.Settings{}) {
		t.Errorf("a second flag set's settings start at %+v, want the zero (default) settings", *other)
	}
}

// The default shown by -h is the kernels' default: the cores available,
// spinning on.
func TestDefaultIsCurrent(t *testing.T) {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	Bind(fs)
	if got, want := fs.Lookup("threads").Value.String(), strconv.Itoa(runtime.GOMAXPROCS(0)); got != want {
		t.Errorf("--threads default %q, want %q", got, want)
	}
	if got := fs.Lookup("spin").Value.String(); got != "true" {
		t.Errorf("--spin default %q, want true", got)
	}
}
