package data

// The task vocabulary. Facts of the synthetic tasks are built from these
// words, and the same words cover the entities of bAbI qa1-qa5 (people,
// rooms, objects). Noise is filtered against them: a background sentence
// that contains any of them, as a whole word in any case, is dropped, and the
// filler generator never uses them. So a fact can only come from the task,
// never from the noise by accident ("Mary went into the garden" in a novel
// would otherwise be a second, conflicting fact).

var (
	// names are the people of the memorize and detect facts (bAbI qa1).
	names = []string{"Mary", "John", "Daniel", "Sandra"}
	// moveVerbs are the verbs of the memorize and detect facts.
	moveVerbs = []string{"moved", "went", "journeyed", "travelled", "went back"}
	// places are the rooms of every synthetic task (bAbI qa1-qa5).
	places = []string{"bathroom", "hallway", "garden", "office", "kitchen", "bedroom"}
	// directions are the relations of the reasoning task (bAbI qa4).
	directions = []string{"north", "south", "east", "west"}

	// babiNames and babiObjects complete the bAbI qa1-qa5 entities.
	babiNames   = []string{"Bill", "Fred", "Jeff"}
	babiObjects = []string{"football", "apple", "milk"}
)

// taskWords are the words whose presence makes a noise sentence a possible
// fact: every name, place and object of the tasks, lower-cased.
var taskWords = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range [][]string{names, places, babiNames, babiObjects} {
		for _, w := range list {
			m[lower(w)] = true
		}
	}
	return m
}()

// MentionsTaskWord reports whether s contains a task word as a whole word,
// ignoring case. Words are runs of ASCII letters; it does not allocate.
func MentionsTaskWord(s string) bool {
	var buf [16]byte
	for i := 0; i < len(s); {
		if !isLetter(s[i]) {
			i++
			continue
		}
		j := i
		for j < len(s) && isLetter(s[j]) {
			j++
		}
		// A word glued to a non-ASCII letter ("Marys" with an accent) is
		// still checked on its ASCII part; that errs on the side of dropping.
		if n := j - i; n >= 3 && n <= len(buf) {
			for k := 0; k < n; k++ {
				buf[k] = s[i+k] | 0x20 // ASCII letters only: lower-case
			}
			if taskWords[string(buf[:n])] {
				return true
			}
		}
		i = j
	}
	return false
}

func isLetter(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// opposite gives the converse relation: X north of Y means Y south of X.
var opposite = map[string]string{"north": "south", "south": "north", "east": "west", "west": "east"}
