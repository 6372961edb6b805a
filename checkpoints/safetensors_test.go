package checkpoints

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// rawSafetensors builds a file from a literal header and data region, so tests
// can write dtypes and malformations that WriteSafetensors never produces.
func rawSafetensors(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, data...)
}

func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sameFloats compares bit patterns, so NaN, -0 and subnormals must survive exactly.
func sameFloats(a, b []float32) bool {
	return slices.EqualFunc(a, b, func(x, y float32) bool { return math.Float32bits(x) == math.Float32bits(y) })
}

func TestSafetensorsRoundTrip(t *testing.T) {
	odd := make([]float32, 3*5*7)
	for i := range odd {
		odd[i] = float32(i)*0.37 - 11
	}
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
	}{
		{
			name: "mixed",
			tensors: []Tensor{
				{Name: "z.last", Shape: []int{3, 5, 7}, Data: odd},
				{Name: "scalar", Shape: []int{}, Data: []float32{3.5}},
				{Name: "empty", Shape: []int{0, 3}, Data: []float32{}},
				{Name: "a.specials", Shape: []int{7}, Data: []float32{
					float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()),
					float32(math.Copysign(0, -1)), math.SmallestNonzeroFloat32, math.MaxFloat32, -1,
				}},
				{Name: "odd1", Shape: []int{1}, Data: []float32{42}},
			},
			meta: map[string]string{"format": "pt", "note": `<&> ünï "quoted"`},
		},
		{name: "no tensors", meta: map[string]string{"format": "pt"}},
		{name: "no metadata", tensors: []Tensor{{Name: "w", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}}}},
		{name: "nil shape is a scalar", tensors: []Tensor{{Name: "s", Data: []float32{-2}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.safetensors")
			before := slices.Clone(tc.tensors)
			if err := WriteSafetensors(path, tc.tensors, tc.meta); err != nil {
				t.Fatalf("WriteSafetensors(%s) = %v, want nil", tc.name, err)
			}
			if !slices.EqualFunc(before, tc.tensors, func(x, y Tensor) bool { return x.Name == y.Name }) {
				t.Errorf("WriteSafetensors reordered its argument")
			}

			raw, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if n := binary.LittleEndian.Uint64(raw); (8+n)%8 != 0 {
				t.Errorf("data start = 8+%d, want a multiple of 8", n)
			}

			got, meta, err := ReadSafetensors(path)
			if err != nil {
				t.Fatalf("ReadSafetensors(%s) = %v, want nil", path, err)
			}
			want := slices.Clone(tc.tensors)
			slices.SortFunc(want, func(x, y Tensor) int { return strings.Compare(x.Name, y.Name) })
			if len(got) != len(want) {
				t.Fatalf("ReadSafetensors: %d tensors, want %d", len(got), len(want))
			}
			for i := range want {
				g, w := got[i], want[i]
				wantShape := w.Shape
				if wantShape == nil {
					wantShape = []int{}
				}
				if g.Name != w.Name || g.DType != "F32" || !slices.Equal(g.Shape, wantShape) || g.Shape == nil {
					t.Errorf("tensor %d = %q %s %v, want %q F32 %v", i, g.Name, g.DType, g.Shape, w.Name, wantShape)
				}
				if !sameFloats(g.Data, w.Data) || g.Data == nil {
					t.Errorf("tensor %q data = %v, want %v", g.Name, g.Data, w.Data)
				}
			}
			wantMeta := tc.meta
			if len(wantMeta) == 0 {
				wantMeta = nil
			}
			if len(meta) != len(wantMeta) || (meta == nil) != (wantMeta == nil) {
				t.Errorf("metadata = %v, want %v", meta, wantMeta)
			}
			for k, v := range wantMeta {
				if meta[k] != v {
					t.Errorf("metadata[%q] = %q, want %q", k, meta[k], v)
				}
			}
		})
	}
}

func TestWriteSafetensorsRefuses(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"duplicate name", []Tensor{{Name: "a", Shape: []int{1}, Data: []float32{1}}, {Name: "a", Shape: []int{1}, Data: []float32{2}}}, nil, `"a" appears twice`},
		{"shape/data mismatch", []Tensor{{Name: "a", Shape: []int{2, 3}, Data: []float32{1}}}, nil, "6 elements"},
		{"negative dim", []Tensor{{Name: "a", Shape: []int{-1}, Data: nil}}, nil, "non-negative"},
		{"empty name", []Tensor{{Name: "", Shape: []int{1}, Data: []float32{1}}}, nil, "non-empty"},
		{"reserved name", []Tensor{{Name: "__metadata__", Shape: []int{1}, Data: []float32{1}}}, nil, "__metadata__"},
		{"invalid UTF-8 name", []Tensor{{Name: "a\xff", Shape: []int{1}, Data: []float32{1}}}, nil, "UTF-8"},
		{"invalid UTF-8 metadata", nil, map[string]string{"k": "\xff"}, "UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "m.safetensors")
			err := WriteSafetensors(path, tc.tensors, tc.meta)
			if err == nil || !strings.HasPrefix(err.Error(), "checkpoints: ") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("WriteSafetensors(%s) = %v, want error containing %q", tc.name, err, tc.want)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("WriteSafetensors(%s) left %d files, want none", tc.name, len(ents))
			}
		})
	}
}

func TestF16BF16Decoding(t *testing.T) {
	f16 := []struct {
		bits uint16
		want float32
	}{
		{0x0000, 0},
		{0x8000, float32(math.Copysign(0, -1))},
		{0x3C00, 1},
		{0xC000, -2},
		{0x3800, 0.5},
		{0x3555, 0.333251953125},     // 1/3 rounded: (1 + 341/1024) * 2^-2
		{0x7BFF, 65504},              // largest finite half
		{0x0400, 1.0 / 16384},        // smallest normal, 2^-14
		{0x0001, 1.0 / (1 << 24)},    // smallest subnormal, 2^-24
		{0x03FF, 1023.0 / (1 << 24)}, // largest subnormal
		{0x8001, -1.0 / (1 << 24)},
		{0x7C00, float32(math.Inf(1))},
		{0xFC00, float32(math.Inf(-1))},
		{0x7E00, float32(math.NaN())},
	}
	bf16 := []struct {
		bits uint16
		want float32
	}{
		{0x0000, 0},
		{0x8000, float32(math.Copysign(0, -1))},
		{0x3F80, 1},
		{0xC040, -3},
		{0x4049, 3.140625},                      // pi truncated to 8 mantissa bits
		{0x0001, math.Float32frombits(1 << 16)}, // subnormal, 2^-133
		{0x7F7F, math.Float32frombits(0x7F7F0000)},
		{0x7F80, float32(math.Inf(1))},
		{0xFF80, float32(math.Inf(-1))},
		{0x7FC0, float32(math.NaN())},
	}
	var data []byte
	for _, c := range f16 {
		data = binary.LittleEndian.AppendUint16(data, c.bits)
	}
	hOff := len(data)
	for _, c := range bf16 {
		data = binary.LittleEndian.AppendUint16(data, c.bits)
	}
	header := `{"h":{"dtype":"F16","shape":[` + strconv.Itoa(len(f16)) + `],"data_offsets":[0,` + strconv.Itoa(hOff) + `]},` +
		`"b":{"dtype":"BF16","shape":[` + strconv.Itoa(len(bf16)) + `],"data_offsets":[` + strconv.Itoa(hOff) + `,` + strconv.Itoa(len(data)) + `]}}`
	path := writeTemp(t, "half.safetensors", rawSafetensors(header, data))
	ts, _, err := ReadSafetensors(path)
	if err != nil {
		t.Fatalf("ReadSafetensors(%s) = %v, want nil", path, err)
	}
	if len(ts) != 2 || ts[0].Name != "b" || ts[0].DType != "BF16" || ts[1].Name != "h" || ts[1].DType != "F16" {
		t.Fatalf("ReadSafetensors = %d tensors %v, want b BF16 and h F16", len(ts), ts)
	}
	check := func(kind string, bits uint16, got, want float32) {
		t.Helper()
		if math.IsNaN(float64(want)) {
			if !math.IsNaN(float64(got)) {
				t.Errorf("%s(%#04x) = %v, want NaN", kind, bits, got)
			}
			return
		}
		if math.Float32bits(got) != math.Float32bits(want) {
			t.Errorf("%s(%#04x) = %v, want %v", kind, bits, got, want)
		}
	}
	for i, c := range f16 {
		check("F16", c.bits, ts[1].Data[i], c.want)
	}
	for i, c := range bf16 {
		check("BF16", c.bits, ts[0].Data[i], c.want)
	}
}

// TestF16AllValues checks every half against the IEEE formula evaluated in float64.
func TestF16AllValues(t *testing.T) {
	for h := range 1 << 16 {
		sign, exp, mant := h>>15, (h>>10)&0x1f, h&0x3ff
		var want float64
		switch {
		case exp == 0x1f && mant == 0:
			want = math.Inf(1)
		case exp == 0x1f:
			want = math.NaN()
		case exp == 0:
			want = math.Ldexp(float64(mant), -24)
		default:
			want = math.Ldexp(1+float64(mant)/1024, exp-15)
		}
		if sign == 1 {
			want = -want
		}
		got := f16ToF32(uint16(h))
		if math.IsNaN(want) {
			if !math.IsNaN(float64(got)) {
				t.Fatalf("f16ToF32(%#04x) = %v, want NaN", h, got)
			}
			continue
		}
		if float64(got) != want || math.Signbit(float64(got)) != (sign == 1) {
			t.Fatalf("f16ToF32(%#04x) = %v, want %v", h, got, want)
		}
	}
}
