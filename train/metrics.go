package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/rmtgo/rmt/checkpoints"
)

// record is one line of metrics.jsonl: a logged step or an evaluation.
type record struct {
	Type       string        `json:"type"` // "step", "eval", "memory", or "final" (the best checkpoint after the last stage)
	Stage      int           `json:"stage"`
	Step       int           `json:"step"`
	Segments   int           `json:"segments"`
	Loss       float64       `json:"loss,omitempty"`
	MemPenalty float64       `json:"mem_penalty,omitempty"` // the --mem-stability term, outside loss
	LR         float64       `json:"lr,omitempty"`
	GradNorm   float64       `json:"grad_norm,omitempty"`
	TokensPerS float64       `json:"tokens_per_s,omitempty"`
	ValLoss    *float64      `json:"val_loss,omitempty"`
	Accuracy   *float64      `json:"accuracy,omitempty"` // -1 where the task has no answers
	Threads    int           `json:"threads,omitempty"`  // the run's kernel thread count (Config.Kernels)
	Memory     *memoryRecord `json:"memory,omitempty"`   // type "memory": where the run's memory goes
	Time       string        `json:"time,omitempty"`     // when written, RFC 3339
	// ElapsedS is the run's wall time in seconds when written: this
	// process's, plus what the records kept on resuming had reached.
	ElapsedS float64 `json:"elapsed_s,omitempty"`
}

// metricsLog appends records to metrics.jsonl, one JSON object a line,
// synced as written so that a kill loses at most the line being written.
type metricsLog struct {
	f     *os.File
	start time.Time
	carry float64 // elapsed_s of the last record kept on resuming
	// threads is the run's kernel thread count (Config.Kernels), which
	// every record carries.
	threads int
}

// openMetrics opens path for appending. Resuming from step keep drops the
// records after that step (and a torn last line, and the final table,
// which is computed again), so that the file of a
// resumed run reads as that of a run never stopped; keep < 0 starts afresh.
// threads is the thread count the records carry.
func openMetrics(path string, keep, threads int) (*metricsLog, error) {
	var carry float64
	if keep < 0 {
		if err := checkpoints.WriteFileAtomic(path, nil); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	} else {
		old, err := os.ReadFile(path)
		if err != nil && !os.IsNotExist(err) {
			return nil, fmt.Errorf("train: %w", err)
		}
		var kept bytes.Buffer
		sc := bufio.NewScanner(bytes.NewReader(old))
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r record
			if json.Unmarshal(sc.Bytes(), &r) != nil || r.Step > keep || r.Type == "final" {
				continue
			}
			kept.Write(sc.Bytes())
			kept.WriteByte('\n')
			carry = max(carry, r.ElapsedS)
		}
		if err := checkpoints.WriteFileAtomic(path, kept.Bytes()); err != nil {
			return nil, fmt.Errorf("train: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return &metricsLog{f: f, start: time.Now(), carry: carry, threads: threads}, nil
}

// Write appends r; a nil log (a rank other than 0) writes nothing.
func (m *metricsLog) Write(r record) error {
	if m == nil {
		return nil
	}
	r.Threads = m.threads
	now := time.Now()
	r.Time = now.UTC().Format(time.RFC3339)
	r.ElapsedS = math.Round((m.carry+now.Sub(m.start).Seconds())*1000) / 1000
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("train: metrics: %w", err)
	}
	if _, err := m.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("train: metrics: %w", err)
	}
	return m.f.Sync()
}

func (m *metricsLog) Close() error {
	if m == nil {
		return nil
	}
	return m.f.Close()
}
