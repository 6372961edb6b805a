package data

// Scored marks the predictions the sample's loss counts: the prediction
// made at position t (of token t+1) where token t+1 is a target.
func (s Sample) Scored() []bool {
	score := make([]bool, len(s.IDs))
	for t := 0; t+1 < len(s.IDs); t++ {
		score[t] = s.LabelMask[t+1]
	}
	return score
}
