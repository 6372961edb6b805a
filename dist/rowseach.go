package dist

import (
	"errors"
	"sync"
	"sync/atomic"
)

// RowsEach is Rows with this rank's items shared among workers goroutines
// (at least 1): f(w, i, row) fills row i on worker w, and each worker calls
// f for one item at a time, so a worker may own state (a model, buffers)
// that f uses. The first error stops the handing out of items and is
// returned once the running calls end.
func (c *Comm) RowsEach(n, width, workers int, f func(w, i int, row []float64) error) ([]float64, error) {
	if workers <= 1 {
		return c.Rows(n, width, func(i int, row []float64) error { return f(0, i, row) })
	}
	rows := make([]float64, n*width)
	next := make(chan int)
	errs := make([]error, workers)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if failed.Load() {
					continue
				}
				if err := f(w, i, rows[i*width:(i+1)*width]); err != nil {
					errs[w] = errors.Join(errs[w], err)
					failed.Store(true)
				}
			}
		}()
	}
	for i := 0; i < n && !failed.Load(); i++ {
		if c.Mine(i) {
			next <- i
		}
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := c.SumFloat64(rows); err != nil {
		return nil, err
	}
	return rows, nil
}
