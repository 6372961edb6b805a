package train

import (
	"slices"

	"github.com/rmtgo/rmt/curriculum"
)

// stageOptions are the options a curriculum's stages are built from, by
// their flag names: each stage carries its own copy of all but curriculum.
var stageOptions = []string{"curriculum", "steps-per-stage", "bptt-depth", "lr", "threshold", "patience"}

// overrideStages makes options given on the command line win over stages
// that a config file (or a resumed run's saved config) spells out: a
// given curriculum drops those stages, so that Resolve builds them again
// from it and the other options; any other stage option given is set in
// every stage. Without this the stages would run while config.json
// recorded the flags' values.
func (c *Config) overrideStages(flags []string) {
	if len(c.Stages) == 0 {
		return
	}
	if slices.Contains(flags, "curriculum") {
		c.Stages = nil
		return
	}
	stages := slices.Clone(c.Stages)
	for _, f := range flags {
		if !slices.Contains(stageOptions, f) {
			continue
		}
		for i := range stages {
			s := &stages[i]
			switch f {
			case "steps-per-stage":
				s.Steps = c.StepsPerStage
			case "bptt-depth":
				s.BPTTDepth = c.BPTTDepth
			case "lr":
				s.LR = c.LR
			case "threshold":
				s.Threshold = c.Threshold
			case "patience":
				s.Patience = c.Patience
			}
		}
	}
	c.Stages = stages
}

// totalSteps is the steps of the stages if each runs to its budget.
func totalSteps(stages []curriculum.Stage) int {
	n := 0
	for _, s := range stages {
		n += s.Steps
	}
	return n
}
