package checkpoints

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Tensor is one named float32 tensor, row-major. DType records the dtype it had on
// disk ("F32", "F16", "BF16"); Data is always float32 with len(Data) equal to the
// product of Shape (1 for a scalar, Shape == []).
type Tensor struct {
	Name  string
	DType string
	Shape []int
	Data  []float32
}

// maxHeaderLen caps the JSON header of a .safetensors file. The reference Rust
// implementation uses the same 100 MB order of magnitude; real headers are a few
// KiB to a few MiB, so anything larger is corrupt or hostile.
const maxHeaderLen = 100 << 20

// metadataKey is the reserved header key holding string-to-string metadata.
const metadataKey = "__metadata__"

// dtypeSize is the byte size of each dtype the reader converts to float32.
var dtypeSize = map[string]int64{"F32": 4, "F16": 2, "BF16": 2}

const supportedDTypes = "F32, F16, BF16"

// entry is one validated tensor of a safetensors header. begin and end are byte
// offsets into the data region (the bytes after the header), end-begin equals
// the element count times the dtype size, and 0 <= begin <= end <= dataLen.
type entry struct {
	name       string
	dtype      string
	shape      []int
	begin, end int64
}

// headerError is a malformed-file error. parseHeader does not know the file name;
// the reader fills it in so that every message names the file.
type headerError struct {
	file   string // "" until the reader sets it
	tensor string // "" for problems with the header as a whole
	msg    string // what was got and what was wanted
	err    error  // underlying JSON error, if any
}

func (e *headerError) Error() string {
	file := e.file
	if file == "" {
		file = "safetensors header"
	}
	if e.tensor != "" {
		return fmt.Sprintf("checkpoints: tensor %s in %s %s", quoteName(e.tensor), file, e.msg)
	}
	return fmt.Sprintf("checkpoints: %s: %s", file, e.msg)
}

func (e *headerError) Unwrap() error { return e.err }

func headerErrorf(tensor, format string, args ...any) *headerError {
	return &headerError{tensor: tensor, msg: fmt.Sprintf(format, args...)}
}

// quoteName quotes a tensor name for a message, shortening absurd names (the
// header is untrusted and a name may be megabytes long).
func quoteName(s string) string {
	const max = 120
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("...(%d bytes)", len(s))
}

// plain shows a short identifier-like string (a dtype) as is and quotes anything else.
func plain(s string) string {
	if len(s) == 0 || len(s) > 16 {
		return quoteName(s)
	}
	for _, c := range []byte(s) {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return quoteName(s)
		}
	}
	return s
}

// snippet shows the start of an untrusted JSON value in a message.
func snippet(b []byte) string {
	const max = 40
	if len(b) <= max {
		return string(b)
	}
	return string(b[:max]) + "..."
}

// ReadSafetensors reads a .safetensors file: all tensors sorted by name, converted
// to float32, and the __metadata__ map (nil when the file has none).
func ReadSafetensors(path string) ([]Tensor, map[string]string, error) {
	f, entries, meta, sums, dataStart, err := openSafetensors(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	tensors := make([]Tensor, 0, len(entries))
	err = readTensors(f, path, entries, sums, dataStart, func(e entry) ([]float32, error) {
		width := dtypeSize[e.dtype]
		data := make([]float32, (e.end-e.begin)/width)
		tensors = append(tensors, Tensor{Name: e.name, DType: e.dtype, Shape: e.shape, Data: data})
		return data, nil
	})
	if err != nil {
		return nil, nil, err
	}
	return tensors, meta, nil
}

// ReadSafetensorsInto reads every tensor of a .safetensors file straight
// into the slice dst returns for it (of the tensor's element count, or an
// error to refuse the tensor), in pieces of a megabyte: reading weights
// back into a live model takes no second copy of them.
func ReadSafetensorsInto(path string, dst func(name string, shape []int) ([]float32, error)) error {
	f, entries, _, sums, dataStart, err := openSafetensors(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return readTensors(f, path, entries, sums, dataStart, func(e entry) ([]float32, error) { return dst(e.name, e.shape) })
}

// readTensors reads the tensors of entries into the slices dst returns, a
// megabyte at a time, verifying each against its checksum (sums, when the
// file records them) while the piece is still in cache.
func readTensors(f *os.File, path string, entries []entry, sums map[string]uint32, dataStart int64, dst func(entry) ([]float32, error)) error {
	buf := make([]byte, 1<<20)
	for _, e := range entries {
		width := dtypeSize[e.dtype]
		if width == 0 {
			return fmt.Errorf("checkpoints: tensor %s in %s: dtype %s; supported: %s", quoteName(e.name), path, plain(e.dtype), supportedDTypes)
		}
		out, err := dst(e)
		if err != nil {
			return fmt.Errorf("checkpoints: tensor %s in %s: %w", quoteName(e.name), path, err)
		}
		if int64(len(out)) != (e.end-e.begin)/width {
			return fmt.Errorf("checkpoints: tensor %s in %s has %d values; want %d", quoteName(e.name), path, (e.end-e.begin)/width, len(out))
		}
		step := int64(len(buf)) / width * width
		want, verify := sums[e.name]
		verify = verify && verifyChecksums
		var crc uint32
		for off := e.begin; off < e.end; off += step {
			chunk := buf[:min(step, e.end-off)]
			if _, err := f.ReadAt(chunk, dataStart+off); err != nil {
				return fmt.Errorf("checkpoints: tensor %s in %s: read %d bytes at offset %d: %w",
					quoteName(e.name), path, len(chunk), dataStart+off, err)
			}
			if verify && crcClock != nil {
				t0 := time.Now()
				crc = crc32.Update(crc, crcTable, chunk)
				*crcClock += time.Since(t0)
			} else if verify {
				crc = crc32.Update(crc, crcTable, chunk)
			}
			decodeInto(e.dtype, chunk, out[(off-e.begin)/width:])
		}
		if verify && crc != want {
			return checksumError(path, e.name, want, crc)
		}
	}
	return nil
}

// openSafetensors opens a .safetensors file and parses its header: the
// entries sorted by name, the metadata, and where the data region starts.
//
// The checksums the metadata records come back apart, by tensor name
// (nil when there are none), and meta without them.
func openSafetensors(path string) (f *os.File, entries []entry, meta map[string]string, sums map[string]uint32, dataStart int64, err error) {
	f, err = os.Open(path)
	if err != nil {
		return nil, nil, nil, nil, 0, fmt.Errorf("checkpoints: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			f = nil
		}
	}()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, nil, nil, 0, fmt.Errorf("checkpoints: %w", err)
	}
	size := info.Size()
	if size < 8 {
		return nil, nil, nil, nil, 0, fmt.Errorf("checkpoints: %s is %d bytes; want at least 8 (the header length)", path, size)
	}
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return nil, nil, nil, nil, 0, fmt.Errorf("checkpoints: %s: read header length: %w", path, err)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeaderLen {
		return nil, nil, nil, nil, 0, fmt.Errorf("checkpoints: %s: header length %d; want at most %d (100 MiB)", path, n, maxHeaderLen)
	}
	if n > uint64(size-8) {
		return nil, nil, nil, nil, 0, fmt.Errorf("checkpoints: %s: header length %d but only %d bytes follow it (truncated or not a safetensors file)", path, n, size-8)
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(f, header); err != nil {
		return nil, nil, nil, nil, 0, fmt.Errorf("checkpoints: %s: read %d-byte header: %w", path, n, err)
	}
	dataStart = 8 + int64(n)
	entries, meta, err = parseHeader(header, size-dataStart)
	if err != nil {
		var he *headerError
		if errors.As(err, &he) {
			he.file = path
		}
		return nil, nil, nil, nil, 0, err
	}
	if sums, meta, err = splitChecksums(entries, meta); err != nil {
		var he *headerError
		if errors.As(err, &he) {
			he.file = path
		}
		return nil, nil, nil, nil, 0, err
	}
	return f, entries, meta, sums, dataStart, nil
}

// decodeInto converts the values of b (a supported dtype) into out.
func decodeInto(dtype string, b []byte, out []float32) {
	switch dtype {
	case "F32":
		for i := range len(b) / 4 {
			out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
	case "F16":
		for i := range len(b) / 2 {
			out[i] = f16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	case "BF16":
		for i := range len(b) / 2 {
			out[i] = bf16ToF32(binary.LittleEndian.Uint16(b[2*i:]))
		}
	}
}

func f16ToF32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch exp {
	case 0x1f: // inf (mant == 0) or nan; keep the payload
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	case 0: // zero or subnormal: mant * 2^-24, exact in float32
		f := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		if mant == 0 {
			return math.Float32frombits(sign) // keep -0
		}
		return f
	}
	return math.Float32frombits(sign | (exp+127-15)<<23 | mant<<13)
}

// bf16ToF32 widens bfloat16, which is the top half of a float32.
func bf16ToF32(b uint16) float32 { return math.Float32frombits(uint32(b) << 16) }

// parseHeader validates the JSON header of a safetensors file whose data region
// (the bytes after the header) is dataLen bytes long. It returns the tensors sorted
// by name and the metadata (nil when absent). Accepted entries satisfy: unique
// non-empty names, a supported dtype, non-negative dims whose product fits in an
// int, end-begin == elements*dtype size, 0 <= begin <= end <= dataLen, and no two
// non-empty tensors share a byte. It never panics on any input.
func parseHeader(b []byte, dataLen int64) ([]entry, map[string]string, error) {
	if dataLen < 0 {
		return nil, nil, headerErrorf("", "data region is %d bytes; want >= 0", dataLen)
	}
	if len(b) > maxHeaderLen {
		return nil, nil, headerErrorf("", "header is %d bytes; want at most %d (100 MiB)", len(b), maxHeaderLen)
	}
	if !utf8.Valid(b) {
		return nil, nil, headerErrorf("", "header is not valid UTF-8")
	}
	fields, err := objectFields(b)
	if err != nil {
		return nil, nil, &headerError{msg: "header is not a JSON object: " + err.Error(), err: err}
	}

	var meta map[string]string
	entries := make([]entry, 0, len(fields))
	for _, fld := range fields {
		if fld.key == metadataKey {
			if meta, err = parseMetadata(fld.value); err != nil {
				return nil, nil, err
			}
			continue
		}
		e, err := parseEntry(fld.key, fld.value, dataLen)
		if err != nil {
			return nil, nil, err
		}
		entries = append(entries, e)
	}

	// Overlap: sort by begin and compare neighbours. Empty tensors own no bytes.
	byBegin := make([]entry, 0, len(entries))
	for _, e := range entries {
		if e.end > e.begin {
			byBegin = append(byBegin, e)
		}
	}
	slices.SortFunc(byBegin, func(x, y entry) int {
		return cmp.Or(cmp.Compare(x.begin, y.begin), cmp.Compare(x.end, y.end))
	})
	for i := 1; i < len(byBegin); i++ {
		prev, cur := byBegin[i-1], byBegin[i]
		if cur.begin < prev.end {
			return nil, nil, headerErrorf(cur.name, "has data_offsets [%d, %d], overlapping tensor %s at [%d, %d]; want disjoint byte ranges",
				cur.begin, cur.end, quoteName(prev.name), prev.begin, prev.end)
		}
	}

	slices.SortFunc(entries, func(x, y entry) int { return cmp.Compare(x.name, y.name) })
	return entries, meta, nil
}

// parseEntry validates one tensor entry {"dtype", "shape", "data_offsets"}.
func parseEntry(name string, raw json.RawMessage, dataLen int64) (entry, error) {
	if name == "" {
		return entry{}, headerErrorf("", "tensor with an empty name; want a non-empty name")
	}
	fields, err := objectFields(raw)
	if err != nil {
		return entry{}, &headerError{tensor: name, msg: fmt.Sprintf("has entry %s; want an object with dtype, shape and data_offsets (%v)", snippet(raw), err), err: err}
	}
	var dtypeRaw, shapeRaw, offRaw json.RawMessage
	for _, fld := range fields {
		switch fld.key {
		case "dtype":
			dtypeRaw = fld.value
		case "shape":
			shapeRaw = fld.value
		case "data_offsets":
			offRaw = fld.value
		}
	}
	for _, m := range []struct {
		key string
		raw json.RawMessage
	}{{"dtype", dtypeRaw}, {"shape", shapeRaw}, {"data_offsets", offRaw}} {
		if m.raw == nil {
			return entry{}, headerErrorf(name, "has no %q; want dtype, shape and data_offsets", m.key)
		}
	}

	dtype, err := jsonString(dtypeRaw)
	if err != nil {
		return entry{}, headerErrorf(name, "has dtype %s; want a string (one of %s)", snippet(dtypeRaw), supportedDTypes)
	}
	size, ok := dtypeSize[dtype]
	if !ok {
		return entry{}, headerErrorf(name, "has dtype %s; supported: %s", plain(dtype), supportedDTypes)
	}

	dims, err := jsonInts(shapeRaw)
	if err != nil {
		return entry{}, headerErrorf(name, "has shape %s; want an array of non-negative integers", snippet(shapeRaw))
	}
	shape := make([]int, len(dims))
	elems := int64(1)
	overflow := false
	for i, d := range dims {
		if d < 0 || d > math.MaxInt {
			return entry{}, headerErrorf(name, "has shape %s; want non-negative dims", fmtDims(dims))
		}
		shape[i] = int(d)
		// Skip zero dims so that [0, 2^62, 2^62] is still refused as absurd.
		if d != 0 {
			if elems > math.MaxInt64/d {
				overflow = true
			}
			elems *= d
		}
	}
	if overflow || elems > math.MaxInt64/size || elems > math.MaxInt {
		return entry{}, headerErrorf(name, "has shape %s whose element count overflows; want at most %d bytes of data", fmtDims(dims), int64(math.MaxInt64))
	}
	if slices.Contains(dims, 0) {
		elems = 0
	}

	offs, err := jsonInts(offRaw)
	if err != nil || len(offs) != 2 || offs[0] < 0 || offs[1] < offs[0] {
		return entry{}, headerErrorf(name, "has data_offsets %s; want [begin, end] with 0 <= begin <= end", snippet(offRaw))
	}
	begin, end := offs[0], offs[1]
	if want := elems * size; end-begin != want {
		return entry{}, headerErrorf(name, "has data_offsets [%d, %d] (%d bytes); want %d bytes for %s shape %s",
			begin, end, end-begin, want, dtype, fmtDims(dims))
	}
	if end > dataLen {
		return entry{}, headerErrorf(name, "has data_offsets [%d, %d] but the data region holds only %d bytes (truncated file?); want end <= %d",
			begin, end, dataLen, dataLen)
	}
	return entry{name: name, dtype: dtype, shape: shape, begin: begin, end: end}, nil
}

// parseMetadata validates the __metadata__ value: an object of strings, or null.
func parseMetadata(raw json.RawMessage) (map[string]string, error) {
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	fields, err := objectFields(raw)
	if err != nil {
		return nil, &headerError{msg: fmt.Sprintf("__metadata__ is %s; want an object of strings (%v)", snippet(raw), err), err: err}
	}
	meta := make(map[string]string, len(fields))
	for _, fld := range fields {
		v, err := jsonString(fld.value)
		if err != nil {
			return nil, headerErrorf("", "__metadata__[%s] is %s; want a string", quoteName(fld.key), snippet(fld.value))
		}
		meta[fld.key] = v
	}
	return meta, nil
}

type field struct {
	key   string
	value json.RawMessage
}

// objectFields splits a JSON object into its fields in order. Unlike decoding
// into a map it refuses duplicate keys (which would silently shadow a tensor)
// and anything but whitespace after the closing brace.
func objectFields(b []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, noEOF(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("got %s; want '{'", snippet(bytes.TrimSpace(b)))
	}
	var fields []field
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, noEOF(err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("key %v is not a string", tok)
		}
		if seen[key] {
			return nil, fmt.Errorf("duplicate key %s", quoteName(key))
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, noEOF(err)
		}
		fields = append(fields, field{key, v})
	}
	if _, err := dec.Token(); err != nil { // the closing '}'
		return nil, noEOF(err)
	}
	rest := b[dec.InputOffset():]
	if len(bytes.Trim(rest, " \t\r\n")) != 0 {
		return nil, fmt.Errorf("unexpected %q after the object", snippet(bytes.TrimLeft(rest, " \t\r\n")))
	}
	return fields, nil
}

// noEOF turns the decoder's io.EOF (input ended mid-object) into a clearer error.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("unexpected end of JSON: %w", io.ErrUnexpectedEOF)
	}
	return err
}

// fmtDims prints a shape for a message, eliding the middle of absurdly long ones.
func fmtDims(dims []int64) string {
	const max = 16
	if len(dims) <= max {
		return fmt.Sprint(dims)
	}
	return fmt.Sprintf("%v ...(%d dims)]", strings.TrimSuffix(fmt.Sprint(dims[:max]), "]"), len(dims))
}

// jsonString decodes a JSON string, refusing null (which json.Unmarshal would
// turn into "" without complaint).
func jsonString(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return "", fmt.Errorf("not a string")
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// jsonInts decodes an array of integers strictly: no null (which json.Unmarshal
// would turn into 0), no fractions or exponents, no overflow.
func jsonInts(raw json.RawMessage) ([]int64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '[' {
		return nil, fmt.Errorf("not an array")
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, err
	}
	out := make([]int64, len(elems))
	for i, e := range elems {
		v, err := strconv.ParseInt(string(bytes.TrimSpace(e)), 10, 64)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// WriteSafetensors writes tensors as F32 (in name order, whatever their DType,
// since Data is float32) with the given metadata (omitted when empty). The file is
// written atomically: temp file in the same directory, write, fsync, rename, fsync
// of the directory. The header is padded with spaces so the data starts at a
// multiple of 8 bytes.
func WriteSafetensors(path string, tensors []Tensor, metadata map[string]string) error {
	sorted := make([]*Tensor, len(tensors))
	for i := range tensors {
		sorted[i] = &tensors[i]
	}
	slices.SortFunc(sorted, func(x, y *Tensor) int { return cmp.Compare(x.Name, y.Name) })
	meta := make(map[string]string, len(metadata)+len(sorted))
	for k, v := range metadata {
		if strings.HasPrefix(k, checksumPrefix) {
			return fmt.Errorf("checkpoints: write %s: metadata key %s is reserved for the tensor checksums", path, quoteName(k))
		}
		meta[k] = v
	}
	sumBuf := make([]byte, 0, 64<<10)
	for _, t := range sorted {
		if err := checkWritable(t); err != nil {
			return fmt.Errorf("checkpoints: write %s: %w", path, err)
		}
		meta[checksumKey(t.Name)] = fmt.Sprintf("%08x", tensorChecksum(t.Data, sumBuf))
	}
	metadata = meta

	var hdr bytes.Buffer
	enc := json.NewEncoder(&hdr)
	enc.SetEscapeHTML(false)
	hdr.WriteByte('{')
	if len(metadata) > 0 {
		for k, v := range metadata {
			if !utf8.ValidString(k) || !utf8.ValidString(v) {
				return fmt.Errorf("checkpoints: write %s: metadata %s: %s is not valid UTF-8; want UTF-8 (JSON would alter it)", path, quoteName(k), quoteName(v))
			}
		}
		hdr.WriteString(`"` + metadataKey + `":`)
		if err := enc.Encode(metadata); err != nil { // map keys come out sorted
			return fmt.Errorf("checkpoints: write %s: metadata: %w", path, err)
		}
		hdr.Truncate(hdr.Len() - 1) // Encode's trailing newline
	}
	var offset int64
	for i, t := range sorted {
		if err := checkWritable(t); err != nil {
			return fmt.Errorf("checkpoints: write %s: %w", path, err)
		}
		if i > 0 && sorted[i-1].Name == t.Name {
			return fmt.Errorf("checkpoints: write %s: tensor %s appears twice; want unique names", path, quoteName(t.Name))
		}
		if hdr.Len() > 1 {
			hdr.WriteByte(',')
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{} // a scalar is "shape": [], never null
		}
		end := offset + 4*int64(len(t.Data))
		if err := enc.Encode(t.Name); err != nil {
			return fmt.Errorf("checkpoints: write %s: tensor %s: %w", path, quoteName(t.Name), err)
		}
		hdr.Truncate(hdr.Len() - 1)
		hdr.WriteByte(':')
		if err := enc.Encode(struct {
			DType   string  `json:"dtype"`
			Shape   []int   `json:"shape"`
			Offsets []int64 `json:"data_offsets"`
		}{"F32", shape, []int64{offset, end}}); err != nil {
			return fmt.Errorf("checkpoints: write %s: tensor %s: %w", path, quoteName(t.Name), err)
		}
		hdr.Truncate(hdr.Len() - 1)
		offset = end
	}
	hdr.WriteByte('}')
	for (8+hdr.Len())%8 != 0 {
		hdr.WriteByte(' ')
	}

	return writeAtomic(path, func(w io.Writer) error {
		var lenBuf [8]byte
		binary.LittleEndian.PutUint64(lenBuf[:], uint64(hdr.Len()))
		if _, err := w.Write(lenBuf[:]); err != nil {
			return err
		}
		if _, err := w.Write(hdr.Bytes()); err != nil {
			return err
		}
		chunk := make([]byte, 0, 64<<10)
		for _, t := range sorted {
			for _, v := range t.Data {
				chunk = binary.LittleEndian.AppendUint32(chunk, math.Float32bits(v))
				if len(chunk) == cap(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return err
					}
					chunk = chunk[:0]
				}
			}
		}
		_, err := w.Write(chunk)
		return err
	})
}

// checkWritable checks that a tensor can be written and read back unchanged.
func checkWritable(t *Tensor) error {
	if t.Name == "" || t.Name == metadataKey || !utf8.ValidString(t.Name) {
		return fmt.Errorf("tensor name %s; want a non-empty UTF-8 name other than %q", quoteName(t.Name), metadataKey)
	}
	elems := 1
	for _, d := range t.Shape {
		if d < 0 {
			return fmt.Errorf("tensor %s has shape %v; want non-negative dims", quoteName(t.Name), t.Shape)
		}
		if d != 0 && elems > math.MaxInt/d {
			return fmt.Errorf("tensor %s has shape %v whose element count overflows", quoteName(t.Name), t.Shape)
		}
		elems *= d
	}
	if elems != len(t.Data) {
		return fmt.Errorf("tensor %s has shape %v (%d elements) but %d values; want them equal", quoteName(t.Name), t.Shape, elems, len(t.Data))
	}
	return nil
}
