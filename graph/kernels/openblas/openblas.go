//go:build !purego

// Package openblas routes gonum's float32 and float64 BLAS to OpenBLAS
// (Debian libopenblas-dev) through cgo. It is its own package because a
// package that uses cgo cannot also hold Go assembly, and the kernels do.
package openblas

// #cgo LDFLAGS: -lopenblas
// void openblas_set_num_threads(int);
// int openblas_get_num_threads(void);
import "C"

import (
	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
	"gonum.org/v1/netlib/blas/netlib"
)

// OpenBLAS runs single-threaded: the kernels split large products across
// goroutines themselves. OpenBLAS's own threads spin in sched_yield after
// every call, which takes a core away from the Go-side work between
// products, and on the small products of small models (K = 64) threading
// inside BLAS costs more than it gains.
func init() {
	C.openblas_set_num_threads(1)
	blas32.Use(netlib.Implementation{})
	blas64.Use(netlib.Implementation{})
}

// SetThreads sets the threads one OpenBLAS call may use. The C library
// keeps this for the whole process: kernels.NewPool is its one caller, and
// always sets 1.
func SetThreads(n int) { C.openblas_set_num_threads(C.int(n)) }

// Threads is the threads one OpenBLAS call may use.
func Threads() int { return int(C.openblas_get_num_threads()) }
