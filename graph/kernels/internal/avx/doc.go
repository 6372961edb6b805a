// Package avx holds float32 loops for package kernels written in Go
// assembly for amd64: a vectorised exp, the row loops of a softmax, an 8×8
// block transpose and register-tiled matrix-product strips, each in an AVX2
// (with FMA) form and, where it pays, an AVX-512 (F and VL) form with the
// suffix 512.
//
// It is a separate package because package kernels uses cgo (OpenBLAS), and
// the go command does not accept Go assembly in a cgo package. The functions
// exist only on amd64 without the purego build tag. They take raw pointers
// and check nothing: callers check bounds, and check golang.org/x/sys/cpu for
// the instruction sets, falling back to Go otherwise:
//
//	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
//		avx.Exp(&dst[0], &src[0], len(src)&^7)
//	}
package avx

// strip512_amd64.s, pair512_amd64.s and row512_amd64.s are written by the
// avo program in gen/ (a module of its own, so that this module does not
// require avo); the other .s files are written by hand.
//
//go:generate go run -C gen . -dir ..
