package checkpoints

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tensorOffset is where tensor name's data starts in the safetensors file path.
func tensorOffset(t *testing.T, path, name string) int64 {
	t.Helper()
	f, entries, _, _, dataStart, err := openSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, e := range entries {
		if e.name == name {
			return dataStart + e.begin
		}
	}
	t.Fatalf("%s has no tensor %q", path, name)
	return 0
}

// flipByte inverts the byte at off of path.
func flipByte(t *testing.T, path string, off int64) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw[off] ^= 0xff
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editMetadata rewrites the __metadata__ of the safetensors file path by
// hand, keeping the data bytes as they are.
func editMetadata(t *testing.T, path string, edit func(map[string]string)) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := binary.LittleEndian.Uint64(raw)
	var hdr map[string]json.RawMessage
	if err := json.Unmarshal(raw[8:8+n], &hdr); err != nil {
		t.Fatal(err)
	}
	var meta map[string]string
	json.Unmarshal(hdr[metadataKey], &meta)
	edit(meta)
	hdr[metadataKey], _ = json.Marshal(meta)
	out, _ := json.Marshal(hdr)
	var lenBuf [8]byte
	binary.LittleEndian.PutUint64(lenBuf[:], uint64(len(out)))
	file := append(append(lenBuf[:], out...), raw[8+n:]...)
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A flipped data byte in either tensor file of a checkpoint is refused on
// load naming the file and the tensor; weights read into a live model too.
func TestFlippedByteRefusedNamingTensor(t *testing.T) {
	for _, tc := range []struct{ file, tensor string }{
		{modelFile, "model.layers.0.mlp.up_proj.weight"},
		{optimizerFile, "v.model.norm.weight"},
	} {
		dir := filepath.Join(t.TempDir(), "ck")
		ck := newCheckpoint(t, tinyLlama(true), 2, 3)
		if err := Save(dir, ck); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, tc.file)
		flipByte(t, path, tensorOffset(t, path, tc.tensor)+5)
		_, err := Load(dir)
		if err == nil {
			t.Fatalf("Load after flipping a byte of %s in %s succeeded", tc.tensor, tc.file)
		}
		for _, want := range []string{path, `"` + tc.tensor + `"`, "checksum"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Load error %q does not mention %s", err, want)
			}
		}
		if tc.file == modelFile {
			w := newCheckpoint(t, tinyLlama(true), 2, 3).Weights
			if err := LoadWeights(dir, w); err == nil || !strings.Contains(err.Error(), tc.tensor) {
				t.Errorf("LoadWeights of the flipped file = %v, want a checksum error naming %s", err, tc.tensor)
			}
		}
	}
}

// Files without checksums (HF downloads, checkpoints of older builds) load
// unverified; a file that records checksums for some tensors but not all,
// or a checksum of a tensor it lacks, is refused.
func TestChecksumsOptionalButWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ck")
	ck := newCheckpoint(t, tinyLlama(true), 2, 3)
	if err := Save(dir, ck); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, modelFile)
	_, meta, err := ReadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(meta) != 1 || meta["format"] != "pt" {
		t.Errorf("ReadSafetensors metadata = %v, want only format (checksums taken out)", meta)
	}
	editMetadata(t, path, func(m map[string]string) { delete(m, checksumKey("model.norm.weight")) })
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), `"model.norm.weight"`) || !strings.Contains(err.Error(), "no checksum") {
		t.Errorf("Load with one checksum missing = %v, want an error naming model.norm.weight", err)
	}
	editMetadata(t, path, func(m map[string]string) { m[checksumKey("nope")] = "00000000" })
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("Load with a checksum of a missing tensor = %v, want an error naming it", err)
	}
	editMetadata(t, path, func(m map[string]string) {
		for k := range m {
			if strings.HasPrefix(k, checksumPrefix) {
				delete(m, k)
			}
		}
	})
	got, err := Load(dir)
	if err != nil {
		t.Fatalf("Load of a checkpoint without checksums (an older build's): %v", err)
	}
	sameWeights(t, "unverified load", got.Weights, ck.Weights)
	if err := WriteSafetensors(filepath.Join(t.TempDir(), "x.safetensors"), nil, map[string]string{checksumKey("a"): "0"}); err == nil {
		t.Error("WriteSafetensors accepted a caller's metadata key in the checksum namespace")
	}
}

// NaN or Inf weights or moments are never written, and a file holding them
// is refused by every reader (resume, eval, export), naming file and tensor.
func TestNonFiniteRefused(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(-1))
	ck := newCheckpoint(t, tinyLlama(true), 2, 3)
	ck.Weights.Get("model.norm.weight").Data[3] = nan
	if err := Save(filepath.Join(t.TempDir(), "ck"), ck); err == nil || !strings.Contains(err.Error(), `"model.norm.weight"`) {
		t.Errorf("Save of NaN weights = %v, want an error naming model.norm.weight", err)
	}
	if err := Export(ck, filepath.Join(t.TempDir(), "ex"), ExportOptions{Format: FormatHF}); err == nil || !strings.Contains(err.Error(), "NaN") {
		t.Errorf("Export of NaN weights = %v, want an error", err)
	}
	ck = newCheckpoint(t, tinyLlama(true), 2, 3)
	ck.V["model.norm.weight"][1] = inf
	if err := Save(filepath.Join(t.TempDir(), "ck"), ck); err == nil || !strings.Contains(err.Error(), `"v.model.norm.weight"`) {
		t.Errorf("Save of an Inf moment = %v, want an error naming v.model.norm.weight", err)
	}

	// Files written with NaN by something else: rewritten with fresh
	// checksums, so that the NaN check, not the checksum, refuses them.
	for _, tc := range []struct{ file, tensor string }{{modelFile, "rmt.memory"}, {optimizerFile, "m.model.embed_tokens.weight"}} {
		dir := filepath.Join(t.TempDir(), "ck")
		if err := Save(dir, newCheckpoint(t, tinyLlama(true), 2, 3)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, tc.file)
		editTensors(t, path, nil, func(ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == tc.tensor {
					ts[i].Data[0] = nan
				}
			}
			return ts
		})
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `"`+tc.tensor+`"`) || !strings.Contains(err.Error(), "NaN") {
			t.Errorf("Load with NaN in %s of %s = %v, want an error naming both", tc.tensor, tc.file, err)
		}
		if tc.file == modelFile {
			if _, err := Open(dir); err == nil {
				t.Error("Open (eval, export) of NaN weights succeeded")
			}
			if err := LoadWeights(dir, newCheckpoint(t, tinyLlama(true), 2, 3).Weights); err == nil || !strings.Contains(err.Error(), "NaN") {
				t.Errorf("LoadWeights of NaN weights = %v, want an error", err)
			}
		}
	}
}

// state.json with a negative count is refused naming the file and field.
func TestStateNegativeRefused(t *testing.T) {
	for _, field := range []string{"step", "stage", "stage_step", "data_cursor"} {
		dir := filepath.Join(t.TempDir(), "ck")
		if err := Save(dir, newCheckpoint(t, tinyLlama(true), 2, 3)); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, stateFile)
		editJSON(t, path, func(m map[string]any) { m[field] = -5 })
		_, err := Load(dir)
		if want := path + " has " + field + " -5; want 0 or more"; err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Load with %s -5 = %v; want %q", field, err, want)
		}
	}
}
