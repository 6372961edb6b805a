package graph

import (
	"errors"
	"github.com/rmtgo/rmt/internal/field"
	"strings"
	"testing"
)

// TestMemoryCheckNamesFields: a size a kind cannot take is a field.Error
// naming rmt.json's field, which a command renames with field.Rename.
func TestMemoryCheckNamesFields(t *testing.T) {
	flag := func(f string) string { return "--" + strings.ReplaceAll(f, "_", "-") }
	for _, tc := range []struct {
		m           Memory
		field, want string
	}{
		{Memory{Kind: "lstm"}, "memory", `--memory "lstm", want rmt or armt`},
		{Memory{Kind: KindRMT, DMem: 4}, "d_mem", "--d-mem 4 is the associative memory's key width; it needs --memory armt"},
		{Memory{Kind: KindRMT, Tokens: -1}, "mem_tokens", "--mem-tokens -1, want 0 or more"},
		{Memory{Kind: KindARMT, Tokens: 2}, "d_mem", "--d-mem 0, want at least 1 with --memory armt"},
		{Memory{Kind: KindARMT, DMem: 4}, "mem_tokens", "--mem-tokens 0, want at least 1 with --memory armt"},
	} {
		err := tc.m.Check()
		fe, ok := errors.AsType[*field.Error](err)
		if !ok || fe.Field != tc.field {
			t.Errorf("%+v.Check() = %v, want a field.Error on %s", tc.m, err, tc.field)
			continue
		}
		if got := strings.TrimPrefix(field.Rename(err, flag), "graph: "); !strings.HasPrefix(got, tc.want) {
			t.Errorf("%+v: named %q, want it to start %q", tc.m, got, tc.want)
		}
		if !strings.HasPrefix(err.Error(), "graph: "+tc.field) {
			t.Errorf("%+v: %q, want it to name the field %s", tc.m, err, tc.field)
		}
	}
	for _, m := range []Memory{{Kind: KindRMT}, {Kind: KindRMT, Tokens: 3}, {Kind: KindARMT, Tokens: 2, DMem: 4}} {
		if err := m.Check(); err != nil {
			t.Errorf("%+v.Check() = %v, want nil", m, err)
		}
	}
}

// TestMemoryKindsRoundTrip: for each kind, Init adds exactly the
// parameters Specs lists, with their shapes; MemoryOf reads the same
// memory back; every one is a memory parameter and the decoder's are not.
func TestMemoryKindsRoundTrip(t *testing.T) {
	for _, m := range []Memory{{Kind: KindRMT, Tokens: 3}, {Kind: KindARMT, Tokens: 2, DMem: 4, Features: FeaturesDPFP}, {Kind: KindARMT, Tokens: 2, DMem: 4, Features: FeaturesDPFPNormalized}} {
		w := perturbed(t, tinyConfig("llama"))
		before := len(w.Params)
		if err := m.Init(w, 1); err != nil {
			t.Fatal(err)
		}
		specs := m.Specs(w.Config)
		if len(w.Params)-before != len(specs) {
			t.Errorf("%s: Init added %d parameters, Specs lists %d", m.Kind, len(w.Params)-before, len(specs))
		}
		for _, sp := range specs {
			p := w.Get(sp.Name)
			if p == nil || !equalInts(p.Shape, sp.Shape) || !IsMemoryParam(sp.Name) {
				t.Errorf("%s: %s = %v, want shape %v and a memory parameter", m.Kind, sp.Name, p, sp.Shape)
			}
		}
		for _, p := range w.Params[:before] {
			if IsMemoryParam(p.Name) {
				t.Errorf("%s: decoder parameter %s counts as memory", m.Kind, p.Name)
			}
		}
		if got := MemoryOf(w); got != m {
			t.Errorf("MemoryOf after %+v.Init = %+v", m, got)
		}
	}
}
