package train

import (
	"strings"
	"testing"
)

// FuzzConfigFile checks that a --config file never panics the parser or
// Resolve, that errors name the file or a flag, and that a config Resolve
// accepts has stages and sane counts.
func FuzzConfigFile(f *testing.F) {
	f.Add([]byte(`{"task":"memorize","segment_size":64,"mem_tokens":4,"curriculum":"1,2","steps_per_stage":10}`))
	f.Add([]byte(`{"task":"lm","text_dir":"books","lr":0.0003,"warmup":5,"stages":[{"segments":1,"steps":10,"lr":0.001,"bptt_depth":-1}]}`))
	f.Add([]byte(`{"task":"babi","babi_dir":"b","babi_task":"1,6"}`))
	f.Add([]byte(`{"segmnt_size":64}`))
	f.Add([]byte(`{"warmup":-1,"clip_norm":-1}`))
	f.Add([]byte(`{"memory":"armt","d_mem":4,"curriculum":"scaling"}`))
	f.Add([]byte(`{} {}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		c := DefaultConfig()
		if err := parseConfigFile(raw, "run.json", &c); err != nil {
			if !strings.Contains(err.Error(), "config run.json") {
				t.Errorf("error %q does not name the file", err)
			}
			return
		}
		if err := c.Resolve(); err != nil {
			if !strings.HasPrefix(err.Error(), "train: ") {
				t.Errorf("Resolve error %q, want prefix train:", err)
			}
			return
		}
		if len(c.Stages) == 0 || c.Batch < 1 || c.SegmentSize < 1 || c.Warmup < 0 || !(c.ClipNorm >= 0) {
			t.Fatalf("Resolve accepted %+v", c)
		}
	})
}
