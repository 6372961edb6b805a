package checkpoints

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Training is how a checkpoint's weights were trained, as rmt.json's
// "training" records it, so that an exported folder says where it came
// from (its model card is written from it).
type Training struct {
	BaseModel  string     `json:"base_model"` // --model as given; "" for the built-in random model
	Seed       int64      `json:"seed"`
	Step       int        `json:"step"`  // optimizer steps of the whole run when saved
	Stage      int        `json:"stage"` // 1-based curriculum stage when saved
	Curriculum []Stage    `json:"curriculum"`
	Data       []DataFile `json:"data,omitempty"`   // the data files the run read, hashed at its start
	Commit     string     `json:"commit,omitempty"` // the commit of the code that trained
	Dirty      bool       `json:"dirty,omitempty"`  // that code had uncommitted changes
}

// Stage is one curriculum stage as trained: segments per sample, the
// segments backpropagated through (-1: all), the step budget and peak
// learning rate.
type Stage struct {
	Segments  int     `json:"segments"`
	BPTTDepth int     `json:"bptt_depth"`
	Steps     int     `json:"steps"`
	LR        float64 `json:"lr"`
}

// DataFile is one data file a run read: its name (the file's folder and
// base name, never a machine path), size and SHA-256.
type DataFile struct {
	Name   string `json:"name"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// HashFiles hashes each file of paths.
func HashFiles(paths []string) ([]DataFile, error) {
	var out []DataFile
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, fmt.Errorf("checkpoints: hashing data: %w", err)
		}
		h := sha256.New()
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("checkpoints: hashing %s: %w", p, err)
		}
		name := filepath.Join(filepath.Base(filepath.Dir(p)), filepath.Base(p))
		out = append(out, DataFile{Name: filepath.ToSlash(name), Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	}
	return out, nil
}
