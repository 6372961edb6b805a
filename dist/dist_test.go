package dist

import (
	"errors"
	"fmt"
	"testing"
)

// TestOneProcess: a nil Comm, and Init's in the default build, is one
// process: rank 0 of 1, every item its own, collectives that leave their
// buffers as they are, and rows in order.
func TestOneProcess(t *testing.T) {
	for _, c := range []*Comm{nil, {size: 1}} {
		if c.Rank() != 0 || c.Size() != 1 || !c.Root() || !c.Mine(5) {
			t.Errorf("rank %d of %d, root %v, mine(5) %v; want rank 0 of 1, root, mine", c.Rank(), c.Size(), c.Root(), c.Mine(5))
		}
		if lo, hi := c.Slice(8); lo != 0 || hi != 8 {
			t.Errorf("Slice(8) = %d, %d, want 0, 8", lo, hi)
		}
		f32, f64 := []float32{1, 2}, []float64{3}
		if err := c.SumFloat32(f32); err != nil || f32[0] != 1 || f32[1] != 2 {
			t.Errorf("SumFloat32 = %v, %v; want [1 2], nil", f32, err)
		}
		if err := c.SumFloat64(f64); err != nil || f64[0] != 3 {
			t.Errorf("SumFloat64 = %v, %v; want [3], nil", f64, err)
		}
		if err := c.Same("x", 42); err != nil {
			t.Errorf("Same: %v", err)
		}
		if err := c.Barrier(); err != nil {
			t.Errorf("Barrier: %v", err)
		}
		rows, err := c.Rows(3, 2, func(i int, row []float64) error {
			row[0], row[1] = float64(i), float64(10*i)
			return nil
		})
		if err != nil || fmt.Sprint(rows) != "[0 0 1 10 2 20]" {
			t.Errorf("Rows = %v, %v; want [0 0 1 10 2 20]", rows, err)
		}
		boom := errors.New("boom")
		if _, err := c.Rows(2, 1, func(int, []float64) error { return boom }); !errors.Is(err, boom) {
			t.Errorf("Rows with a failing item: %v, want boom", err)
		}
	}
}

// TestDeal: the items of n dealt among ranks cover 0..n-1 once each, by
// Mine and by Slice, and Divides refuses a count that does not split.
func TestDeal(t *testing.T) {
	const n = 12
	for _, size := range []int{1, 2, 3, 4} {
		seen, blocks := make([]int, n), make([]int, n)
		for r := 0; r < size; r++ {
			c := &Comm{rank: r, size: size}
			for i := range seen {
				if c.Mine(i) {
					seen[i]++
				}
			}
			mine := 0
			for i := range seen {
				if c.Mine(i) {
					mine++
				}
			}
			if c.Share(n) != mine {
				t.Errorf("rank %d of %d: Share(%d) = %d, Mine says %d", r, size, n, c.Share(n), mine)
			}
			lo, hi := c.Slice(n)
			for i := lo; i < hi; i++ {
				blocks[i]++
			}
		}
		for i := range seen {
			if seen[i] != 1 || blocks[i] != 1 {
				t.Errorf("%d ranks: item %d dealt %d times by Mine and %d by Slice, want once", size, i, seen[i], blocks[i])
			}
		}
	}
	if err := (&Comm{size: 3}).Divides("batch", 8); err == nil {
		t.Error("Divides(batch 8) among 3: no error")
	}
	if err := (&Comm{size: 4}).Divides("batch", 8); err != nil {
		t.Errorf("Divides(batch 8) among 4: %v", err)
	}
}

// TestHash: the hash sees every bit of every value, the order of the
// values and where one slice ends.
func TestHash(t *testing.T) {
	sum := func(xs ...[]float32) uint64 {
		h := NewHash()
		for _, x := range xs {
			h.Add(x)
		}
		return h.Sum()
	}
	base := sum([]float32{1, 2, 3})
	for name, other := range map[string]uint64{
		"last bit of one value": sum([]float32{1, 2, 3.0000002}),
		"order":                 sum([]float32{2, 1, 3}),
		"split":                 sum([]float32{1, 2}, []float32{3}),
		"sign of zero":          sum([]float32{1, 2, 3}, []float32{float32Neg0()}),
	} {
		if other == base {
			t.Errorf("%s: hash unchanged", name)
		}
	}
	if sum([]float32{1, 2, 3}) != base {
		t.Error("the same values hash differently")
	}
}

func float32Neg0() float32 {
	z := float32(0)
	return -z
}

func TestSharedError(t *testing.T) {
	inner := errors.New("inner")
	err := fmt.Errorf("train: %w", &SharedError{Err: inner})
	if !IsShared(err) || !errors.Is(err, inner) {
		t.Errorf("IsShared(%v) = %v, errors.Is inner = %v; want both true", err, IsShared(err), errors.Is(err, inner))
	}
	if IsShared(inner) {
		t.Error("IsShared of a plain error")
	}
}
