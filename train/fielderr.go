package train

import (
	"fmt"

	"github.com/rmtgo/rmt/internal/field"
)

// bad is a train error about the value of the config field f (a JSON key
// of Config), which a command renames to its flag (internal/field).
func bad(f, format string, args ...any) error {
	return fmt.Errorf("train: %w", field.Errorf(f, format, args...))
}

// name is what the caller calls the config field f in log notes
// (Options.Names).
func (t *trainer) name(f string) string {
	if t.opt.Names == nil {
		return f
	}
	return t.opt.Names(f)
}

// badWrap is a train error about field f caused by err.
func badWrap(f, msg string, err error) error {
	return fmt.Errorf("train: %w", field.Wrap(f, msg, err))
}
