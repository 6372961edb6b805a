package eval

import (
	"strings"
	"testing"

	"github.com/rmtgo/rmt/graph"
)

func tinyGPT2(t *testing.T) *graph.Weights {
	c := graph.Config{ModelType: "gpt2", VocabSize: 16, NEmbd: 8, NLayer: 1, NHead: 2, NPositions: 8, LayerNormEpsilon: 1e-5}
	w, err := graph.RandomWeights(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestBadInputErrors(t *testing.T) {
	w := tinyGPT2(t)
	for _, tc := range []struct {
		name string
		err  func() error
		want string
	}{
		{"token id outside the vocabulary", func() error { _, err := Logits(w, []int{1, 16}); return err }, "outside the vocabulary"},
		{"negative token id", func() error { _, err := Logits(w, []int{-1}); return err }, "outside the vocabulary"},
		{"sequence longer than the position limit", func() error { _, err := Logits(w, make([]int, 9)); return err }, "position limit 8"},
		{"generation past the position limit", func() error { _, err := Greedy(w, []int{1, 2}, 7, nil); return err }, "position limit"},
		{"empty ids", func() error { _, err := Logits(w, nil); return err }, "no token ids"},
		{"empty prompt", func() error { _, err := Greedy(w, nil, 2, nil); return err }, "empty prompt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.err()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestGreedyStopsAndMatchesLogits(t *testing.T) {
	w := tinyGPT2(t)
	prompt := []int{3, 1, 4}
	out, err := Greedy(w, prompt, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 4 {
		t.Fatalf("Greedy returned %d tokens, want 4", len(out))
	}
	// Each generated token is the argmax of a plain forward over what came before.
	seq := append([]int{}, prompt...)
	for i, id := range out {
		logits, err := Logits(w, seq)
		if err != nil {
			t.Fatal(err)
		}
		if want := Argmax(logits[len(seq)-1]); id != want {
			t.Errorf("token %d = %d, want argmax %d", i, id, want)
		}
		seq = append(seq, id)
	}
	stopped, err := Greedy(w, prompt, 4, func(id int) bool { return id == out[0] })
	if err != nil || len(stopped) != 1 {
		t.Errorf("Greedy with stop = %v, %v; want one token", stopped, err)
	}
}
