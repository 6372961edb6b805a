package checkpoints

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"strings"
	"time"
)

// Every .safetensors file this package writes records, in its
// __metadata__, a CRC-32 (IEEE, as in zip and gzip) of each tensor's data
// bytes under the key "crc32:<tensor name>" (8 hex digits). Readers verify
// them as they read, so a flipped byte is refused naming the file and the
// tensor. Files without the keys (HuggingFace downloads, checkpoints of
// older builds) load unverified. Go computes the IEEE polynomial with
// carry-less multiplication (PCLMULQDQ, PMULL) at several GB/s, four times
// the speed it reaches for CRC-32C on the machines we measured, so verifying
// costs little beside reading and decoding (docs/formats.md).
const checksumPrefix = "crc32:"

var crcTable = crc32.IEEETable

// verifyChecksums is false only in the benchmark that measures their cost,
// and crcClock, set only there, adds up the time spent computing them.
var (
	verifyChecksums = true
	crcClock        *time.Duration
)

// checksumKey is the metadata key of tensor name's checksum.
func checksumKey(name string) string { return checksumPrefix + name }

// tensorChecksum is the CRC-32 of data as WriteSafetensors lays it out
// (F32, little-endian), computed in pieces through buf.
func tensorChecksum(data []float32, buf []byte) uint32 {
	var crc uint32
	chunk := buf[:0]
	for _, v := range data {
		chunk = binary.LittleEndian.AppendUint32(chunk, math.Float32bits(v))
		if len(chunk) == cap(chunk) {
			crc = crc32.Update(crc, crcTable, chunk)
			chunk = chunk[:0]
		}
	}
	return crc32.Update(crc, crcTable, chunk)
}

// splitChecksums takes the checksum keys out of a file's metadata: the
// checksums by tensor name, and the metadata left. A checksum that names no
// tensor, or is not 8 hex digits, is an error; so is a file that records
// checksums for some tensors and not others (one cannot lose a key by a
// flipped byte and pass). nil sums: the file records none.
func splitChecksums(entries []entry, meta map[string]string) (sums map[string]uint32, rest map[string]string, err error) {
	names := make(map[string]bool, len(entries))
	for _, e := range entries {
		names[e.name] = true
	}
	for k, v := range meta {
		name, ok := strings.CutPrefix(k, checksumPrefix)
		if !ok {
			if rest == nil {
				rest = map[string]string{}
			}
			rest[k] = v
			continue
		}
		if !names[name] {
			return nil, nil, headerErrorf("", "__metadata__ has a checksum for tensor %s, which the file does not hold", quoteName(name))
		}
		sum, err := strconv.ParseUint(v, 16, 32)
		if err != nil || len(v) != 8 {
			return nil, nil, headerErrorf(name, "has checksum %s in __metadata__; want 8 hex digits (CRC-32)", quoteName(v))
		}
		if sums == nil {
			sums = map[string]uint32{}
		}
		sums[name] = uint32(sum)
	}
	if sums != nil {
		for _, e := range entries {
			if _, ok := sums[e.name]; !ok {
				return nil, nil, headerErrorf(e.name, "has no checksum in __metadata__, while other tensors do; want one for every tensor")
			}
		}
	}
	return sums, rest, nil
}

// checksumError reports data that does not match its recorded checksum.
func checksumError(path, tensor string, want, got uint32) error {
	return fmt.Errorf("checkpoints: tensor %s in %s fails its checksum (crc32 %08x recorded, %08x read): the file is corrupt",
		quoteName(tensor), path, want, got)
}
