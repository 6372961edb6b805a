package main

import (
	"encoding/json"
	"os"
	"slices"
	"strings"

	"github.com/rmtgo/rmt/internal/flaghint"
	"github.com/rmtgo/rmt/train"
)

// flagNames calls the config fields that library errors name by this
// command's flags: segment_size is --segment-size; the one field whose
// flag has another name is listed here.
func flagNames() func(string) string {
	fs, _ := flagSet(new(train.Config), new(commandFlags))
	return flaghint.Names(map[string]string{"noise_unfiltered": "--noise-filter"}, fs)
}

// userMessage is err as the command prints it: fields named as flags.
func userMessage(err error) string { return flaghint.Message(err, flagNames()) }

// fromConfigFile marks err, an error of the config resolved from the file
// path and the flags set, so that the fields the file set and no flag
// overrode keep their config names (a *flaghint.FileError).
func fromConfigFile(err error, path string, set []string) error {
	if err == nil || path == "" {
		return err
	}
	raw, rerr := os.ReadFile(path)
	var keys map[string]json.RawMessage
	if rerr != nil || json.Unmarshal(raw, &keys) != nil {
		return err
	}
	var fields []string
	for k := range keys {
		if !slices.Contains(set, strings.ReplaceAll(k, "_", "-")) {
			fields = append(fields, k)
		}
	}
	return &flaghint.FileError{Err: err, File: "--config " + path, Fields: fields}
}
