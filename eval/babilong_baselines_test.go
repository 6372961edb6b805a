package eval

import (
	"strings"
	"testing"

	"github.com/rmtgo/rmt/data"
)

// The two baselines on hand-made stories equal the values counted by hand:
// question only 2/5 (John's office and Mary's kitchen; Mary's garden loses
// to her more frequent kitchen, unseen questions get the overall kitchen),
// last candidate 4/5 (all but the story whose last place is John's; the
// kitchen of "before the kitchen?" is skipped as a word of the question).
func TestBabiBaselines(t *testing.T) {
	parse := func(text string) []data.BabiStory {
		st, err := data.ParseBabi(strings.NewReader(text), "hand")
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	train := parse("1 Mary went to the kitchen.\n2 John went to the garden.\n3 Where is Mary?\tkitchen\t1\n" +
		"1 Mary went to the garden.\n2 Where is Mary?\tgarden\t1\n" +
		"1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t1\n" +
		"1 John went to the office.\n2 Where is John?\toffice\t1\n")
	test := parse("1 Mary went to the garden.\n2 John went to the kitchen.\n3 Where is Mary?\tgarden\t1\n" +
		"1 Sandra went to the office.\n2 Where is Sandra?\toffice\t1\n" +
		"1 John went to the office.\n2 Where is John?\toffice\t1\n" +
		"1 Mary went to the kitchen.\n2 Where is Mary?\tkitchen\t1\n" +
		"1 Mary went to the garden.\n2 Mary went to the kitchen.\n3 Where was Mary before the kitchen?\tgarden\t1 2\n")
	qo, lc, n := BabiBaselines(train, test)
	if n != 5 || qo != 0.4 || lc != 0.8 {
		t.Errorf("BabiBaselines = question only %v, last candidate %v over %d questions; want 0.4, 0.8 over 5", qo, lc, n)
	}
}
