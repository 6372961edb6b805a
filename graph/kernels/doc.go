// Package kernels holds the numerical loops behind the graph's custom ops:
// matrix products through BLAS, row-parallel normalisation, activations,
// attention and cross-entropy, in float32 (fast paths) and float64 (the
// reference used by finite-difference gradient checks).
//
// Kernels work on plain row-major slices and never allocate on the hot path
// when given a cache. The float32 matrix products go to OpenBLAS in the
// default build (cgo, Debian libopenblas-dev) and to gonum's pure-Go BLAS when
// built with the purego tag:
//
//	go test -tags purego ./...
package kernels
