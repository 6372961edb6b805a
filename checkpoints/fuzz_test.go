package checkpoints

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParseState checks that state.json parsing never panics, that every
// error is the package's, and that what it accepts has no negative count
// and survives a write and a second parse unchanged.
func FuzzParseState(f *testing.F) {
	f.Add([]byte(`{"format_version":1,"stage":0,"step":40,"stage_step":40,"data_cursor":320,"best_metric":0.5}`))
	f.Add([]byte(`{"format_version":1,"stage":2,"step":123,"stage_step":23,"rng":{"pcg":[1,2]},"data_cursor":1099511627776,"best_metric":-0.75,"parent":"runs/a/checkpoints/step-000100","progress":{"stage":2},"config":{"lr":0.0003},"run_id":"0123abcd","best_loss":0.25}`))
	f.Add([]byte(`{"format_version":1,"step":-5}`))
	f.Add([]byte(`{"format_version":2}`))
	f.Add([]byte(`{"step":1}`))
	f.Add([]byte(`{"format_version":1,"nope":1}`))
	f.Add([]byte(`{"format_version":1} {}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		st, err := parseState(raw, "state.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checkpoints: ") {
				t.Errorf("parseState error %q, want prefix checkpoints:", err)
			}
			return
		}
		if st.Step < 0 || st.Stage < 0 || st.StageStep < 0 || st.DataCursor < 0 || st.BestLoss < 0 {
			t.Fatalf("accepted a negative count: %+v", st)
		}
		again, err := json.Marshal(st)
		if err != nil {
			return // a best_metric JSON cannot hold is refused by Save
		}
		st2, err := parseState(again, "state.json")
		if err != nil {
			t.Fatalf("a state it accepted, written again, is refused: %v\n%s", err, again)
		}
		if a, _ := json.Marshal(st2); string(a) != string(again) {
			t.Fatalf("state changed in a round trip:\n%s\n%s", again, a)
		}
	})
}

// FuzzRMTInfo checks rmt.json parsing against a fixed config: never a
// panic, and an accepted memory passes its own check.
func FuzzRMTInfo(f *testing.F) {
	f.Add([]byte(`{"memory":"rmt","mem_tokens":2,"segment_size":8,"bptt_depth":-1,"family":"llama","tokenizer":"byte"}`))
	f.Add([]byte(`{"memory":"armt","d_mem":4,"mem_tokens":2,"segment_size":8,"bptt_depth":2,"family":"llama","tokenizer":"tokenizer.json","tokenizer_path":"../tok.json","task":"babi","babi_tasks":[1,2]}`))
	f.Add([]byte(`{"mem_tokens":-1,"segment_size":0,"bptt_depth":0,"family":"gpt2","tokenizer":"sp"}`))
	f.Add([]byte(`{"memory":"lstm","segment_size":8,"bptt_depth":-1,"family":"llama","tokenizer":"byte"}`))
	f.Add([]byte(`{"unknown":1}`))
	c := tinyLlama(true)
	f.Fuzz(func(t *testing.T, raw []byte) {
		var info RMTInfo
		if err := decodeStrict(raw, &info, "rmt.json"); err != nil {
			return
		}
		err := checkRMT(info, c, "rmt.json")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "checkpoints: rmt.json: ") {
				t.Errorf("checkRMT error %q, want it to name rmt.json", err)
			}
			return
		}
		if info.SegmentSize < 1 || info.MemTokens < 0 || info.Family != c.ModelType {
			t.Fatalf("accepted %+v", info)
		}
		if err := info.Kind().Check(); err != nil {
			t.Fatalf("accepted memory %+v fails its check: %v", info.Kind(), err)
		}
		_ = info.TokenizerFileIn("dir")
	})
}

// FuzzRunFiles checks the small files beside a run's checkpoints: run.json
// (RunInfo, decoded strictly) and the holder run.lock records.
func FuzzRunFiles(f *testing.F) {
	f.Add([]byte(`{"run_id":"0123456789abcdef","dir":"/runs/a","created":"2026-12-08T01:00:00Z"}`))
	f.Add([]byte(`{"pid":42,"host":"h","command":"train","since":"2026-12-08T01:00:00Z"}`))
	f.Add([]byte(`{"run_id":""}`))
	f.Add([]byte(`{"pid":-1}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		var info RunInfo
		if err := decodeStrict(raw, &info, "run.json"); err != nil && !strings.HasPrefix(err.Error(), "checkpoints: run.json: ") {
			t.Errorf("run.json error %q, want it to name the file", err)
		}
		var h Holder
		if json.Unmarshal(raw, &h) == nil && h.PID > 0 {
			_ = h.String()
		}
	})
}
