//go:build !purego

package kernels

// Linking this package switches gonum's BLAS to OpenBLAS.
import _ "github.com/rmtgo/rmt/graph/kernels/openblas"

// BLASName names the BLAS behind Gemm, for benchmark reports.
const BLASName = "openblas"
