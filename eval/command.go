package eval

import "github.com/rmtgo/rmt/data"

// What the commands read from their flags and pass on to data, so that
// cmd reaches data only through eval.

// ParseInts reads a comma-separated list of integers such as 1,4,16 (nil
// for an empty string).
func ParseInts(s string) ([]int, error) { return data.ParseInts(s) }

// ParseBabiTasks reads bAbI task numbers such as 1,2,5.
func ParseBabiTasks(s string) ([]int, error) { return data.ParseBabiTasks(s) }
