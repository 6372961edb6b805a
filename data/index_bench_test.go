package data_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"github.com/rmtgo/rmt/bench"
	"github.com/rmtgo/rmt/data"
)

// BenchmarkIndexLargeJSONL writes a JSONL question file of
// RMT_INDEX_BENCH_MB MiB (default 1024) into a temporary folder and
// reports what indexing it adds to the resident set: the index keeps an
// offset and a token count per line, never the text. Not a test; run
//
//	go test ./data -run '^$' -bench IndexLargeJSONL -benchtime 1x
func BenchmarkIndexLargeJSONL(b *testing.B) {
	mb := 1024
	if s := os.Getenv("RMT_INDEX_BENCH_MB"); s != "" {
		mb, _ = strconv.Atoi(s)
	}
	path := filepath.Join(b.TempDir(), "big.jsonl")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	ctx := strings.Repeat("The rain came down over the hills and the road ran on to the sea. ", 30) // ~2 KB a line
	lines := 0
	for written := 0; written < mb<<20; lines++ {
		n, _ := fmt.Fprintf(w, `{"id":"l%d","context":"%s","question":"Where is Mary?","answer":"garden"}`+"\n", lines, ctx)
		written += n
	}
	w.Flush()
	f.Close()
	for b.Loop() {
		runtime.GC()
		debug.FreeOSMemory()
		before := bench.ResidentMB()
		ds, err := data.OpenDataset(data.DatasetConfig{Kind: "qa", Files: []string{path}, ValShare: 0.1, Tokenizer: data.NewByteTokenizer()})
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		debug.FreeOSMemory()
		after := bench.ResidentMB()
		fmt.Printf("indexed %d MiB, %d lines (%d train, %d validation): resident %.0f MiB before, %.0f MiB after, +%.0f MiB\n",
			mb, lines, ds.Lines(data.SplitTrain), ds.Lines(data.SplitEval), before, after, after-before)
		b.ReportMetric(after-before, "MiB-added")
		runtime.KeepAlive(ds)
	}
}
