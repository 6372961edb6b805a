//go:build !purego

// Package openblas routes gonum's float32 and float64 BLAS to OpenBLAS
// (Debian libopenblas-dev) through cgo. It is its own package because a
// package that uses cgo cannot also hold Go assembly, and the kernels do.
package openblas

// #cgo LDFLAGS: -lopenblas
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

func init() {
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
}
