//go:build purego

package kernels

// BLASName names the BLAS behind Gemm, for benchmark reports.
const BLASName = "gonum (pure Go)"

// setBLASThreads does nothing: gonum's pure-Go BLAS starts no threads.
func setBLASThreads(int) {}

// BLASThreads is the number of threads one BLAS call may use: gonum's
// pure-Go BLAS uses the calling goroutine's.
func BLASThreads() int { return 1 }
