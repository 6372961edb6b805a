// Package avx holds float32 loops for package kernels written in Go
// assembly for amd64 with AVX2 and FMA: a vectorised exp and the row-level
// products, reductions and updates of the attention kernel.
//
// It is a separate package because package kernels uses cgo (OpenBLAS), and
// the go command does not accept Go assembly in a cgo package. The functions
// exist only on amd64 without the purego build tag; callers must check
// golang.org/x/sys/cpu for AVX2 and FMA and fall back to Go otherwise:
//
//	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
//		avx.Exp(&dst[0], &src[0], len(src)&^7)
//	}
package avx
