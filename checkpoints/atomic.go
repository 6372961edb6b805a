package checkpoints

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteFileAtomic writes data to path through a temp file in the same directory,
// fsync, rename, fsync of the directory: a crash leaves either the old file or the
// new one, never a torn one.
func WriteFileAtomic(path string, data []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic is WriteFileAtomic with the content streamed by write.
func writeAtomic(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", path, err)
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", path, err)
	}
	// CreateTemp makes 0600 files; checkpoints are ordinary readable files.
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("checkpoints: write %s: fsync: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", path, err)
	}
	renamed = true
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("checkpoints: write %s: fsync directory: %w", path, err)
	}
	return nil
}

// WriteDirAtomic builds the directory dir by calling fill(tmp) on a fresh temporary
// sibling directory, fsyncs every file and directory in it, then renames it to dir
// and fsyncs the parent. dir must not exist. On any error before the rename the
// temp directory is removed and dir is untouched; a failed fsync of the parent
// after the rename is reported, with dir in place.
//
// The existence check and the rename are not one atomic step: a concurrent writer
// creating dir as an empty directory in between would be replaced. Checkpoint
// directories have one writer, so this is acceptable.
func WriteDirAtomic(dir string, fill func(tmp string) error) error {
	dir = filepath.Clean(dir)
	if err := mustNotExist(dir); err != nil {
		return err
	}
	parent, base := filepath.Split(dir)
	if parent == "" {
		parent = "."
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", dir, err)
	}
	renamed := false
	defer func() { // also runs when fill panics
		if !renamed {
			os.RemoveAll(tmp)
		}
	}()
	if err := fill(tmp); err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", dir, err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil { // MkdirTemp makes 0700
		return fmt.Errorf("checkpoints: write %s: %w", dir, err)
	}
	if err := syncTree(tmp); err != nil {
		return fmt.Errorf("checkpoints: write %s: fsync: %w", dir, err)
	}
	if err := mustNotExist(dir); err != nil {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("checkpoints: write %s: %w", dir, err)
	}
	renamed = true
	if err := syncDir(parent); err != nil {
		return fmt.Errorf("checkpoints: write %s: fsync parent: %w", dir, err)
	}
	return nil
}

func mustNotExist(dir string) error {
	_, err := os.Lstat(dir)
	if err == nil {
		return fmt.Errorf("checkpoints: %s already exists; want a path that does not exist (checkpoints are never overwritten)", dir)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("checkpoints: %w", err)
	}
	return nil
}

// syncTree fsyncs every regular file and directory under root, root included.
func syncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() && !d.IsDir() {
			return nil // symlinks and the like live in their directory's entries
		}
		return syncPath(path)
	})
}

func syncDir(dir string) error { return syncPath(dir) }

func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
