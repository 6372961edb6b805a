package main

import "testing"

// --noise-filter=false sets the noise_unfiltered option; the default and
// --noise-filter keep today's filtered background.
func TestNoiseFilterFlag(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"--noise-filter"}, false},
		{[]string{"--noise-filter=false"}, true},
	} {
		cfg, _, err := resolveFlags(append([]string{"--out", t.TempDir()}, tc.args...))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.NoiseUnfiltered != tc.want {
			t.Errorf("%v: noise_unfiltered %v, want %v", tc.args, cfg.NoiseUnfiltered, tc.want)
		}
	}
}
