//go:build purego

package arch

// listTags are the build tags go list needs to see the packages this test
// binary was built with: without cgo, the OpenBLAS package has no files.
var listTags = []string{"-tags", "purego"}
