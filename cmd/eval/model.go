package main

import (
	"fmt"
	"os"

	"github.com/rmtgo/rmt/eval"
)

// loadModel reads a HuggingFace folder, or the built-in model when dir is
// "". The memory of an exported folder is set aside with a note on stderr.
func loadModel(dir string) (*eval.Model, error) {
	m, err := eval.LoadModel(dir)
	if err != nil {
		return nil, err
	}
	if note := m.MemoryNote(dir); note != "" {
		fmt.Fprintln(os.Stderr, note)
	}
	return m, nil
}
