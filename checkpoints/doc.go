// Package checkpoints is named tensors and the files that hold them.
//
// It reads HuggingFace weight folders (model.safetensors, or the shards named by
// model.safetensors.index.json), reads and writes single .safetensors files, and
// provides the atomic file and directory writes that checkpoint saving relies on:
// write to a temporary sibling, fsync, rename, fsync the parent, so that a kill at
// any moment leaves the previous file or checkpoint intact (docs/formats.md).
//
// Tensors are plain row-major float32 slices with their HF names; F16 and BF16 on
// disk are widened to float32 on load and Tensor.DType records what the file held.
// The package knows nothing of models or Gorgonia: graph/ maps names to
// parameters and asserts shapes.
//
// Safetensors headers are untrusted input. The reader caps the header size,
// checks every dtype, shape and offset, rejects overlapping or truncated data and
// returns an error (never a panic) that names the file and the tensor.
//
// Usage:
//
//	ts, err := checkpoints.ReadModelTensors("models/stories260K")
//	if err != nil {
//		return err
//	}
//	// ts[i].Name == "model.embed_tokens.weight", ts[i].Shape == [512 64], ...
//
//	err = checkpoints.WriteDirAtomic("runs/a/step-1200", func(tmp string) error {
//		return checkpoints.WriteSafetensors(filepath.Join(tmp, "model.safetensors"),
//			ts, map[string]string{"format": "pt"})
//	})
package checkpoints
