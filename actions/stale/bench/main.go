// Command bench runs action-stale and actions/stale (the build of v10.3.0
// in ../shared/peers/actions-stale, run with node as the Actions runner
// would) on the same emulated repository, counts their requests by kind,
// compares their decisions item by item and checks the targets of issue
// #14; then it runs action-stale alone under GITHUB_TOKEN's budget
// (1,000 requests per hour) until a pass is complete, and under 20%
// injected faults.
//
//	go run ./actions/stale/bench                 # what make bench runs
//	BENCH_STALE_SIZES=300 go run ./actions/stale/bench -stale-peer /path/to/actions-stale
//
// The repository is built by internal/scenario (deterministic; the mix is
// described there). Flags (others, meant for other bench programs in
// BENCH_ARGS, are ignored): -stale-sizes (env BENCH_STALE_SIZES, default
// 300,3000), -stale-peer (env ACTIONS_STALE_PEER), -stale-bin (the
// action-stale binary; default bin/action-stale, built when missing),
// -stale-node (default node). The exit status is 1 when a target is missed.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := realMain(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "stale bench:", err)
		os.Exit(1)
	}
}

// ownFlags keeps the arguments this program defines (make bench passes
// BENCH_ARGS to every bench program).
func ownFlags(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(strings.TrimLeft(a, "-"), "stale-") {
			out = append(out, a)
			if !strings.Contains(a, "=") && i+1 < len(args) {
				out = append(out, args[i+1])
				i++
			}
		}
	}
	return out
}

type options struct {
	sizes []int
	peer  string
	bin   string
	node  string
	root  string
	work  string
}

func realMain(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("stale bench", flag.ContinueOnError)
	sizes := fs.String("stale-sizes", envOr("BENCH_STALE_SIZES", "300,3000"), "item counts to compare at")
	peer := fs.String("stale-peer", os.Getenv("ACTIONS_STALE_PEER"), "directory holding the actions/stale build (index.js, action.yml)")
	bin := fs.String("stale-bin", "bin/action-stale", "action-stale binary (built when missing)")
	node := fs.String("stale-node", "node", "node executable")
	if err := fs.Parse(ownFlags(args)); err != nil {
		return err
	}
	o := options{bin: *bin, node: *node}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 10 {
			return fmt.Errorf("invalid -stale-sizes %q: want item counts of 10 or more, e.g. 300,3000", *sizes)
		}
		o.sizes = append(o.sizes, n)
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	o.root = root
	o.peer = findPeer(*peer, root)
	work, err := os.MkdirTemp("", "stale-bench-")
	if err != nil {
		return err
	}
	if os.Getenv("BENCH_STALE_KEEP") == "" {
		defer os.RemoveAll(work)
	} else {
		fmt.Fprintln(out, "work directory kept:", work)
	}
	o.work = work
	if !filepath.IsAbs(o.bin) {
		o.bin = filepath.Join(root, o.bin)
	}
	if _, err := os.Stat(o.bin); err != nil {
		o.bin = filepath.Join(work, "action-stale")
		cmd := exec.CommandContext(ctx, "go", "build", "-o", o.bin, "./action-stale")
		cmd.Dir, cmd.Stdout, cmd.Stderr = root, os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("failed to build action-stale: %w", err)
		}
	}

	var failed []string
	fmt.Fprintln(out, "== action-stale and actions/stale side by side (issue #14)")
	cmp, err := compareAll(ctx, o, out)
	if err != nil {
		return err
	}
	failed = append(failed, cmp...)
	fmt.Fprintln(out)
	fmt.Fprintln(out, "== action-stale under GITHUB_TOKEN's budget: 1,000 requests per hour")
	bud, err := budgetRuns(ctx, o, out)
	if err != nil {
		return err
	}
	failed = append(failed, bud...)
	fmt.Fprintln(out)
	fmt.Fprintln(out, "== action-stale under 20% injected faults")
	flt, err := faultRuns(ctx, out)
	if err != nil {
		return err
	}
	failed = append(failed, flt...)
	fmt.Fprintln(out)
	if len(failed) > 0 {
		for _, f := range failed {
			fmt.Fprintln(out, "MISSED:", f)
		}
		return errors.New("targets missed")
	}
	fmt.Fprintln(out, "all stale targets met")
	return nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// moduleRoot finds go.mod upwards from the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run from inside the module (no go.mod found)")
		}
		dir = parent
	}
}

// findPeer looks for the actions/stale build: the flag, then
// ../shared/peers/actions-stale next to the checkout or its parent.
func findPeer(flagged, root string) string {
	cands := []string{flagged}
	for d := root; ; d = filepath.Dir(d) {
		cands = append(cands, filepath.Join(d, "shared", "peers", "actions-stale"), filepath.Join(d, "..", "shared", "peers", "actions-stale"))
		if filepath.Dir(d) == d {
			break
		}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(c, "index.js")); err == nil {
			abs, _ := filepath.Abs(c)
			return abs
		}
	}
	return ""
}
