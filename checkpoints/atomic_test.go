package checkpoints

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// entries lists a directory, hidden temp files included.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	for _, content := range []string{`{"step": 1}`, `{"step": 2, "longer": true}`, ``} {
		if err := WriteFileAtomic(path, []byte(content)); err != nil {
			t.Fatalf("WriteFileAtomic(%q) = %v, want nil", content, err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != content {
			t.Errorf("after WriteFileAtomic(%q) file = %q, %v, want %q", content, got, err, content)
		}
		if names := entries(t, dir); len(names) != 1 {
			t.Errorf("WriteFileAtomic left %v, want only state.json", names)
		}
	}
	missing := filepath.Join(dir, "no", "such", "dir", "f")
	if err := WriteFileAtomic(missing, nil); err == nil || !strings.HasPrefix(err.Error(), "checkpoints: ") {
		t.Errorf("WriteFileAtomic(%s) = %v, want a checkpoints: error", missing, err)
	}
}

func TestWriteDirAtomic(t *testing.T) {
	errFill := errors.New("disk on fire")
	tests := []struct {
		name    string
		exists  bool
		fill    func(tmp string) error
		wantErr string // "" for success
	}{
		{"ok", false, func(tmp string) error {
			if err := os.Mkdir(filepath.Join(tmp, "sub"), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(tmp, "sub", "b.txt"), []byte("b"), 0o644); err != nil {
				return err
			}
			return WriteSafetensors(filepath.Join(tmp, "model.safetensors"), []Tensor{tensor("w", []int{2}, 1, 2)}, nil)
		}, ""},
		{"fill error", false, func(tmp string) error {
			if err := os.WriteFile(filepath.Join(tmp, "half.txt"), []byte("x"), 0o644); err != nil {
				return err
			}
			return errFill
		}, "disk on fire"},
		{"existing dir", true, func(tmp string) error {
			t.Error("fill called although the directory exists")
			return nil
		}, "already exists"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "step-000100")
			if tc.exists {
				if err := os.Mkdir(dir, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteDirAtomic(dir, tc.fill)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("WriteDirAtomic(%s) = %v, want nil", tc.name, err)
				}
				ts, _, err := ReadSafetensors(filepath.Join(dir, "model.safetensors"))
				if err != nil || len(ts) != 1 {
					t.Errorf("read back = %v, %v; want tensor w", ts, err)
				}
				if b, err := os.ReadFile(filepath.Join(dir, "sub", "b.txt")); err != nil || string(b) != "b" {
					t.Errorf("read back sub/b.txt = %q, %v; want \"b\"", b, err)
				}
				if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o755 {
					t.Errorf("dir mode = %v, %v; want 0755", info.Mode().Perm(), err)
				}
			} else {
				if err == nil || !strings.HasPrefix(err.Error(), "checkpoints: ") || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), dir) {
					t.Fatalf("WriteDirAtomic(%s) = %v, want a checkpoints: error naming %s and containing %q", tc.name, err, dir, tc.wantErr)
				}
				if tc.name == "fill error" && !errors.Is(err, errFill) {
					t.Errorf("WriteDirAtomic(%s) = %v, want it to wrap the fill error", tc.name, err)
				}
			}
			want := []string{"step-000100"}
			if tc.wantErr != "" && !tc.exists {
				want = nil
			}
			if got := entries(t, parent); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("WriteDirAtomic(%s) left parent with %v, want %v", tc.name, got, want)
			}
		})
	}
}

func TestWriteDirAtomicPanickingFill(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "ckpt")
	func() {
		defer func() {
			if recover() == nil {
				t.Error("WriteDirAtomic swallowed the fill panic, want it re-raised")
			}
		}()
		WriteDirAtomic(dir, func(tmp string) error { panic("bug in fill") })
	}()
	if got := entries(t, parent); len(got) != 0 {
		t.Errorf("after a panicking fill parent holds %v, want nothing", got)
	}
}
