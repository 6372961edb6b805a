// Package field is the error of a bad option value, named by the option's
// field as a config file or the Go API knows it (segment_size, mem_tokens:
// train.Config's JSON keys). Library packages return it; a command, which
// knows its flags, renames the fields with Rename for the message it
// prints, so the library never speaks of command-line flags.
package field

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Error is a bad value of the option Field. Its message is Field, a space
// and Msg ("segment_size 0, want at least 1"); with Field empty, Msg
// alone. Msg may name other options as {field}; Err, when set, is the
// cause, printed where Msg says {err}, else after Msg.
type Error struct {
	Field string
	Msg   string
	Err   error
}

// Errorf is an *Error of field with the message format, args (fmt's
// verbs; {other_field} names another option; no %w: wrap with Wrap).
func Errorf(field, format string, args ...any) error {
	return &Error{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Wrap is an *Error of field whose message is msg followed by ": " and
// err ("resume: checkpoint c: no such file"), or with err in place of
// {err} in msg; msg may be empty.
func Wrap(field, msg string, err error) error {
	return &Error{Field: field, Msg: msg, Err: err}
}

// Plain names a field by itself: the name Error uses.
func Plain(f string) string { return f }

func (e *Error) Error() string { return e.Named(Plain) }

func (e *Error) Unwrap() error { return e.Err }

var ref = regexp.MustCompile(`\{([a-z][a-z0-9_]*)\}`)

// Named is the message with every field called what name calls it, in
// the cause too.
func (e *Error) Named(name func(field string) string) string {
	placed := false
	msg := ref.ReplaceAllStringFunc(e.Msg, func(m string) string {
		if m == "{err}" && e.Err != nil {
			placed = true
			return Rename(e.Err, name)
		}
		return name(m[1 : len(m)-1])
	})
	if e.Field != "" {
		if msg == "" || strings.HasPrefix(msg, ",") || strings.HasPrefix(msg, ":") {
			msg = name(e.Field) + msg
		} else {
			msg = name(e.Field) + " " + msg
		}
	}
	if e.Err != nil && !placed {
		msg += ": " + Rename(e.Err, name)
	}
	return msg
}

// Rename is err's message with the fields of the outermost *Error in its
// chain (and of those it wraps) called what name calls them; an error
// without one reads as it is.
func Rename(err error, name func(field string) string) string {
	msg := err.Error()
	var e *Error
	if !errors.As(err, &e) {
		return msg
	}
	return strings.Replace(msg, e.Error(), e.Named(name), 1)
}

// Flag is the usual flag name of a field: "--" and the field with dashes
// for underscores (segment_size: --segment-size).
func Flag(f string) string { return "--" + strings.ReplaceAll(f, "_", "-") }
