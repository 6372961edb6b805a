// Package kernels holds the numerical loops behind the graph's custom ops:
// matrix products through BLAS, row-parallel normalisation, activations,
// attention and cross-entropy, in float32 (fast paths) and float64 (the
// reference used by finite-difference gradient checks).
//
// Kernels work on plain row-major slices and never allocate on the hot path
// when given a cache. Every kernel that splits its work across threads
// takes a *Pool first: the caller's settings (threads, a cap on one op's
// workers, spinning helpers), read once per call; nil is the defaults. The
// package keeps no setting of its own; OpenBLAS's thread count, which the C
// library keeps for the process, stays at one (see Pool).
//
// The float32 matrix products go to OpenBLAS in the default build (cgo,
// Debian libopenblas-dev) and to gonum's pure-Go BLAS when built with the
// purego tag:
//
//	go test -tags purego ./...
package kernels
