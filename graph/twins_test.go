package graph

import (
	"reflect"
	"testing"
)

// TestTwinsCopyEverySetting checks that a twin carries every exported
// setting of its cell, whatever it is called (a field added later is not
// dropped), while its graphs are its own and are kept from call to call.
func TestTwinsCopyEverySetting(t *testing.T) {
	_, c := streamCell(t, Memory{Kind: KindRMT, Tokens: 2}, "llama")
	v := reflect.ValueOf(c).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if !v.Type().Field(i).IsExported() || !f.IsZero() {
			continue
		}
		switch f.Kind() { // a value no constructor gives
		case reflect.Int:
			f.SetInt(7)
		case reflect.Uint64:
			f.SetUint(7)
		case reflect.Float64:
			f.SetFloat(0.25)
		case reflect.Slice:
			f.Set(reflect.MakeSlice(f.Type(), 3, 3))
		case reflect.String:
			f.SetString("seven")
		case reflect.Pointer:
			f.Set(reflect.New(f.Type().Elem()))
		default:
			t.Fatalf("field %s of kind %s: give it a test value here", v.Type().Field(i).Name, f.Kind())
		}
	}
	first := c.Twins(3)
	if len(first) != 3 || first[0] != c {
		t.Fatalf("Twins(3) = %d cells, first %p; want 3 starting with the cell %p", len(first), first[0], c)
	}
	for k, tw := range first[1:] {
		tv := reflect.ValueOf(tw).Elem()
		for i := range v.NumField() {
			if name := v.Type().Field(i).Name; v.Type().Field(i).IsExported() && !reflect.DeepEqual(tv.Field(i).Interface(), v.Field(i).Interface()) {
				t.Errorf("twin %d: %s = %v, want the cell's %v", k+1, name, tv.Field(i).Interface(), v.Field(i).Interface())
			}
		}
		if reflect.ValueOf(tw.graphs).Pointer() == reflect.ValueOf(c.graphs).Pointer() || tw.twins != nil {
			t.Errorf("twin %d shares the cell's graphs or has twins of its own", k+1)
		}
	}
	c.MemNoise = 0.5
	again := c.Twins(3)
	for k := range again {
		if again[k] != first[k] {
			t.Errorf("Twins called again: cell %d is new; want the twins kept (graphs compiled once)", k)
		}
		if again[k].MemNoise != 0.5 {
			t.Errorf("Twins called again: cell %d has MemNoise %v, want the cell's new 0.5", k, again[k].MemNoise)
		}
	}
}
