//go:build !purego

package kernels

import "golang.org/x/sys/cpu"

// haveAVX2 selects the AVX2+FMA assembly kernels; without it (or with the
// purego build tag) the portable Go loops run instead.
var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

var haveVecExp = haveAVX2

// expVec32 sets dst[i] = e^src[i] for i < n; n is a multiple of 8.
//
//go:noescape
func expVec32(dst, src *float32, n int)
