package flaghint

import (
	"errors"
	"flag"
	"slices"
	"strings"

	"github.com/rmtgo/rmt/internal/field"
)

// Names is how a command calls the config fields that library errors name
// (internal/field): the flag of sets that is the field with dashes for
// underscores ("segment_size": "--segment-size"), else except[field] for a
// flag of another name ("noise_unfiltered": "--noise-filter"), else the
// field itself, which no flag of the command sets.
func Names(except map[string]string, sets ...*flag.FlagSet) func(string) string {
	return func(f string) string {
		dashed := strings.ReplaceAll(f, "_", "-")
		for _, fs := range sets {
			if fs.Lookup(dashed) != nil {
				return "--" + dashed
			}
		}
		if fl, ok := except[f]; ok {
			return fl
		}
		return f
	}
}

// Message is err's message with the fields it names called what name
// calls them; fields that a config file set (a *FileError) keep their
// names, and the message says which file set the bad value.
func Message(err error, name func(string) string) string {
	var fe *FileError
	if !errors.As(err, &fe) {
		return field.Rename(err, name)
	}
	msg := field.Rename(err, func(f string) string {
		if slices.Contains(fe.Fields, f) {
			return f
		}
		return name(f)
	})
	if e, ok := errors.AsType[*field.Error](err); ok && slices.Contains(fe.Fields, e.Field) {
		msg += " (set by " + fe.File + ")"
	}
	return msg
}

// FileError is Err, whose values of Fields came from the config file File
// and not from flags.
type FileError struct {
	Err    error
	File   string
	Fields []string
}

func (e *FileError) Error() string { return e.Err.Error() }

func (e *FileError) Unwrap() error { return e.Err }
