//go:build !purego

package kernels

// Importing package openblas switches gonum's BLAS to OpenBLAS (its init).
import "github.com/rmtgo/rmt/graph/kernels/openblas"

// BLASName names the BLAS behind Gemm, for benchmark reports.
const BLASName = "openblas"

func setBLASThreads(n int) { openblas.SetThreads(n) }

// BLASThreads is the number of threads one BLAS call may use, as OpenBLAS
// reports it (openblas_get_num_threads).
func BLASThreads() int { return openblas.Threads() }
