// Package synth builds large, realistic job logs for the fixer's benchmarks:
// ordinary build and test chatter (with the usual near-misses such as
// -Werror and CMake probes) interleaved with the labelled corpus logs.
package synth

import (
	"bufio"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"time"
)

var chatter = []string{
	"[ %d%%] Building CXX object src/CMakeFiles/ostools.dir/module_%d.cpp.o",
	"/usr/bin/c++ -DOSTOOLS_FIPS -I/home/runner/work/openssl-tools/openssl-tools/include -O2 -Wall -Wextra -Werror -std=gnu++17 -o CMakeFiles/ostools.dir/src/unit_%d.cpp.o -c src/unit_%d.cpp",
	"   Compiling serde_derive v1.0.%d",
	"ok  \tgithub.com/sparesparrow/mcp-project-orchestrator/internal/pkg%d\t0.%03ds",
	"tests/test_policy_%d.py::test_case_%d PASSED                                 [ 42%%]",
	"Downloading https://files.pythonhosted.org/packages/%d/ab/cd/requests-2.32.%d-py3-none-any.whl (64 kB)",
	"npm WARN deprecated inflight@1.0.%d: This module is not supported, and leaks memory.",
	"  ✓ renders dashboard tile %d (%d ms)",
	"[INFO] Tests run: %d, Failures: 0, Errors: 0, Skipped: 0, Time elapsed: 0.%d s -- in io.sparesparrow.sdk.Test",
	"openssl/3.2.%d: Retrieving package 9a4eb3c8701508aa9458b1a73d0633783ecc22%02d from remote 'conancenter'",
	"-- Performing Test HAVE_FEATURE_%d - Failed",
	"-- Looking for include file sys/feature_%d.h - not found",
	"/home/runner/work/openssl-tools/openssl-tools/src/file_%d.cpp:%d:5: warning: unused variable 'tmp' [-Wunused-variable]",
	"gcc -I. -Iinclude -fPIC -pthread -m64 -Wa,--noexecstack -Wall -O3 -c -o crypto/evp/libcrypto-lib-e_aes_%d.o crypto/evp/e_aes_%d.c",
	"=== RUN   TestFailover/case_%d",
	"--- PASS: TestErrorHandling/case_%d (0.%02ds)",
	"#%d [build 3/5] RUN go mod download && go build ./... (cached step %d)",
	"Receiving objects: %d%% (%d/1873), 4.21 MiB | 18.30 MiB/s",
	"conan: building openssl/3.2.1 with %d jobs, step %d",
	"INFO: 0 errors, %d warnings in module %d",
}

// CorpusLogs reads the corpus logs (dir/*/*.log), sorted by path.
func CorpusLogs(dir string) ([][]byte, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.log"))
	if err != nil {
		return nil, fmt.Errorf("failed to list corpus: %w", err)
	}
	sort.Strings(files)
	var out [][]byte
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("failed to read corpus log: %w", err)
		}
		out = append(out, data)
	}
	return out, nil
}

// Write writes about size bytes of log to w: chatter lines with GitHub
// timestamps, and one of the samples after every ~1 MiB of chatter.
func Write(w io.Writer, size int64, samples [][]byte, seed int64) (int64, error) {
	rng := rand.New(rand.NewSource(seed))
	bw := bufio.NewWriterSize(w, 1<<20)
	t := time.Date(2026, 11, 19, 2, 13, 0, 0, time.UTC)
	var written, sinceSample int64
	for written < size {
		if len(samples) > 0 && sinceSample > 1<<20 {
			n, err := bw.Write(samples[rng.Intn(len(samples))])
			written += int64(n)
			if err != nil {
				return written, fmt.Errorf("failed to write log: %w", err)
			}
			sinceSample = 0
			continue
		}
		t = t.Add(time.Duration(rng.Intn(50000)) * time.Microsecond)
		f := chatter[rng.Intn(len(chatter))]
		line := t.Format("2006-01-02T15:04:05.0000000Z ") + fmt.Sprintf(f, rng.Intn(100), rng.Intn(1000)) + "\n"
		n, err := bw.WriteString(line)
		written += int64(n)
		sinceSample += int64(n)
		if err != nil {
			return written, fmt.Errorf("failed to write log: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return written, fmt.Errorf("failed to write log: %w", err)
	}
	return written, nil
}
