//go:build purego || !amd64

package kernels

const haveAVX512 = false

// vecKernels exists for the tests; without assembly there are none.
func vecKernels(avx512 bool) *rowKernels[float32] { return nil }
