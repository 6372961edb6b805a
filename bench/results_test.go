package bench

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFLOPsJSONContract: the field names docs/cli.md promises scripts for
// `flops` are there, and the document matches its golden file, so that a
// renamed field is a failing test.
func TestFLOPsJSONContract(t *testing.T) {
	flops, err := CompareFLOPs(tinyShape(t), 2, 1, 5, AttentionFull)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.MarshalIndent(struct {
		Results []FLOPsResult `json:"results"`
	}{[]FLOPsResult{flops}}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"results"`, `"tokens"`, `"rmt_flops"`, `"full_flops"`, `"ratio"`} {
		if !strings.Contains(string(raw), k) {
			t.Errorf("flops JSON lacks %s:\n%s", k, raw)
		}
	}
	golden := filepath.Join("testdata", "flops.golden.json")
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(raw) + "\n"; got != string(want) {
		t.Errorf("JSON differs from %s:\n got %s\nwant %s", golden, got, want)
	}
}
