package main

import "fmt"

// resumeAuto is --resume=auto: fall back to the newest checkpoint that
// verifies when the latest does not.
var resumeAuto bool

// resumeMode is --resume: "" (a fresh run), "true" (--resume) or "auto"
// (--resume=auto). It is a boolean flag that also takes auto.
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
