package main

import (
	"flag"
	"fmt"
	"math"
)

// commandFlags are the command's flags that are not run config.
type commandFlags struct {
	resume     resumeMode // --resume
	checkEvery int        // --check-every: steps between the ranks' parameter checks
	sweep      sweepFlags
}

// resumeMode is --resume: "" (a fresh run), "true" (--resume) or "auto"
// (--resume=auto: fall back to the newest checkpoint that verifies when
// the latest does not). It is a boolean flag that also takes auto.
type resumeMode string

func (m *resumeMode) String() string { return string(*m) }

func (m *resumeMode) Set(v string) error {
	switch v {
	case "true", "1":
		*m = "true"
	case "false", "0":
		*m = ""
	case "auto":
		*m = "auto"
	default:
		return fmt.Errorf("--resume=%s; want --resume or --resume=auto", v)
	}
	return nil
}

func (m *resumeMode) IsBoolFlag() bool { return true }

// finiteFlags refuses a NaN or Inf given to any number flag, naming it:
// the config is JSON, which has neither, and a NaN learning rate trains
// nothing.
func finiteFlags(fs *flag.FlagSet) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		g, ok := f.Value.(flag.Getter)
		if !ok || err != nil {
			return
		}
		if v, ok := g.Get().(float64); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			err = fmt.Errorf("--%s %v, want a finite number", f.Name, v)
		}
	})
	return err
}
