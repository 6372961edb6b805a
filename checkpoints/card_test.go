package checkpoints

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// An exported folder carries the base model's settings and evaluations and
// a model card written from rmt.json, the run's metrics and those
// evaluations; exported again, it keeps them.
func TestExportCard(t *testing.T) {
	root := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := filepath.Join(root, "base")
	write(filepath.Join(base, "README.md"), "---\nlanguage: en\nlicense: mit\n---\n# the base\n")
	write(filepath.Join(base, "generation_config.json"), `{"bos_token_id": 1, "eos_token_id": 2}`)
	write(filepath.Join(base, "tokenizer_config.json"), `{"add_bos_token": true}`)

	ck := newCheckpoint(t, tinyLlama(true), 2, 1)
	ck.RMT.Task = "memorize"
	ck.RMT.Training = &Training{
		BaseModel: base, Seed: 7, Step: 4, Stage: 2,
		Curriculum: []Stage{{Segments: 1, BPTTDepth: -1, Steps: 2, LR: 1e-3}, {Segments: 2, BPTTDepth: -1, Steps: 3, LR: 1e-3}},
		Data:       []DataFile{{Name: "books/a.txt", Bytes: 3, SHA256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
		Commit:     "abc123", Dirty: true,
	}
	ck.State.Step = 4
	from, err := (Run{Dir: filepath.Join(root, "run"), Keep: 3}).SaveStep(ck, true)
	if err != nil {
		t.Fatal(err)
	}
	write(filepath.Join(root, "run", "metrics.jsonl"), strings.Join([]string{
		`{"type":"step","stage":1,"step":1,"segments":1,"loss":3}`,
		`{"type":"eval","stage":1,"step":2,"segments":1,"val_loss":2.5,"accuracy":0.25}`,
		`{"type":"step","stage":2,"step":4,"segments":2,"loss":2}`,
		`{"type":"eval","stage":2,"step":4,"segments":2,"val_loss":1.5,"accuracy":0.75}`,
		`{"type":"final","stage":2,"step":4,"segments":1,"val_loss":1.25,"accuracy":0.875}`,
		`{"type":"final","stage":2,"step":4,"segments":4,"val_loss":1.2,"accuracy":0.5}`,
	}, "\n")+"\n")
	write(filepath.Join(from, "eval", "accuracy-memorize.json"), `{"task":"memorize","results":[{"segments":1,"tokens":8,"samples":10,"correct":9,"accuracy":0.9}]}`)

	loaded, err := Load(from)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(root, "exported")
	if err := Export(loaded, out, ExportOptions{Format: FormatHF, From: from}); err != nil {
		t.Fatal(err)
	}
	want := []string{"README.md", "config.json", "eval", "generation_config.json", "model.safetensors", "rmt.json", "tokenizer_config.json"}
	if got := entries(t, out); !slices.Equal(got, want) {
		t.Errorf("the export holds %v, want %v (special_tokens_map.json only where the base has one)", got, want)
	}
	for _, f := range []string{"generation_config.json", "tokenizer_config.json"} {
		a, _ := os.ReadFile(filepath.Join(base, f))
		if b, err := os.ReadFile(filepath.Join(out, f)); err != nil || string(a) != string(b) {
			t.Errorf("%s carried as %q, %v; want the base's bytes %q", f, b, err, a)
		}
	}
	info, err := ReadRMTInfo(out)
	if err != nil {
		t.Fatal(err)
	}
	if info.Format != FormatHF || !reflect.DeepEqual(info.Training, ck.RMT.Training) {
		t.Errorf("rmt.json format %q training %+v; want %q and %+v", info.Format, info.Training, FormatHF, ck.RMT.Training)
	}
	card, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"# exported",
		"| base model | `base`, licence: mit |",
		"| memory | rmt: 2 memory tokens, segments of 8 tokens",
		"| training task | memorize |",
		"| seed | 7 |",
		"| steps | 4 (stage 2 of 2) |",
		"| trained at commit | `abc123` with uncommitted changes |",
		"| carried from the base model | generation_config.json, tokenizer_config.json |",
		"| books/a.txt | 3 | `ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad` |",
		"| 1 | 1 | all segments | 2 | 2 | 0.001 |",
		"| 2 | 2 | all segments | 3 | 2 | 0.001 |",
		"the run's final table",
		"| 1 | 8 | 1.2500 | 0.875 |",
		"| 4 | 32 | 1.2000 | 0.500 |",
		"## Evaluation: eval/accuracy-memorize.json",
		"| segments | tokens | samples | correct | accuracy |",
		"| 1 | 8 | 10 | 9 | 0.900 |",
		"go run ./cmd/eval accuracy --checkpoint exported",
		"python3 examples/pytorch/rmt_reader.py exported --text",
		"reporting `rmt.memory` as an unused weight",
	} {
		if !strings.Contains(string(card), line) {
			t.Errorf("the card lacks %q:\n%s", line, card)
		}
	}

	// Exported again, as the official wrapper's layout, the folder keeps
	// what it carried; its run's metrics are not there to show.
	again, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	out2 := filepath.Join(root, "again")
	if err := Export(again, out2, ExportOptions{Format: FormatRMTPyTorch, From: out}); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, out2); !slices.Equal(got, want) {
		t.Errorf("the second export holds %v, want %v", got, want)
	}
	card, _ = os.ReadFile(filepath.Join(out2, "README.md"))
	for _, line := range []string{"exported in the `rmt-pytorch` format", "`memory_cell.memory`", "| 1 | 8 | 10 | 9 | 0.900 |", "Not recorded: the checkpoint was exported without its run's metrics.jsonl."} {
		if !strings.Contains(string(card), line) {
			t.Errorf("the second card lacks %q:\n%s", line, card)
		}
	}
}

// licence reads the front matter of a HuggingFace model card, and a
// license field of the folder's JSON files; nothing when neither says.
func TestLicence(t *testing.T) {
	for _, tc := range []struct{ name, file, text, want string }{
		{"front matter", "README.md", "---\nlicense: \"apache-2.0\"\n---\n", "apache-2.0"},
		{"after the front matter", "README.md", "---\ntags: x\n---\nlicense: mit\n", ""},
		{"no front matter", "README.md", "# model\nlicense: mit\n", ""},
		{"config field", "config.json", `{"license": "llama2"}`, "llama2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.text), 0o644)
			if got := licence(dir); got != tc.want {
				t.Errorf("licence(%s holding %q) = %q, want %q", tc.file, tc.text, got, tc.want)
			}
		})
	}
}

// An ARMT export's card gives the associative memory's sizes, and says
// that transformers runs its decoder alone; a checkpoint without a
// training record says so rather than inventing one.
func TestExportCardARMT(t *testing.T) {
	ck := armtCheckpoint(t, tinyLlama(true), 1)
	out := filepath.Join(t.TempDir(), "armt-export")
	if err := Export(ck, out, ExportOptions{Format: FormatHF}); err != nil {
		t.Fatal(err)
	}
	card, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"| memory | armt: 2 memory tokens, d_mem 3, features dpfp, segments of 8 tokens",
		"| base model | not recorded (a checkpoint of an older build) |",
		"without the associative memory (`armt.*` tensors",
		"Not recorded: the checkpoint was exported without its run's metrics.jsonl.",
	} {
		if !strings.Contains(string(card), line) {
			t.Errorf("the card lacks %q:\n%s", line, card)
		}
	}
}
