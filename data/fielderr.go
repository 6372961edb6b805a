package data

import (
	"fmt"

	optfield "github.com/rmtgo/rmt/internal/field"
)

// badField is a data error about the value of the option f, named by its
// config field (segment_size, noise_dir), which a command renames to its
// flag (internal/field).
func badField(f, format string, args ...any) error {
	return fmt.Errorf("data: %w", optErr(f, format, args...))
}

// wrapField is a data error about option f caused by err; msg may place
// err as {err}.
func wrapField(f, msg string, err error) error {
	return fmt.Errorf("data: %w", optfield.Wrap(f, msg, err))
}

// optErr is the *field.Error of option f (package data has its own field).
func optErr(f, format string, args ...any) error {
	return optfield.Errorf(f, format, args...)
}
