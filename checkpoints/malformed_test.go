package checkpoints

import (
	"encoding/binary"
	"strings"
	"testing"
)

// validHeader is a well-formed header for a 22-byte data region: a F32 (0-16), b F16 (16-22).
const validHeader = `{"__metadata__":{"format":"pt"},` +
	`"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},` +
	`"b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]}}`

// TestReadSafetensorsMalformed feeds broken files to the reader. Each must give an
// error, never a panic, prefixed "checkpoints:", naming the file (FILE below) and,
// where one is at fault, the tensor, with what was got and what was wanted.
func TestReadSafetensorsMalformed(t *testing.T) {
	zeros := func(n int) []byte { return make([]byte, n) }
	hugeLen := binary.LittleEndian.AppendUint64(nil, 1<<62)
	tests := []struct {
		name string
		file []byte
		want []string // substrings; FILE stands for the path
	}{
		{"shorter than 8 bytes", []byte{1, 2, 3}, []string{"FILE is 3 bytes; want at least 8"}},
		{"header length > file", append(binary.LittleEndian.AppendUint64(nil, 1000), `{}`...),
			[]string{"FILE: header length 1000 but only 2 bytes follow it"}},
		{"header length huge", append(hugeLen, `{}`...), []string{"FILE: header length 4611686018427387904; want at most"}},
		{"bad JSON", rawSafetensors(`{"a": {"dtype": "F32",`, nil), []string{"FILE: header is not a JSON object: unexpected end of JSON"}},
		{"empty header", rawSafetensors(``, nil), []string{"FILE: header is not a JSON object"}},
		{"non-object header", rawSafetensors(`[1, 2, 3]`, nil), []string{"FILE: header is not a JSON object: got [1, 2, 3]; want '{'"}},
		{"string header", rawSafetensors(`"a"`, nil), []string{"FILE: header is not a JSON object"}},
		{"trailing garbage", rawSafetensors(`{} x`, nil), []string{"FILE: header is not a JSON object", "after the object"}},
		{"two objects", rawSafetensors(`{}{}`, nil), []string{"FILE: header is not a JSON object"}},
		{"not UTF-8", rawSafetensors("{\"a\xff\":{}}", nil), []string{"FILE: header is not valid UTF-8"}},
		{"duplicate tensor", rawSafetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, zeros(8)),
			[]string{"FILE: header is not a JSON object", `duplicate key "a"`}},
		{"entry not an object", rawSafetensors(`{"a": 5}`, nil), []string{`tensor "a" in FILE has entry 5; want an object`}},
		{"missing dtype", rawSafetensors(`{"a":{"shape":[1],"data_offsets":[0,4]}}`, zeros(4)), []string{`tensor "a" in FILE has no "dtype"`}},
		{"missing shape", rawSafetensors(`{"a":{"dtype":"F32","data_offsets":[0,4]}}`, zeros(4)), []string{`tensor "a" in FILE has no "shape"`}},
		{"missing data_offsets", rawSafetensors(`{"a":{"dtype":"F32","shape":[1]}}`, zeros(4)), []string{`tensor "a" in FILE has no "data_offsets"`}},
		{"empty name", rawSafetensors(`{"":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, zeros(4)), []string{"FILE: tensor with an empty name"}},
		{"unsupported dtype", rawSafetensors(`{"x":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`, zeros(8)),
			[]string{`checkpoints: tensor "x" in FILE has dtype I64; supported: F32, F16, BF16`}},
		{"dtype F64", rawSafetensors(`{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}`, zeros(8)), []string{`has dtype F64; supported`}},
		{"dtype not a string", rawSafetensors(`{"x":{"dtype":null,"shape":[1],"data_offsets":[0,4]}}`, zeros(4)), []string{`tensor "x" in FILE has dtype null; want a string`}},
		{"null shape", rawSafetensors(`{"a":{"dtype":"F32","shape":null,"data_offsets":[0,4]}}`, zeros(4)), []string{`tensor "a" in FILE has shape null; want an array`}},
		{"null dim", rawSafetensors(`{"a":{"dtype":"F32","shape":[null],"data_offsets":[0,0]}}`, nil), []string{`tensor "a" in FILE has shape [null]`}},
		{"fractional dim", rawSafetensors(`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, zeros(4)), []string{`tensor "a" in FILE has shape [1.5]`}},
		{"negative dim", rawSafetensors(`{"a":{"dtype":"F32","shape":[2,-1],"data_offsets":[0,0]}}`, nil), []string{`tensor "a" in FILE has shape [2 -1]; want non-negative dims`}},
		{"element count overflows", rawSafetensors(`{"a":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,0]}}`, nil),
			[]string{`tensor "a" in FILE has shape [4294967296 4294967296 4] whose element count overflows`}},
		{"byte count overflows", rawSafetensors(`{"a":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,0]}}`, nil), []string{"overflows"}},
		{"huge dims with a zero", rawSafetensors(`{"a":{"dtype":"F32","shape":[0,9223372036854775807,9223372036854775807],"data_offsets":[0,0]}}`, nil), []string{"overflows"}},
		{"dim beyond int64", rawSafetensors(`{"a":{"dtype":"F32","shape":[99999999999999999999],"data_offsets":[0,0]}}`, nil), []string{`tensor "a" in FILE has shape`}},
		{"wrong byte count for shape", rawSafetensors(`{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}`, zeros(24)),
			[]string{`tensor "a" in FILE has data_offsets [0, 20] (20 bytes); want 24 bytes for F32 shape [2 3]`}},
		{"wrong byte count for F16", rawSafetensors(`{"a":{"dtype":"F16","shape":[3],"data_offsets":[0,12]}}`, zeros(12)), []string{"want 6 bytes for F16 shape [3]"}},
		{"offsets reversed", rawSafetensors(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}`, zeros(8)), []string{`tensor "a" in FILE has data_offsets [8,0]; want [begin, end]`}},
		{"offsets negative", rawSafetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}`, zeros(8)), []string{`has data_offsets [-4,0]; want [begin, end] with 0 <= begin`}},
		{"one offset", rawSafetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4]}}`, zeros(8)), []string{`has data_offsets [4]; want [begin, end]`}},
		{"three offsets", rawSafetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}`, zeros(8)), []string{`has data_offsets [0,4,8]`}},
		{"offsets not ints", rawSafetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":"0-4"}}`, zeros(8)), []string{`has data_offsets "0-4"`}},
		{"offsets out of range", rawSafetensors(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[1000,1004]}}`, zeros(16)),
			[]string{`tensor "a" in FILE has data_offsets [1000, 1004] but the data region holds only 16 bytes`}},
		{"truncated file", rawSafetensors(validHeader, zeros(20)),
			[]string{`tensor "b" in FILE has data_offsets [16, 22] but the data region holds only 20 bytes (truncated file?)`}},
		{"overlap", rawSafetensors(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}`, zeros(24)),
			[]string{`tensor "b" in FILE has data_offsets [8, 24], overlapping tensor "a" at [0, 16]`}},
		{"same range twice", rawSafetensors(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}`, zeros(16)),
			[]string{"overlapping tensor"}},
		{"metadata not strings", rawSafetensors(`{"__metadata__":{"step":1}}`, nil), []string{`FILE: __metadata__["step"] is 1; want a string`}},
		{"metadata not an object", rawSafetensors(`{"__metadata__":[1]}`, nil), []string{`FILE: __metadata__ is [1]; want an object of strings`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeTemp(t, "bad.safetensors", tc.file)
			ts, _, err := ReadSafetensors(path)
			if err == nil {
				t.Fatalf("ReadSafetensors(%s) = %d tensors, nil; want an error", tc.name, len(ts))
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "checkpoints: ") {
				t.Errorf("ReadSafetensors(%s) = %q, want prefix %q", tc.name, msg, "checkpoints: ")
			}
			for _, w := range append(tc.want, "FILE") {
				w = strings.ReplaceAll(w, "FILE", path)
				if !strings.Contains(msg, w) {
					t.Errorf("ReadSafetensors(%s) = %q, want it to contain %q", tc.name, msg, w)
				}
			}
		})
	}
}

func TestReadSafetensorsMissingFile(t *testing.T) {
	path := t.TempDir() + "/nope.safetensors"
	if _, _, err := ReadSafetensors(path); err == nil || !strings.HasPrefix(err.Error(), "checkpoints: ") || !strings.Contains(err.Error(), path) {
		t.Errorf("ReadSafetensors(%s) = %v, want a checkpoints: error naming the file", path, err)
	}
}

// TestParseHeaderAccepts pins down what is legal: gaps between tensors, empty
// tensors anywhere, null metadata, unknown fields, padding.
func TestParseHeaderAccepts(t *testing.T) {
	tests := []struct {
		name    string
		header  string
		dataLen int64
		want    []string // names in order
	}{
		{"valid", validHeader + "      ", 22, []string{"a", "b"}},
		{"gap between tensors", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}`, 16, []string{"a"}},
		{"empty tensor inside another", `{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"e":{"dtype":"BF16","shape":[0],"data_offsets":[4,4]}}`, 16, []string{"a", "e"}},
		{"null metadata", `{"__metadata__":null}`, 0, nil},
		{"unknown field", `{"a":{"dtype":"F32","shape":[],"data_offsets":[0,4],"extra":1}}`, 4, []string{"a"}},
		{"empty header", `{}`, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, _, err := parseHeader([]byte(tc.header), tc.dataLen)
			if err != nil {
				t.Fatalf("parseHeader(%s) = %v, want nil", tc.name, err)
			}
			var names []string
			for _, e := range es {
				names = append(names, e.name)
			}
			if strings.Join(names, ",") != strings.Join(tc.want, ",") {
				t.Errorf("parseHeader(%s) names = %v, want %v", tc.name, names, tc.want)
			}
		})
	}
}

// FuzzParseHeader checks that parseHeader never panics and that whatever it
// accepts satisfies the invariants the reader relies on for slicing the data.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte(validHeader), int64(22))
	f.Add([]byte(validHeader), int64(20))
	f.Add([]byte(`{"__metadata__":{"format":"pt"}}`), int64(0))
	f.Add([]byte(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}`), int64(24))
	f.Add([]byte(`{"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}`), int64(8))
	f.Add([]byte(`{"a":{"dtype":"F32","shape":[0,-1],"data_offsets":[0,0]}}`), int64(0))
	f.Add([]byte(`{"a":{"dtype":"BF16","shape":[],"data_offsets":[0,2]},"e":{"dtype":"F16","shape":[0],"data_offsets":[1,1]}}`), int64(2))
	f.Add([]byte(`[1,2]`), int64(0))
	f.Add([]byte(`{"a":5}`), int64(-1))
	f.Fuzz(func(t *testing.T, header []byte, dataLen int64) {
		es, _, err := parseHeader(header, dataLen)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checkpoints: ") {
				t.Errorf("parseHeader error %q, want prefix checkpoints:", err)
			}
			return
		}
		for i, e := range es {
			if e.name == "" || e.name == metadataKey {
				t.Fatalf("accepted tensor name %q", e.name)
			}
			if i > 0 && es[i-1].name >= e.name {
				t.Fatalf("names not sorted and unique: %q then %q", es[i-1].name, e.name)
			}
			size, ok := dtypeSize[e.dtype]
			if !ok {
				t.Fatalf("tensor %q: accepted dtype %q", e.name, e.dtype)
			}
			elems := int64(1)
			for _, d := range e.shape {
				if d < 0 {
					t.Fatalf("tensor %q: accepted shape %v", e.name, e.shape)
				}
				elems *= int64(d)
			}
			if e.begin < 0 || e.end < e.begin || e.end > dataLen || e.end-e.begin != elems*size {
				t.Fatalf("tensor %q: accepted %s %v at [%d, %d] with dataLen %d", e.name, e.dtype, e.shape, e.begin, e.end, dataLen)
			}
			for _, o := range es[:i] {
				if o.begin < o.end && e.begin < e.end && o.begin < e.end && e.begin < o.end {
					t.Fatalf("accepted overlap: %q [%d, %d] and %q [%d, %d]", o.name, o.begin, o.end, e.name, e.begin, e.end)
				}
			}
			if i > 64 {
				break // the pairwise overlap check is quadratic
			}
		}
	})
}
