// Command emulator serves the GitHub API emulator on a local address until
// it receives SIGINT or SIGTERM. See pkg/emulator/README.md.
//
//	emulator -addr 127.0.0.1:8090 -fixture testdata/ecosystem/ecosystem.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

type faultFlags []emulator.Fault

func (f *faultFlags) String() string { return fmt.Sprint(len(*f), " faults") }
func (f *faultFlags) Set(s string) error {
	fault, err := emulator.ParseFault(s)
	if err != nil {
		return err
	}
	*f = append(*f, fault)
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "address to listen on (port 0 picks a free port)")
	fixture := fs.String("fixture", "testdata/ecosystem/ecosystem.yaml", "fixture file (YAML or JSON)")
	rateLimit := fs.Int("rate-limit", 5000, "core requests per token per hour")
	searchLimit := fs.Int("search-rate-limit", 30, "search requests per token per minute")
	secondary := fs.Int("secondary-limit", 80, "content-creating requests per token per minute (negative disables both content-creation limits)")
	secondaryHourly := fs.Int("secondary-hourly-limit", 500, "content-creating requests per token per hour (negative disables)")
	githubToken := fs.Int("github-token-rate-limit", 1000, "core requests per hour of a repository's GITHUB_TOKENs (fixture tokens of kind github_token)")
	latency := fs.Duration("latency", 0, "latency added to every request, e.g. 50ms")
	seed := fs.Int64("seed", 1, "seed of the random source used by faults with a rate")
	nowFlag := fs.String("now", "", "server clock start (RFC 3339, e.g. 2026-11-20T12:00:00Z); the clock then runs in real time (default: the real time)")
	quiet := fs.Bool("quiet", false, "do not log requests")
	var faults faultFlags
	fs.Var(&faults, "fault", "fault to inject, repeatable: kind=500|502|503|reset|slow|secondary|ratelimit|applied-500|applied-reset|applied-502[,method=GET][,path=/prefix][,regex=RE][,rate=0.1|every=N][,delay=2s][,limit=N]")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	opts := emulator.Options{RateLimit: *rateLimit, SearchRateLimit: *searchLimit, SecondaryLimit: *secondary,
		SecondaryHourlyLimit: *secondaryHourly, GitHubTokenRateLimit: *githubToken,
		Latency: *latency, Faults: faults, Seed: *seed}
	if *nowFlag != "" {
		start, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			fmt.Fprintf(stderr, "emulator: invalid -now %q: want RFC 3339 like 2026-11-20T12:00:00Z\n", *nowFlag)
			return exitUsage
		}
		began := time.Now()
		opts.Now = func() time.Time { return start.Add(time.Since(began)) }
	}
	if !*quiet {
		opts.Log = stderr
	}
	f, err := emulator.LoadFixture(*fixture)
	if err != nil {
		fmt.Fprintf(stderr, "emulator: %v\n", err)
		return exitError
	}
	s, err := emulator.NewChecked(f, opts)
	if err != nil {
		fmt.Fprintf(stderr, "emulator: failed to load fixture %s: %v\n", *fixture, err)
		return exitError
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "emulator: failed to listen on %s: %v\n", *addr, err)
		return exitError
	}
	url := "http://" + ln.Addr().String()
	s.SetURL(url)
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintln(stdout, url)
	fmt.Fprintf(stderr, "emulator: serving %d repositories from %s at %s (GHES base %s/api/v3/); state at %s/_emulator/state\n",
		len(f.Repositories), *fixture, url, url, url)
	if len(faults) > 0 {
		var kinds []string
		for _, f := range faults {
			kinds = append(kinds, f.Kind)
		}
		fmt.Fprintf(stderr, "emulator: faults: %s\n", strings.Join(kinds, ", "))
	}
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "emulator: %v\n", err)
		return exitError
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		fmt.Fprintf(stderr, "emulator: failed to shut down: %v\n", err)
		return exitError
	}
	return exitOK
}
