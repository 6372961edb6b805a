// Package bench measures speed and memory: the resident size of the
// process while something runs (PeakDuring, StartPeak), for the
// measurements of eval, train and the developer command cmd/bench.
package bench
