package data

import (
	"math/rand/v2"
	"strings"
)

// FillerNoise generates background sentences from templates, for runs
// without a corpus. Its vocabulary is closed and contains no task word: no
// name, place, object, movement verb or direction of the tasks (taskWords,
// moveVerbs, directions; checked by a test), so filler never reads like a
// fact. There are tens of thousands of distinct sentences.
type FillerNoise struct{}

// NewFillerNoise returns the template filler.
func NewFillerNoise() FillerNoise { return FillerNoise{} }

// Open implements Noise.
func (FillerNoise) Open(rng *rand.Rand) SentenceReader { return fillerReader{rng} }

type fillerReader struct{ rng *rand.Rand }

func (fillerReader) Close() error { return nil }

var (
	fillSubjects = []string{
		"The old sailor", "A young clerk", "Her aunt", "The miller", "A stranger",
		"The doctor", "His brother", "The schoolmaster", "An old woman", "The innkeeper",
		"A shepherd", "The widow", "The captain", "Our neighbour", "The boy",
		"The girl", "A farmer", "The vicar", "The lawyer", "A soldier",
	}
	fillVerbs = []string{
		"mended", "painted", "counted", "carried", "admired", "polished", "forgot",
		"found", "sold", "bought", "wrapped", "opened", "examined", "described",
		"praised", "borrowed",
	}
	fillObjects = []string{
		"the broken fence", "a letter from abroad", "the silver teapot", "an old map",
		"the winter coats", "a basket of pears", "the church bell", "a pair of boots",
		"the wooden cart", "a small painting", "the ledger", "a bundle of firewood",
		"the lantern", "the fishing nets", "a blue ribbon",
	}
	fillAdverbials = []string{
		"before supper", "in the morning", "after the rain", "with great care",
		"without a word", "for the third time", "by candlelight", "on market day",
		"in silence", "at dawn", "late that evening", "once again",
	}
	fillTimes = []string{
		"nearly midnight", "a cold afternoon", "the first day of spring", "long past noon",
		"a quiet Sunday", "the end of harvest", "early in the year", "a grey morning",
	}
	fillIntransitive = []string{
		"laughed", "fell asleep", "began to sing", "sighed", "stood up", "spoke at last",
		"hesitated", "looked away", "closed the book", "lit a pipe",
	}
	fillWeather = []string{
		"The wind rose", "The rain fell", "A thin fog settled", "The snow lay deep",
		"The sun came out", "Clouds gathered", "The frost held", "A warm breeze blew",
	}
	fillLandmarks = []string{
		"the bridge", "the mill", "the church", "the river", "the market", "the well",
		"the orchard", "the harbour", "the meadow", "the old wall", "the chapel", "the ford",
	}
	fillAdjectives = []string{
		"too high", "very fair", "hardly worth mentioning", "a great surprise",
		"not to be trusted", "quite ordinary", "the talk of the village", "a mystery",
	}
	fillTopics = []string{
		"the price of wheat", "the new road", "the weather", "the last letter",
		"the old quarrel", "the harvest", "the lease", "the sermon",
	}
)

// Next implements SentenceReader.
func (r fillerReader) Next() (string, error) {
	pick := func(l []string) string { return l[r.rng.IntN(len(l))] }
	low := func(s string) string { return strings.ToLower(s[:1]) + s[1:] }
	switch r.rng.IntN(7) {
	case 0, 1:
		return pick(fillSubjects) + " " + pick(fillVerbs) + " " + pick(fillObjects) + " " + pick(fillAdverbials) + ".", nil
	case 2:
		return "It was " + pick(fillTimes) + " when " + low(pick(fillSubjects)) + " " + pick(fillIntransitive) + ".", nil
	case 3:
		return pick(fillWeather) + " over " + pick(fillLandmarks) + " " + pick(fillAdverbials) + ".", nil
	case 4:
		return pick(fillSubjects) + " said that " + pick(fillTopics) + " was " + pick(fillAdjectives) + ".", nil
	case 5:
		return "Nobody knew why " + low(pick(fillSubjects)) + " " + pick(fillVerbs) + " " + pick(fillObjects) + ".", nil
	default:
		return "There was talk of " + pick(fillObjects) + " near " + pick(fillLandmarks) + ", or so " + low(pick(fillSubjects)) + " said.", nil
	}
}
