package data

import (
	"fmt"
	"strconv"
	"strings"
)

// ParseInts parses a comma-separated list of integers such as "1,403,407"
// (token ids, segment counts, sample counts). Spaces around items are
// allowed; an empty or blank string is an empty list.
func ParseInts(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts := strings.Split(s, ",")
	out := make([]int, len(parts))
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return nil, fmt.Errorf("data: item %d %q is not an integer", i+1, strings.TrimSpace(p))
		}
		out[i] = v
	}
	return out, nil
}
