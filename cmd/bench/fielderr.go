package main

import "github.com/rmtgo/rmt/internal/field"

// userMessage is err as the command prints it: the config fields that
// library errors name (internal/field) called by this command's flags.
// Every field the libraries bench calls name has a flag of the same name, dashes
// for underscores, in the subcommands that reach it (kv_heads: --kv-heads);
// TestFieldsAreFlags holds that.
func userMessage(err error) string { return field.Rename(err, field.Flag) }
