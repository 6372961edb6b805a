package checkpoints

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RunInfoFile is DIR/run.json: which run a run directory holds.
const RunInfoFile = "run.json"

// RunInfo is run.json. A run is known by its id, drawn when it is created
// and written into every checkpoint's state.json, never by the spelling of
// the path it was started with: any path to the folder, or the folder after
// a move, resumes it. Dir is where the folder was last used (absolute), so
// that a move is noticed and reported.
type RunInfo struct {
	RunID   string    `json:"run_id"`
	Dir     string    `json:"dir"`
	Created time.Time `json:"created"`
}

// NewRunID draws a run id: 16 random bytes in hex.
func NewRunID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	return hex.EncodeToString(b[:])
}

// ReadRunInfo reads DIR/run.json; found is false when there is none (a
// run of an older build).
func ReadRunInfo(dir string) (info RunInfo, found bool, err error) {
	path := filepath.Join(dir, RunInfoFile)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return RunInfo{}, false, nil
	}
	if err := readJSONStrict(path, &info); err != nil {
		return RunInfo{}, false, err
	}
	if info.RunID == "" {
		return RunInfo{}, false, fmt.Errorf("checkpoints: %s has no run_id; want the id written when the run was created", path)
	}
	return info, true, nil
}

// WriteRunInfo writes DIR/run.json atomically.
func WriteRunInfo(dir string, info RunInfo) error {
	return writeJSON(filepath.Join(dir, RunInfoFile), info)
}
