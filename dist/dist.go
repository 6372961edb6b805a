// Package dist runs one job as N processes: data-parallel training and
// evaluation over MPI. Every process (rank) holds the whole model; ranks
// split the samples of each batch or evaluation, and combine gradients and
// results with collectives.
//
//	comm, err := dist.Init() // one process unless started by mpirun -np N of a -tags mpi build
//	defer comm.Finalize()
//	if err := comm.SumFloat32(flatGrads); err != nil { ... }
//	rows, err := comm.Rows(samples, 2, func(i int, row []float64) error { ... })
//
// The default build is one process and links no MPI: Init refuses to start
// when the environment says it was launched by mpirun with more than one
// process (OMPI_COMM_WORLD_SIZE for Open MPI, PMI_SIZE for MPICH), since N
// copies of a one-process job would each train alone and write the same
// run directory. The build tag mpi links Open MPI (libopenmpi-dev) through
// cogentcore.org/lab/base/mpi. Of the two Go bindings considered, it is
// the one with what data parallelism needs: in-place allreduce of float32
// and float64 slices, gather, broadcast and barrier, errors returned rather
// than printed, and a one-process build without cgo;
// github.com/cpmech/gosl/mpi reduces float64 only and returns no errors.
// Its Abort passes exit code 0 to MPI_Abort, which mpirun reports as
// success, so Abort here exits the process with a non-zero status instead:
// Open MPI's mpirun (and MPICH's) then end the whole job.
//
// Collectives must be called by every rank in the same order, from the
// main goroutine (the mpi build locks it to the thread that initialised
// MPI). A nil *Comm is one process.
package dist

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/rmtgo/rmt/internal/field"
	"math"
	"os"
	"strings"
)

// Rank is this process's index in the job, 0..Size-1.
func (c *Comm) Rank() int {
	if c == nil {
		return 0
	}
	return c.rank
}

// Size is the number of processes in the job.
func (c *Comm) Size() int {
	if c == nil {
		return 1
	}
	return c.size
}

// Root reports whether this is rank 0, the one that writes files and logs.
func (c *Comm) Root() bool { return c.Rank() == 0 }

// Mine reports whether item i of a list shared among the ranks is this
// rank's: items are dealt round-robin, i % Size == Rank.
func (c *Comm) Mine(i int) bool { return i%c.Size() == c.Rank() }

// Share is the number of n items dealt round-robin (Mine) that are this
// rank's.
func (c *Comm) Share(n int) int {
	return (n - c.Rank() + c.Size() - 1) / c.Size()
}

// Slice is this rank's share [lo, hi) of n items cut into Size contiguous
// blocks; n must be a multiple of Size (see Divides).
func (c *Comm) Slice(n int) (lo, hi int) {
	k := n / c.Size()
	return c.Rank() * k, (c.Rank() + 1) * k
}

// Divides checks that n items (the value of the config field f, e.g.
// "batch") split evenly among the ranks.
func (c *Comm) Divides(f string, n int) error {
	if n%c.Size() != 0 {
		return fmt.Errorf("dist: %w", field.Errorf(f, "%d does not split among %d processes; run with a process count that divides it", n, c.Size()))
	}
	return nil
}

// SumFloat32 replaces buf on every rank by the element-wise sum of every
// rank's buf (an in-place allreduce). All ranks pass the same length.
func (c *Comm) SumFloat32(buf []float32) error {
	if c.Size() == 1 || len(buf) == 0 {
		return nil
	}
	for off := 0; off < len(buf); off += maxCount {
		if err := c.sum32(buf[off:min(off+maxCount, len(buf))]); err != nil {
			return fmt.Errorf("dist: allreduce of %d float32: %w", len(buf), err)
		}
	}
	return nil
}

// SumFloat64 is SumFloat32 for float64.
func (c *Comm) SumFloat64(buf []float64) error {
	if c.Size() == 1 || len(buf) == 0 {
		return nil
	}
	for off := 0; off < len(buf); off += maxCount {
		if err := c.sum64(buf[off:min(off+maxCount, len(buf))]); err != nil {
			return fmt.Errorf("dist: allreduce of %d float64: %w", len(buf), err)
		}
	}
	return nil
}

// Barrier returns once every rank has called it.
func (c *Comm) Barrier() error {
	if c.Size() == 1 {
		return nil
	}
	if err := c.barrier(); err != nil {
		return fmt.Errorf("dist: barrier: %w", err)
	}
	return nil
}

// maxCount keeps every MPI message count inside a C int.
const maxCount = 1 << 30

// Rows runs f for the items 0..n-1 that are this rank's (Mine), each
// filling a row of width values (zeroed before the call), and returns all
// n rows, row i at [i*width, (i+1)*width), on every rank. Each row is
// computed by one rank and is zero on the others, so the sum that gathers
// them gives every value bit for bit: results folded from the rows in
// order are those of one process.
func (c *Comm) Rows(n, width int, f func(i int, row []float64) error) ([]float64, error) {
	rows := make([]float64, n*width)
	for i := 0; i < n; i++ {
		if !c.Mine(i) {
			continue
		}
		if err := f(i, rows[i*width:(i+1)*width]); err != nil {
			return nil, err
		}
	}
	if err := c.SumFloat64(rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// Same checks that every rank holds the same hash h of what (a config, the
// parameters at some step). Every rank learns the outcome, so every rank
// returns the same error, which names the ranks that differ from rank 0.
func (c *Comm) Same(what string, h uint64) error {
	if c.Size() == 1 {
		return nil
	}
	all, err := c.gatherHashes(h)
	if err != nil {
		return fmt.Errorf("dist: comparing %s: %w", what, err)
	}
	var off []string
	for r, hr := range all {
		if hr != all[0] {
			off = append(off, fmt.Sprint(r))
		}
	}
	if len(off) > 0 {
		return &SharedError{fmt.Errorf("dist: %s differs between ranks: rank %s against rank 0 (hash %016x)", what, strings.Join(off, ", "), all[0])}
	}
	return nil
}

// gatherHashes is every rank's h, by rank.
func (c *Comm) gatherHashes(h uint64) ([]uint64, error) {
	mine := binary.LittleEndian.AppendUint64(nil, h)
	all := make([]byte, 8*c.Size())
	if err := c.allGatherBytes(all, mine); err != nil {
		return nil, err
	}
	out := make([]uint64, c.Size())
	for r := range out {
		out[r] = binary.LittleEndian.Uint64(all[8*r:])
	}
	return out, nil
}

// SharedError is an error every rank returns alike (Same found a
// difference): rank 0 reports it, the others need not repeat it.
type SharedError struct{ Err error }

func (e *SharedError) Error() string { return e.Err.Error() }
func (e *SharedError) Unwrap() error { return e.Err }

// IsShared reports whether err is one every rank returned alike.
func IsShared(err error) bool {
	var s *SharedError
	return errors.As(err, &s)
}

// Abort ends the job with exit status code (at least 1): this process
// exits, and mpirun ends the other ranks when one exits non-zero.
func (c *Comm) Abort(code int) {
	os.Exit(max(code, 1))
}

// Hash is FNV-1a over 64-bit words, for checking that ranks hold the same
// parameters: Add the float32 slices in a fixed order, then Sum.
type Hash struct{ h uint64 }

// NewHash starts a hash.
func NewHash() *Hash { return &Hash{h: 14695981039346656037} }

// Add mixes the bits of x into the hash, two values a word.
func (h *Hash) Add(x []float32) {
	const prime = 1099511628211
	v := h.h
	i := 0
	for ; i+1 < len(x); i += 2 {
		v = (v ^ (uint64(math.Float32bits(x[i])) | uint64(math.Float32bits(x[i+1]))<<32)) * prime
	}
	if i < len(x) {
		v = (v ^ uint64(math.Float32bits(x[i]))) * prime
	}
	h.h = (v ^ uint64(len(x))) * prime
}

// AddBytes mixes b into the hash.
func (h *Hash) AddBytes(b []byte) {
	const prime = 1099511628211
	v := h.h
	for _, x := range b {
		v = (v ^ uint64(x)) * prime
	}
	h.h = (v ^ uint64(len(b))) * prime
}

// Sum is the hash of what was added.
func (h *Hash) Sum() uint64 { return h.h }
