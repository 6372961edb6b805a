package dist

import (
	"errors"
	"sync"
	"testing"
)

// TestRowsEach: with several workers every row is filled once, by one
// worker at a time per worker index, in its place; the rows are those of
// Rows; and a failing item ends the run with its error.
func TestRowsEach(t *testing.T) {
	const n, width = 40, 2
	for _, workers := range []int{1, 3} {
		var mu sync.Mutex
		calls := map[int]int{}
		busy := make([]bool, workers)
		rows, err := (*Comm)(nil).RowsEach(n, width, workers, func(w, i int, row []float64) error {
			mu.Lock()
			if w < 0 || w >= workers || busy[w] {
				mu.Unlock()
				t.Errorf("item %d on worker %d of %d while it is busy (%v)", i, w, workers, busy)
				return nil
			}
			busy[w] = true
			calls[i]++
			mu.Unlock()
			row[0], row[1] = float64(i), float64(i*i)
			mu.Lock()
			busy[w] = false
			mu.Unlock()
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i := range n {
			if calls[i] != 1 || rows[i*width] != float64(i) || rows[i*width+1] != float64(i*i) {
				t.Errorf("%d workers: item %d called %d times, row %v", workers, i, calls[i], rows[i*width:(i+1)*width])
			}
		}
		boom := errors.New("boom")
		_, err = (*Comm)(nil).RowsEach(n, width, workers, func(w, i int, row []float64) error {
			if i == 7 {
				return boom
			}
			return nil
		})
		if !errors.Is(err, boom) {
			t.Errorf("%d workers, item 7 failing: %v, want boom", workers, err)
		}
	}
}
