package classify

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify/internal/synth"
)

// benchLog builds the benchmark log once: BENCH_LOG_MB MiB (default 64) of
// chatter and corpus logs.
func benchLog(b *testing.B) []byte {
	b.Helper()
	mb := 64
	if s := os.Getenv("BENCH_LOG_MB"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			b.Fatalf("BENCH_LOG_MB=%q: want a positive integer", s)
		}
		mb = v
	}
	samples, err := synth.CorpusLogs(corpusDir)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	buf.Grow(mb << 20)
	if _, err := synth.Write(&buf, int64(mb)<<20, samples, 1); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkAnalyze reports the classifier's throughput (MB/s) on a large log.
func BenchmarkAnalyze(b *testing.B) {
	data := benchLog(b)
	c, err := DefaultCatalog()
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range []int{1, 0} {
		name := "workers_default"
		var opts []AnalyzerOption
		if w > 0 {
			name = "workers_" + strconv.Itoa(w)
			opts = append(opts, WithWorkers(w))
		}
		a := NewAnalyzer(c, opts...)
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := a.Analyze(context.Background(), bytes.NewReader(data), "bench.log"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLogReader reports the line reader's throughput.
func BenchmarkLogReader(b *testing.B) {
	data := benchLog(b)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		lr := NewLogReader(bytes.NewReader(data))
		for lr.Next() {
		}
	}
}
