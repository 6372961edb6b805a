package curriculum

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

var defaults = Stage{BPTTDepth: -1, Steps: 300, LR: 1e-4, Threshold: 0.99, Patience: 5}

// withSegments is defaults with one stage per segment count.
func withSegments(segs ...int) Curriculum {
	c := Curriculum{}
	for _, n := range segs {
		s := defaults
		s.Segments = n
		c.Stages = append(c.Stages, s)
	}
	return c
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want []int
	}{
		{"single", "4", []int{4}},
		{"doubling", "1,2,4,8", []int{1, 2, 4, 8}},
		{"spaces", " 1, 2 ,3 ", []int{1, 2, 3}},
		{"gaps", "1,16,32", []int{1, 16, 32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.spec, defaults)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.spec, err)
			}
			if want := withSegments(tt.want...); !slices.Equal(got.Stages, want.Stages) {
				t.Errorf("Parse(%q) = %+v, want %+v", tt.spec, got.Stages, want.Stages)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		spec string
		want []string // substrings of the error, besides "curriculum"
	}{
		{"empty", "", []string{"empty"}},
		{"blank", "  ", []string{"empty"}},
		{"empty item", "1,,4", []string{"item 2", "empty"}},
		{"trailing comma", "1,2,", []string{"item 3", "empty"}},
		{"word", "1,two,4", []string{"item 2", `"two"`, "not an integer"}},
		{"float", "1,2.5", []string{"item 2", `"2.5"`, "not an integer"}},
		{"overflow", "1,99999999999999999999999", []string{"item 2", `"99999999999999999999999"`, "too large"}},
		{"zero", "0,1", []string{"item 1", `"0"`, "less than 1"}},
		{"negative", "1,-2", []string{"item 2", `"-2"`, "less than 1"}},
		{"decreasing", "1,4,2", []string{"item 3", `"2"`, "not strictly increasing", "follows 4"}},
		{"duplicate", "1,2,2", []string{"item 3", `"2"`, "duplicates item 2"}},
		{"duplicate after larger", "1,4,8,4", []string{"item 4", `"4"`, "duplicates item 2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.spec, defaults)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want an error", tt.spec, got)
			}
			for _, w := range append([]string{"curriculum"}, tt.want...) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%q) error = %q, want it to contain %q", tt.spec, err, w)
				}
			}
		})
	}
}

func TestParseBadDefaults(t *testing.T) {
	bad := defaults
	bad.Steps = 0
	_, err := Parse("1,2", bad)
	want := `curriculum: curriculum "1,2": stage 1: steps = 0, want >= 1`
	if err == nil || err.Error() != want {
		t.Errorf("Parse(\"1,2\", steps 0) error = %v, want %q", err, want)
	}
}

func TestPresets(t *testing.T) {
	tests := []struct {
		name string
		want []int
	}{
		{"scaling", []int{1, 2, 3, 4, 5, 6, 7}},
		{"babilong", []int{1, 2, 4, 6, 8, 16, 32}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Preset(tt.name, defaults)
			if err != nil {
				t.Fatalf("Preset(%q) error: %v", tt.name, err)
			}
			if want := withSegments(tt.want...); !slices.Equal(got.Stages, want.Stages) {
				t.Errorf("Preset(%q) = %+v, want %+v", tt.name, got.Stages, want.Stages)
			}
			if got, err := Resolve(tt.name, defaults); err != nil || len(got.Stages) != len(tt.want) {
				t.Errorf("Resolve(%q) = %v, %v, want the preset", tt.name, got, err)
			}
		})
	}
	if len(presets) != len(tests) {
		t.Errorf("len(presets) = %d, want %d (add a test case for a new preset)", len(presets), len(tests))
	}
}

func TestPresetUnknown(t *testing.T) {
	_, err := Preset("fibonacci", defaults)
	if err == nil {
		t.Fatal(`Preset("fibonacci") = nil error, want unknown preset`)
	}
	for _, w := range []string{`"fibonacci"`, "babilong, scaling"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Preset(\"fibonacci\") error = %q, want it to contain %q", err, w)
		}
	}
}

func TestResolve(t *testing.T) {
	got, err := Resolve("1,3", defaults)
	if err != nil {
		t.Fatalf("Resolve(\"1,3\") error: %v", err)
	}
	if want := withSegments(1, 3); !slices.Equal(got.Stages, want.Stages) {
		t.Errorf("Resolve(\"1,3\") = %+v, want %+v", got.Stages, want.Stages)
	}
	if _, err := Resolve("scalin", defaults); err == nil || !strings.Contains(err.Error(), `"scalin"`) {
		t.Errorf("Resolve(\"scalin\") error = %v, want one naming the item", err)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *Stage)
		want   string // field named in the error
	}{
		{"segments zero", func(s *Stage) { s.Segments = 0 }, "segments = 0"},
		{"segments not rising", func(s *Stage) { s.Segments = 1 }, "segments = 1"},
		{"bptt zero", func(s *Stage) { s.BPTTDepth = 0 }, "bptt_depth = 0"},
		{"bptt -2", func(s *Stage) { s.BPTTDepth = -2 }, "bptt_depth = -2"},
		{"steps zero", func(s *Stage) { s.Steps = 0 }, "steps = 0"},
		{"lr zero", func(s *Stage) { s.LR = 0 }, "lr = 0"},
		{"lr negative", func(s *Stage) { s.LR = -1e-4 }, "lr = -0.0001"},
		{"lr NaN", func(s *Stage) { s.LR = math.NaN() }, "lr = NaN"},
		{"lr Inf", func(s *Stage) { s.LR = math.Inf(1) }, "lr = +Inf"},
		{"threshold negative", func(s *Stage) { s.Threshold = -0.1 }, "threshold = -0.1"},
		{"threshold above 1", func(s *Stage) { s.Threshold = 1.5 }, "threshold = 1.5"},
		{"threshold NaN", func(s *Stage) { s.Threshold = math.NaN() }, "threshold = NaN"},
		{"patience negative", func(s *Stage) { s.Patience = -1 }, "patience = -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := withSegments(1, 2, 4)
			tt.change(&c.Stages[1])
			err := c.Validate()
			if err == nil {
				t.Fatalf("Validate(%+v) = nil, want an error", c.Stages[1])
			}
			for _, w := range []string{"stage 2", tt.want} {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate(%+v) = %q, want it to contain %q", c.Stages[1], err, w)
				}
			}
		})
	}
}

func TestValidateGood(t *testing.T) {
	tests := []struct {
		name string
		c    Curriculum
	}{
		{"defaults", withSegments(1, 2, 4)},
		{"bounds", Curriculum{Stages: []Stage{
			{Segments: 1, BPTTDepth: 1, Steps: 1, LR: 1e-6, Threshold: 0, Patience: 0},
			{Segments: 2, BPTTDepth: 8, Steps: 1, LR: 1, Threshold: 1, Patience: 1},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.c.Validate(); err != nil {
				t.Errorf("Validate(%v) = %v, want nil", tt.c, err)
			}
		})
	}
	if err := (Curriculum{}).Validate(); err == nil {
		t.Error("Validate(no stages) = nil, want an error")
	}
}

func TestStageBPTT(t *testing.T) {
	tests := []struct {
		segments, depth, want int
	}{
		{4, -1, 4},
		{4, 2, 2},
		{4, 4, 4},
		{4, 9, 4},
		{1, 1, 1},
	}
	for _, tt := range tests {
		s := Stage{Segments: tt.segments, BPTTDepth: tt.depth}
		if got := s.BPTT(); got != tt.want {
			t.Errorf("Stage{Segments: %d, BPTTDepth: %d}.BPTT() = %d, want %d", tt.segments, tt.depth, got, tt.want)
		}
	}
}

func TestString(t *testing.T) {
	varied := withSegments(1, 2, 4)
	varied.Stages[2].Steps = 600
	tests := []struct {
		name string
		c    Curriculum
		want string
	}{
		{"same steps", withSegments(1, 2, 4), "1→2→4 segments (300 steps each)"},
		{"varied steps", varied, "1→2→4 segments (300/300/600 steps)"},
		{"one stage", withSegments(8), "8 segments (300 steps)"},
		{"one segment", withSegments(1), "1 segment (300 steps)"},
		{"empty", Curriculum{}, "no stages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.c.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCurriculumJSON(t *testing.T) {
	c := withSegments(1, 2, 4)
	c.Stages[1].BPTTDepth = 2
	c.Stages[2].LR = 3e-5
	c.Stages[2].Threshold = 0
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{`"stages"`, `"segments"`, `"bptt_depth"`, `"steps"`, `"lr"`, `"threshold"`, `"patience"`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("json.Marshal(curriculum) = %s, want key %s", b, key)
		}
	}
	var got Curriculum
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Stages, c.Stages) {
		t.Errorf("JSON round trip = %+v, want %+v", got.Stages, c.Stages)
	}
}
