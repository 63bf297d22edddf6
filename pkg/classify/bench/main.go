// Command bench compares the fixer's classifier with ripgrep and grep on a
// large synthetic job log, and prints the classifier's accuracy on the
// labelled corpora: the one written with the rules (testdata/fixer/corpus)
// and each half of the public corpus (testdata/fixer/public).
//
//	go run ./pkg/classify/bench -mb 500
//	go run ./pkg/classify/bench -accuracy -misses   # accuracy only, with the misses
//
// It builds testdata/fixer/large/bench.log (gitignored) from the corpus and
// ordinary build chatter, writes patterns.txt (the catalog's patterns, for
// rg) and patterns.ere (the same patterns in POSIX ERE, for grep -E), then
// times `bench -classify` (this program, which streams the log through
// classify.Analyzer and reports its peak RSS from /proc), `rg -c -f` and
// `grep -c -E -f` on the same file in the same run.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify/internal/corpus"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify/internal/synth"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := realMain(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func realMain(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	mb := fs.Int("mb", envInt("BENCH_LOG_MB", 500), "size of the generated log in MiB (env BENCH_LOG_MB)")
	root := fs.String("root", ".", "repository root")
	classifyLog := fs.String("classify", "", "classify this log and print a summary (used by the comparison)")
	runs := fs.Int("runs", 2, "timed runs per tool (the best is reported)")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up on a tool after this long (reported as a bound)")
	accuracyOnly := fs.Bool("accuracy", false, "print the accuracy reports only, skip the throughput comparison")
	misses := fs.Bool("misses", false, "list the logs each accuracy report got wrong (never those of the validation half)")
	only := fs.String("sets", "existing,dev,validation", "accuracy reports to print: existing, dev, validation (comma separated)")
	batch := fs.Int("batch", 0, "score only this split batch of the public corpus (0: all batches; the existing corpus is always whole)")
	noRules := fs.Bool("no-rules", false, "score the general layer alone (an empty catalog): how it does on failures no rule knows")
	cpuProfile := fs.String("cpuprofile", "", "with -classify: write a CPU profile of the classification to this file (go tool pprof)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *classifyLog != "" {
		return classifyFile(ctx, *classifyLog, *cpuProfile, out)
	}
	if err := accuracy(ctx, *root, *misses, *noRules, *batch, strings.Split(*only, ","), out); err != nil {
		return err
	}
	if *accuracyOnly {
		return nil
	}
	return compare(ctx, *root, *mb, *runs, *timeout, out)
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func classifyFile(ctx context.Context, path, cpuProfile string, out io.Writer) error {
	c, err := classify.DefaultCatalog()
	if err != nil {
		return err
	}
	if cpuProfile != "" {
		pf, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	res, err := classify.NewAnalyzer(c).Analyze(ctx, f, path)
	if err != nil {
		return err
	}
	hwm := "?"
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, l := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(l, "VmHWM:") {
				hwm = strings.TrimSpace(strings.TrimPrefix(l, "VmHWM:"))
			}
		}
	}
	rc := "none"
	if r := res.RootCause(); r != nil {
		rc = fmt.Sprintf("%s@%d", r.RuleID, r.Line)
	}
	fmt.Fprintf(out, "lines=%d findings=%d root=%s peak_rss=%s\n", res.Lines, len(res.Findings), rc, hwm)
	return nil
}

// accuracy scores the classifier on the corpus written with the rules and
// on each half of the public corpus (testdata/fixer/public/README.md), and
// prints each report. misses lists the logs each got wrong; batch, when not
// 0, keeps only that split batch of the public corpus (a batch's validation
// logs scored alone are the figure for logs that no rule had seen before it).
func accuracy(ctx context.Context, root string, misses, noRules bool, batch int, only []string, out io.Writer) error {
	c, err := classify.DefaultCatalog()
	if err != nil {
		return err
	}
	if noRules {
		fmt.Fprintln(out, "The general layer alone (no rules):")
		if c, err = classify.NewCatalog(); err != nil {
			return err
		}
	}
	top1 := classifier(classify.NewAnalyzer(c))
	sets := []struct {
		key  string
		name string
		load func() ([]corpus.Case, error)
	}{
		{"existing", "existing corpus (testdata/fixer/corpus)", func() ([]corpus.Case, error) {
			return corpus.LoadLabels(filepath.Join(root, "testdata/fixer/corpus"))
		}},
		{"dev", "public corpus, dev half (testdata/fixer/public/dev)" + batchName(batch), func() ([]corpus.Case, error) {
			return loadBatch(filepath.Join(root, "testdata/fixer/public", corpus.HalfDev), batch)
		}},
		{"validation", "public corpus, validation half (never tuned on)" + batchName(batch), func() ([]corpus.Case, error) {
			return loadBatch(filepath.Join(root, "testdata/fixer/public", corpus.HalfValidation), batch)
		}},
	}
	fmt.Fprintln(out, "Accuracy, top-1 root cause (root-cause line: the log's line at the finding's")
	fmt.Fprintln(out, "line number contains the labelled line after timestamp/ANSI stripping):")
	reports := map[string]*corpus.Report{}
	for _, set := range sets {
		if !slices.Contains(only, set.key) {
			continue
		}
		cases, err := set.load()
		if err != nil {
			return err
		}
		r, err := corpus.Score(ctx, set.name, cases, top1)
		if err != nil {
			return err
		}
		reports[set.key] = r
		r.Write(out)
		// The validation half's misses are never listed: knowing which of
		// its logs fail is tuning on it.
		if misses && set.key != "validation" {
			for _, m := range r.Misses {
				fmt.Fprintln(out, "    miss:", m)
			}
		}
	}
	// The target of issue #12 is measured on the validation half and the
	// existing corpus together.
	if v, e := reports["validation"], reports["existing"]; v != nil && e != nil {
		failing, class, line := v.Failing+e.Failing, v.ClassRight+e.ClassRight, v.LineRight+e.LineRight
		fmt.Fprintf(out, "validation half + existing corpus: top-1 class %d/%d %.1f%%, root-cause line %d/%d %.1f%%, false positives %d/%d\n",
			class, failing, pct(class, failing), line, failing, pct(line, failing), v.FalsePositives+e.FalsePositives, v.Green+e.Green)
	}
	fmt.Fprintln(out)
	return nil
}

// loadBatch loads one half of the public corpus, only its batch-th split
// batch unless batch is 0.
func loadBatch(dir string, batch int) ([]corpus.Case, error) {
	cases, err := corpus.LoadPublic(dir)
	if err != nil || batch == 0 {
		return cases, err
	}
	kept := cases[:0]
	for _, c := range cases {
		if c.Batch == batch {
			kept = append(kept, c)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no logs of batch %d in %s", batch, dir)
	}
	return kept, nil
}

func batchName(batch int) string {
	if batch == 0 {
		return ""
	}
	return fmt.Sprintf(", batch %d only", batch)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// classifier is the one call into the classification engine: the top-1
// finding of a log, as the corpus scores it.
func classifier(a *classify.Analyzer) corpus.Classifier {
	return func(ctx context.Context, path string) (corpus.Verdict, error) {
		f, err := os.Open(path)
		if err != nil {
			return corpus.Verdict{}, err
		}
		defer f.Close()
		res, err := a.Analyze(ctx, f, path)
		if err != nil {
			return corpus.Verdict{}, err
		}
		rc := res.RootCause()
		if rc == nil {
			return corpus.Verdict{}, nil
		}
		return corpus.Verdict{Found: true, Class: string(rc.Category), Rule: rc.RuleID, Line: rc.Line}, nil
	}
}

func compare(ctx context.Context, root string, mb, runs int, timeout time.Duration, out io.Writer) error {
	dir := filepath.Join(root, "testdata/fixer/large")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	logPath := filepath.Join(dir, "bench.log")
	size := int64(mb) << 20
	if st, err := os.Stat(logPath); err != nil || st.Size() < size || st.Size() > size+(2<<20) {
		samples, err := synth.CorpusLogs(filepath.Join(root, "testdata/fixer/corpus"))
		if err != nil {
			return err
		}
		f, err := os.Create(logPath)
		if err != nil {
			return err
		}
		if _, err := synth.Write(f, size, samples, 1); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	st, err := os.Stat(logPath)
	if err != nil {
		return err
	}
	c, err := classify.DefaultCatalog()
	if err != nil {
		return err
	}
	var rg, rgASCII, ere bytes.Buffer
	for _, r := range c.Rules {
		for _, p := range r.Patterns {
			rg.WriteString(p + "\n")
			rgASCII.WriteString("(?-u:" + asciiEscapes(p) + ")\n")
			e, err := toERE(p)
			if err != nil {
				return fmt.Errorf("failed to translate %q to ERE: %w", p, err)
			}
			ere.WriteString(e + "\n")
		}
	}
	rgPatterns, erePatterns := filepath.Join(dir, "patterns.txt"), filepath.Join(dir, "patterns.ere")
	if err := os.WriteFile(rgPatterns, rg.Bytes(), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(erePatterns, ere.Bytes(), 0o644); err != nil {
		return err
	}
	asciiPatterns := filepath.Join(dir, "patterns.ascii.txt")
	if err := os.WriteFile(asciiPatterns, rgASCII.Bytes(), 0o644); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	// Warm the page cache so that every tool reads from memory.
	if f, err := os.Open(logPath); err == nil {
		io.Copy(io.Discard, f)
		f.Close()
	}
	fmt.Fprintf(out, "Throughput on %s (%.0f MiB), best of %d interleaved runs (wall and CPU = user+sys):\n",
		logPath, float64(st.Size())/(1<<20), runs)
	tools := []struct {
		name string
		cmd  []string
	}{
		{"fixer (bench -classify)", []string{self, "-classify", logPath}},
		{"rg -c -f patterns.txt", []string{"rg", "-c", "-f", rgPatterns, logPath}},
		{"rg -c -f patterns.ascii.txt", []string{"rg", "-c", "-f", asciiPatterns, logPath}},
		{"grep -c -E -f patterns.ere", []string{"grep", "-c", "-E", "-f", erePatterns, logPath}},
		// The floor: every byte read and scanned once.
		{"wc -l", []string{"wc", "-l", logPath}},
	}
	type result struct {
		wall, cpu time.Duration
		output    string
		gaveUp    bool
		missing   bool
	}
	results := make([]result, len(tools))
	for i, tl := range tools {
		if _, err := exec.LookPath(tl.cmd[0]); err != nil {
			results[i].missing = true
		}
	}
	// Round-robin, so that every tool sees the machine's load alike.
	for run := 0; run < runs; run++ {
		for i, tl := range tools {
			r := &results[i]
			if r.missing || r.gaveUp {
				continue
			}
			limit := timeout
			if f := results[0].wall; i > 0 && f > 0 {
				// A tool 20 times slower than the fixer is reported as a
				// bound rather than waited for.
				limit = min(timeout, max(10*time.Second, 20*f))
			}
			tctx, cancel := context.WithTimeout(ctx, limit)
			cmd := exec.CommandContext(tctx, tl.cmd[0], tl.cmd[1:]...)
			cmd.Env = append(os.Environ(), "LC_ALL=C")
			start := time.Now()
			o, err := cmd.Output()
			d := time.Since(start)
			timedOut := tctx.Err() != nil
			cancel()
			var ee *exec.ExitError
			if timedOut {
				r.gaveUp, r.wall, r.cpu = true, d, d
				r.output = fmt.Sprintf("gave up after %s: its time is a lower bound", limit.Round(time.Second))
				continue
			}
			if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
				return fmt.Errorf("failed to run %s: %w: %s", tl.name, err, o)
			}
			cpu := cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			if r.wall == 0 || d < r.wall {
				r.wall = d
			}
			if r.cpu == 0 || cpu < r.cpu {
				r.cpu = cpu
			}
			r.output = strings.TrimSpace(string(o))
		}
	}
	mib := float64(st.Size()) / (1 << 20)
	for i, tl := range tools {
		r := results[i]
		if r.missing {
			fmt.Fprintf(out, "  %-28s not installed (apt-get install -y ripgrep)\n", tl.name)
			continue
		}
		fmt.Fprintf(out, "  %-28s %6.0f MiB/s  wall %6.2fs  cpu %6.2fs  %s\n", tl.name, mib/r.wall.Seconds(),
			r.wall.Seconds(), r.cpu.Seconds(), r.output)
	}
	f := results[0]
	if f.wall == 0 {
		return nil
	}
	fmt.Fprintln(out, "Time ratios, fixer / tool (below 1: the fixer takes less time):")
	for i, tl := range tools[1:] {
		r := results[i+1]
		if r.missing || r.wall == 0 {
			continue
		}
		bound := ""
		if r.gaveUp {
			bound = "  (tool gave up: at most)"
		}
		fmt.Fprintf(out, "  fixer / %-28s wall %6.2fx  cpu %6.2fx%s\n", tl.name, f.wall.Seconds()/r.wall.Seconds(),
			f.cpu.Seconds()/r.cpu.Seconds(), bound)
	}
	return nil
}

// asciiEscapes writes the code points above ASCII of a pattern (\x{25cf})
// as the bytes of their UTF-8 encoding (\xE2\x97\x8F), which ripgrep's
// byte-oriented (?-u:...) mode takes.
func asciiEscapes(p string) string {
	return codePoint.ReplaceAllStringFunc(p, func(m string) string {
		v, err := strconv.ParseUint(m[3:len(m)-1], 16, 32)
		if err != nil || v < utf8.RuneSelf {
			return m
		}
		var b strings.Builder
		for _, c := range []byte(string(rune(v))) {
			fmt.Fprintf(&b, `\x%02X`, c)
		}
		return b.String()
	})
}

var codePoint = regexp.MustCompile(`\\x\{[0-9A-Fa-f]+\}`)

// toERE prints a Go regexp as a POSIX extended regexp for grep -E
// (byte-oriented, LC_ALL=C). (?i) is expanded into per-letter classes.
func toERE(pattern string) (string, error) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	writeERE(&b, re)
	return b.String(), nil
}

func writeERE(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && r < utf8.RuneSelf && strings.ToUpper(string(r)) != strings.ToLower(string(r)) {
				fmt.Fprintf(b, "[%s%s]", strings.ToUpper(string(r)), strings.ToLower(string(r)))
				continue
			}
			if strings.ContainsRune(`.[]()*+?{}|^$\`, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		b.WriteString(classERE(re.Rune))
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte('.')
	case syntax.OpBeginLine, syntax.OpBeginText:
		b.WriteByte('^')
	case syntax.OpEndLine, syntax.OpEndText:
		b.WriteByte('$')
	case syntax.OpWordBoundary:
		b.WriteString(`\b`)
	case syntax.OpNoWordBoundary:
		b.WriteString(`\B`)
	case syntax.OpCapture:
		b.WriteByte('(')
		writeERE(b, re.Sub[0])
		b.WriteByte(')')
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		b.WriteByte('(')
		writeERE(b, re.Sub[0])
		b.WriteByte(')')
		switch re.Op {
		case syntax.OpStar:
			b.WriteByte('*')
		case syntax.OpPlus:
			b.WriteByte('+')
		case syntax.OpQuest:
			b.WriteByte('?')
		default:
			if re.Max == -1 {
				fmt.Fprintf(b, "{%d,}", re.Min)
			} else {
				fmt.Fprintf(b, "{%d,%d}", re.Min, re.Max)
			}
		}
	case syntax.OpConcat:
		for _, s := range re.Sub {
			writeERE(b, s)
		}
	case syntax.OpAlternate:
		b.WriteByte('(')
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteByte('|')
			}
			writeERE(b, s)
		}
		b.WriteByte(')')
	case syntax.OpEmptyMatch:
		b.WriteString("()")
	}
}

// classERE prints a rune class as a bracket expression over ASCII (a class
// reaching beyond ASCII, like \S, is printed as the negation of its ASCII
// complement).
func classERE(ranges []rune) string {
	in := func(c rune) bool {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= c && c <= ranges[i+1] {
				return true
			}
		}
		return false
	}
	negate := in(utf8.MaxRune)
	var set []rune
	for c := rune(0); c < utf8.RuneSelf; c++ {
		if in(c) != negate && c != '\n' {
			set = append(set, c)
		}
	}
	var b strings.Builder
	b.WriteByte('[')
	if negate {
		b.WriteByte('^')
	}
	var tail string
	for _, c := range set {
		switch c {
		case ']':
			b.WriteString("]")
			continue
		case '-':
			tail += "-"
			continue
		case '^':
			tail = "^" + tail
			continue
		}
	}
	// ']' must come first in a bracket expression; rebuild in order.
	s := b.String()
	b.Reset()
	b.WriteString(s)
	for _, c := range set {
		if c == ']' || c == '-' || c == '^' {
			continue
		}
		b.WriteRune(c)
	}
	if strings.HasSuffix(tail, "-") && strings.HasPrefix(tail, "^") && len(set) == 2 {
		// Only '^' and '-': put '-' first to keep '^' literal.
		return strings.Replace(b.String(), "[", "[-^", 1) + "]"
	}
	b.WriteString(tail)
	b.WriteByte(']')
	return b.String()
}
