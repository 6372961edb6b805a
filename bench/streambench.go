package bench

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/rmtgo/rmt/graph"
)

// StreamRate is one memory kind's reading speed through graph.Stream.
type StreamRate struct {
	Memory       graph.Memory `json:"memory"`
	Segments     int          `json:"segments"`
	Tokens       int          `json:"tokens"`
	Seconds      float64      `json:"seconds"` // the best round
	TokensPerSec float64      `json:"tokens_per_s"`
	RatioToFirst float64      `json:"ratio_to_first"` // tokens/s over the first memory's
}

// CompareStreams streams the same random segments through a model of shape
// c with each memory in turn (random weights, the same for the decoder),
// rounds times, interleaved so that a change in the machine's load falls on
// every memory alike, and reports each memory's best round.
func CompareStreams(c graph.Config, seg, segments, rounds int, mems []graph.Memory, progress func(string)) ([]StreamRate, error) {
	if seg < 1 || segments < 1 || rounds < 1 || len(mems) == 0 {
		return nil, fmt.Errorf("eval: streaming comparison wants a segment size, segments, rounds and memories (got %d, %d, %d, %d)", seg, segments, rounds, len(mems))
	}
	rng := rand.New(rand.NewPCG(7, 8))
	row := randomRow(rng, segments*seg, c.VocabSize)
	streams := make([]*graph.Cell[float32], len(mems))
	for i, m := range mems {
		w, err := graph.RandomWeights(c, 1)
		if err != nil {
			return nil, err
		}
		if err := m.Init(w, 1); err != nil {
			return nil, err
		}
		if streams[i], err = graph.NewMemoryCell[float32](w, m, seg, false); err != nil {
			return nil, err
		}
		// A warm-up segment compiles the graph.
		if err := streams[i].NewStream().Feed(row[:seg]); err != nil {
			return nil, err
		}
	}
	out := make([]StreamRate, len(mems))
	for r := 0; r < rounds; r++ {
		for i, cell := range streams {
			st := cell.NewStream()
			t0 := time.Now()
			for k := 0; k < segments; k++ {
				if err := st.Feed(row[k*seg : (k+1)*seg]); err != nil {
					return nil, err
				}
			}
			d := time.Since(t0).Seconds()
			if r == 0 || d < out[i].Seconds {
				out[i] = StreamRate{Memory: mems[i], Segments: segments, Tokens: segments * seg, Seconds: d}
			}
			if progress != nil {
				progress(fmt.Sprintf("round %d/%d, memory %s: %d tokens in %.2f s", r+1, rounds, mems[i].Kind, segments*seg, d))
			}
		}
	}
	for i := range out {
		out[i].TokensPerSec = float64(out[i].Tokens) / out[i].Seconds
		out[i].RatioToFirst = out[i].TokensPerSec / (float64(out[0].Tokens) / out[0].Seconds)
	}
	return out, nil
}
