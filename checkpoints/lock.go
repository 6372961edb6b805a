package checkpoints

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// LockFile is the lock of a run directory: DIR/run.lock. A process holds
// an OS-level lock on it (flock) for as long as it writes into the run, and
// records who it is in the file (Holder), so that a second process is told
// whom it waits for. The OS drops the lock when the holder exits, however it
// exits; a file that still names a holder when the lock is free is stale
// (its holder was killed) and is taken over with a note.
const LockFile = "run.lock"

// Holder is what run.lock records of the process that holds it.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Command string    `json:"command"` // "train", "eval", ...
	Since   time.Time `json:"since"`
}

func (h Holder) String() string {
	return fmt.Sprintf("%s (pid %d on host %s, since %s)", h.Command, h.PID, h.Host, h.Since.UTC().Format(time.RFC3339))
}

// RunLock is a held lock of a run directory; Unlock releases it.
type RunLock struct {
	f    *os.File
	path string
	// Stale is the holder a killed process left in the file, when the lock
	// was taken over from one; nil otherwise.
	Stale *Holder
}

// ErrLocked is wrapped by LockRun's error when another process holds the lock.
var ErrLocked = errors.New("run directory is locked")

// LockRun takes the lock of the run directory dir (which must exist) for
// command, without waiting: when another process holds it the error names
// that process and wraps ErrLocked.
func LockRun(dir, command string) (*RunLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("checkpoints: lock %s: %w", path, err)
	}
	if err := tryLock(f); err != nil {
		defer f.Close()
		if !errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("checkpoints: lock %s: %w", path, err)
		}
		who := "another process (it has not written its name yet)"
		if h, ok := readHolder(f); ok {
			who = h.String()
		}
		return nil, fmt.Errorf("checkpoints: %s is in use by %s: %w; wait for it to finish or stop it", dir, who, ErrLocked)
	}
	l := &RunLock{f: f, path: path}
	if h, ok := readHolder(f); ok {
		l.Stale = &h
	}
	host, _ := os.Hostname()
	me := Holder{PID: os.Getpid(), Host: host, Command: command, Since: time.Now()}
	raw, _ := json.Marshal(me)
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt(append(raw, '\n'), 0)
	}
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		l.Unlock()
		return nil, fmt.Errorf("checkpoints: lock %s: %w", path, err)
	}
	return l, nil
}

// Unlock clears the holder from the file and releases the lock. The file
// stays: removing it would let a third process lock a new file while a
// second still waits on the old one.
func (l *RunLock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Truncate(0)
	if cerr := l.f.Close(); err == nil { // closing drops the flock
		err = cerr
	}
	l.f = nil
	if err != nil {
		return fmt.Errorf("checkpoints: unlock %s: %w", l.path, err)
	}
	return nil
}

// readHolder reads the holder a lock file records; ok is false when it is
// empty or unreadable.
func readHolder(f *os.File) (h Holder, ok bool) {
	raw, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<16))
	if err != nil || len(strings.TrimSpace(string(raw))) == 0 {
		return Holder{}, false
	}
	return h, json.Unmarshal(raw, &h) == nil && h.PID > 0
}

// RunDirOf is the run directory that the checkpoint directory ckDir belongs
// to (DIR for DIR/checkpoints/step-NNNNNN), or "" when ckDir is not inside
// one (an exported folder, a copied checkpoint).
func RunDirOf(ckDir string) string {
	abs, err := filepath.Abs(ckDir)
	if err != nil {
		return ""
	}
	parent := filepath.Dir(abs)
	if filepath.Base(parent) != checkpointsDir {
		return ""
	}
	run := filepath.Dir(parent)
	if !isFile(filepath.Join(run, "config.json")) {
		return ""
	}
	return run
}
