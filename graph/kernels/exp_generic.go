//go:build purego || !amd64

package kernels

const haveAVX2 = false

const haveVecExp = false

func expVec32(dst, src *float32, n int) { panic("kernels: expVec32 without assembly") }
