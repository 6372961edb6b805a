package main

import (
	"fmt"
	"os"
	"strings"
)

// checkModel names a --model folder that is missing before anything is
// written (the built-in model and random:SHAPE need none).
func checkModel(model string) error {
	if model == "" || strings.HasPrefix(model, "random:") {
		return nil
	}
	fi, err := os.Stat(model)
	switch {
	case os.IsNotExist(err):
		return fmt.Errorf("--model %s: no such folder", model)
	case err != nil:
		return fmt.Errorf("--model: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("--model %s is a file; want a HuggingFace model folder or an exported run", model)
	}
	return nil
}
