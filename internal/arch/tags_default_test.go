//go:build !purego

package arch

// listTags are the build tags go list needs to see the packages this test
// binary was built with.
var listTags []string
