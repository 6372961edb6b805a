//go:build purego

package main

// buildTags are the tags the test binaries of cmd/train are built with.
const buildTags = "purego"
