//go:build !unix

package checkpoints

import (
	"errors"
	"os"
)

var errWouldBlock = errors.New("lock held")

// tryLock: without flock, a lock file that names a holder counts as held.
// A killed holder's file must then be removed by hand.
func tryLock(f *os.File) error {
	if h, ok := readHolder(f); ok && h.PID != os.Getpid() {
		return errWouldBlock
	}
	return nil
}
