package data

import (
	"slices"
	"strings"
	"testing"
)

func TestParseInts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		err  string
	}{
		{"", nil, ""},
		{"  ", nil, ""},
		{"7", []int{7}, ""},
		{"1, 403 ,407", []int{1, 403, 407}, ""},
		{"-1,0", []int{-1, 0}, ""},
		{"1,,2", nil, `item 2 ""`},
		{"1,x", nil, `item 2 "x"`},
		{"1.5", nil, `item 1 "1.5"`},
	} {
		got, err := ParseInts(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseInts(%q) error = %v, want one containing %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("ParseInts(%q) = %v, %v, want %v", tc.in, got, err, tc.want)
		}
	}
}
