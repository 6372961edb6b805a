package flagdoc

import (
	"flag"
	"strings"
	"testing"
)

const doc = "# x\n\n## `cmd/a`\n\n| flag | default | meaning |\n| --- | --- | --- |\n" +
	"| `--mem-stability λ` | 0 | weight |\n| `--model DIR` | built-in model | folder |\n\n## `cmd/b`\n\n" +
	"`--segments 1,2,4`, `--save` (true: keep),\n`--progress\n10s`, `--json`.\n"

// A default that drifted, a flag without a row, and prose with a default
// broken over two lines are told apart.
func TestChecks(t *testing.T) {
	fs := flag.NewFlagSet("a", flag.ContinueOnError)
	fs.Float64("mem-stability", 0.1, "")
	fs.String("model", "", "")
	fs.Int("batch", 8, "")
	got := strings.Join(CheckTable(Section(doc, "`cmd/a`"), FromSet(fs)), "\n")
	if !strings.Contains(got, `--mem-stability: the docs give default "0", the flag has "0.1"`) || !strings.Contains(got, "--batch has no row") ||
		strings.Contains(got, "--model") {
		t.Errorf("CheckTable said:\n%s", got)
	}
	b := flag.NewFlagSet("b", flag.ContinueOnError)
	b.String("segments", "1,2,4", "")
	b.Bool("save", true, "")
	b.Duration("progress", 0, "")
	b.Bool("json", false, "")
	b.Int("seed", 7, "")
	var usage strings.Builder
	b.SetOutput(&usage)
	b.PrintDefaults()
	flags := FromUsage(usage.String())
	if len(flags) != 5 || flags[4].Name != "segments" || flags[4].Default != "1,2,4" {
		t.Fatalf("FromUsage = %+v", flags)
	}
	got = strings.Join(CheckProse(Section(doc, "`cmd/b`"), flags), "\n")
	if got != "--seed is not named" {
		t.Errorf("CheckProse said:\n%s\nwant only that --seed is not named", got)
	}
}
