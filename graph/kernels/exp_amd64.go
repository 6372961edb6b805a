//go:build !purego

package kernels

import (
	"golang.org/x/sys/cpu"

	"github.com/rmtgo/rmt/graph/kernels/internal/avx"
)

// haveAVX2 selects the AVX2+FMA assembly loops of package avx; without them
// (or with the purego build tag) the portable Go loops run instead.
var haveAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

var haveVecExp = haveAVX2

// expVec32 sets dst[i] = e^src[i] for i < n; n is a multiple of 8.
func expVec32(dst, src *float32, n int) { avx.Exp(dst, src, n) }
