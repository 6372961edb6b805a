//go:build purego

package kernels

// BLASName names the BLAS behind Gemm, for benchmark reports.
const BLASName = "gonum (pure Go)"
