// Package runner is the contract between the actions and the GitHub Actions
// runner, built on github.com/sethvargo/go-githubactions: typed and validated
// inputs (flags, INPUT_*, documented environment variables, defaults),
// outputs written with a random heredoc delimiter, a job summary with the
// 1 MiB cap, capped annotations, log groups, secret masking, and escaping of
// every untrusted string written to stdout so that it can never become a
// workflow command.
//
// It is the top layer: libraries (actions/*, pkg/*) never import it. They
// take plain values, return a Result (Outputs, Summary, ReportFiles,
// Findings) that Finish hands to the runner, and validation errors that
// implement InvalidInput, which Execute reports as input errors. Each
// action's entry code (action-<name>/entry) wires a *Run to its library;
// only main.go calls Main. All side effects come in through options
// (WithArgs, WithGetenv, WithStdout, WithNow), so tests run in parallel
// without touching the real environment.
//
// # Under the runner and on the command line
//
// The same binary runs as a container action and as a plain command. The
// differences are few and deliberate:
//   - Inputs: flags (--days-until-stale or --days_until_stale) win over
//     INPUT_* (what the runner sets), which win over the documented
//     environment variables (GITHUB_TOKEN, DOMAINS, DAYS_UNTIL_STALE, …),
//     which win over defaults. --help lists them all.
//   - Secrets: ::add-mask:: is issued only when GITHUB_ACTIONS=true; on a
//     terminal it would print the secret. Either way, secrets are
//     replaced by a marker saying what was removed ("[redacted: masked
//     value]", "[redacted: github token]", pkg/redact) in everything this
//     package writes: log lines, annotations, outputs, the job summary.
//   - Outputs: with GITHUB_OUTPUT set they are appended there (heredoc form,
//     random delimiter); without it each is printed as "output name=value"
//     with the value escaped by EscapeLine. Set GITHUB_OUTPUT=file to
//     capture them.
//   - Job summary: written to GITHUB_STEP_SUMMARY (or WithSummaryPath) by
//     Close; skipped when neither is set.
//   - Annotations, groups and errors are printed as workflow commands in
//     both cases; they read fine in a terminal.
//   - Debugf prints with LOG_LEVEL=DEBUG (plain "debug: " lines) or
//     RUNNER_DEBUG=1 (::debug:: commands under the runner).
package runner

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	githubactions "github.com/sethvargo/go-githubactions"

	"github.com/sparesparrow/ecosystem-actions/pkg/redact"
)

// ErrHelp is returned by Load when --help was given; the help text has been
// written to stdout.
var ErrHelp = errors.New("help requested")

// ErrVersion is returned by Load when --version was given; the name and
// version have been written to stdout.
var ErrVersion = errors.New("version requested")

// Option configures Load.
type Option func(*config)

type config struct {
	args        []string
	getenv      func(string) string
	lookupEnv   func(string) (string, bool)
	stdout      io.Writer
	now         func() time.Time
	random      io.Reader
	summaryPath *string
	limits      AnnotationLimits
}

// WithArgs sets the command-line arguments (without the program name).
func WithArgs(args []string) Option { return func(c *config) { c.args = args } }

// WithGetenv sets the environment lookup (os.Getenv in Main). An empty
// variable counts as unset; see WithLookupEnv.
func WithGetenv(getenv func(string) string) Option {
	return func(c *config) { c.getenv, c.lookupEnv = getenv, nil }
}

// WithLookupEnv sets the environment lookup with presence (os.LookupEnv in
// Main), so that an input with AllowEmpty can be set to "" through a present
// but empty INPUT_<NAME>. It replaces WithGetenv.
func WithLookupEnv(lookup func(string) (string, bool)) Option {
	return func(c *config) {
		c.lookupEnv = lookup
		c.getenv = func(k string) string { v, _ := lookup(k); return v }
	}
}

// WithStdout sets where logs, workflow commands and --help go (os.Stdout in Main).
func WithStdout(w io.Writer) Option { return func(c *config) { c.stdout = w } }

// WithNow sets the clock returned by (*Run).Now.
func WithNow(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithRandom sets the source of the heredoc delimiters (crypto/rand by
// default); tests use it for exact bytes.
func WithRandom(r io.Reader) Option { return func(c *config) { c.random = r } }

// WithSummaryPath writes the job summary to path instead of
// GITHUB_STEP_SUMMARY ("" disables the summary).
func WithSummaryPath(path string) Option { return func(c *config) { c.summaryPath = &path } }

// WithAnnotationLimits overrides the annotation caps (see AnnotationLimits).
func WithAnnotationLimits(l AnnotationLimits) Option { return func(c *config) { c.limits = l } }

// Run is one execution of an action: its resolved inputs, its context, and
// the writers for logs, outputs, annotations and the job summary. Its methods
// are safe for concurrent use.
type Run struct {
	spec    Spec
	inputs  map[string]Input
	values  map[string]*value
	getenv  func(string) string
	now     func() time.Time
	random  io.Reader
	actions bool // running under the Actions runner (GITHUB_ACTIONS=true)
	debug   bool // LOG_LEVEL=DEBUG
	rdebug  bool // RUNNER_DEBUG=1
	gha     *githubactions.Action

	summaryPath string
	limits      AnnotationLimits

	// red redacts everything the run writes: the secrets pkg/redact finds
	// by their shape and the values the run masked (secret inputs,
	// AddMask). It is safe for concurrent use, so redact runs with and
	// without mu.
	red *redact.Redactor

	mu             sync.Mutex
	w              io.Writer
	outputs        map[string]string
	summary        strings.Builder
	counts         map[string]int
	overflow       []overflowAnnotation
	reportLocation string
	closed         bool
}

// Load resolves and validates every input of spec: command-line flag, then
// INPUT_<NAME> (an empty value counts as unset, because the runner sets every
// declared input; unless the input has AllowEmpty and the variable is
// present), then the input's Env variable, then Default. Secret values
// are masked as soon as they are read. All bad inputs are reported together,
// as an errors.Join of *InputError, before anything else happens. --help and
// --version print to stdout and return ErrHelp / ErrVersion.
func Load(spec Spec, opts ...Option) (*Run, error) {
	r, err := load(spec, opts...)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// load is Load, also returning the run when the inputs are invalid (nil
// only for --help, --version and command-line errors it cannot get past),
// so Execute can still write the outputs.
func load(spec Spec, opts ...Option) (*Run, error) {
	c := config{getenv: func(string) string { return "" }, stdout: io.Discard, now: time.Now, random: rand.Reader, limits: DefaultAnnotationLimits}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	r := &Run{
		spec:    spec,
		inputs:  map[string]Input{},
		values:  map[string]*value{},
		getenv:  c.getenv,
		now:     c.now,
		random:  c.random,
		w:       c.stdout,
		outputs: map[string]string{},
		counts:  map[string]int{},
		limits:  c.limits,
		red:     redact.New(),
		actions: c.getenv("GITHUB_ACTIONS") == "true",
		rdebug:  c.getenv("RUNNER_DEBUG") == "1",
	}
	r.gha = githubactions.New(githubactions.WithGetenv(c.getenv), githubactions.WithWriter(lockedWriter{r}))
	r.summaryPath = c.getenv("GITHUB_STEP_SUMMARY")
	if c.summaryPath != nil {
		r.summaryPath = *c.summaryPath
	}
	for _, in := range spec.Inputs {
		r.inputs[in.Name] = in
	}

	p := parseArgs(spec, c.args)
	if p.help {
		_, err := io.WriteString(r.w, Help(spec))
		return nil, errors.Join(ErrHelp, err)
	}
	if p.version {
		_, err := fmt.Fprintf(r.w, "%s %s\n", spec.Name, versionOr(spec.Version))
		return nil, errors.Join(ErrVersion, err)
	}
	errs := p.errs

	// Resolve raw values and mask secrets before anything can echo them.
	for _, in := range spec.Inputs {
		v := &value{source: "default", origin: "default", raw: in.Default}
		switch {
		case len(p.values[in.Name]) > 0:
			vals := p.values[in.Name]
			v.source, v.origin = "flag", p.flags[in.Name]
			if in.Kind == List || in.Kind == Repos {
				v.raw = strings.Join(vals, "\n")
			} else {
				v.raw = vals[len(vals)-1]
			}
		case strings.TrimSpace(c.getenv(in.InputEnv())) != "":
			v.source, v.origin, v.raw = "input", in.InputEnv(), c.getenv(in.InputEnv())
		case in.AllowEmpty && c.present(in.InputEnv()):
			v.source, v.origin, v.raw = "input", in.InputEnv(), ""
		case in.Env != "" && strings.TrimSpace(c.getenv(in.Env)) != "":
			v.source, v.origin, v.raw = "env", in.Env, c.getenv(in.Env)
		}
		v.raw = strings.TrimSpace(v.raw)
		if in.Secret && v.raw != "" {
			r.addSecret(v.raw)
		}
		r.values[in.Name] = v
	}

	// Parse: everything but Repos first, so Repos can use the owner input.
	parse := func(in Input, owner string) {
		v := r.values[in.Name]
		if in.Required && v.raw == "" {
			errs = append(errs, &InputError{Input: in.Name, Source: v.origin, Reason: "is required", Allowed: in.allowedText(), Secret: in.Secret})
			return
		}
		parsed, ierr := in.check(v.raw, owner)
		if ierr != nil {
			ierr.Source = v.origin
			if in.Secret {
				ierr.Value, ierr.Secret = "", true
			}
			errs = append(errs, ierr)
			return
		}
		v.parsed = parsed
	}
	for _, in := range spec.Inputs {
		if in.Kind != Repos {
			parse(in, "")
		}
	}
	owner := r.Repository().Owner
	if o, ok := r.values["owner"]; ok && o.parsed != nil && o.raw != "" {
		owner = o.raw
	}
	for _, in := range spec.Inputs {
		if in.Kind == Repos {
			parse(in, owner)
		}
	}

	if lv, ok := r.values["log_level"]; ok && lv.parsed != nil {
		r.debug = strings.EqualFold(lv.raw, "DEBUG")
	} else {
		r.debug = strings.EqualFold(strings.TrimSpace(c.getenv("LOG_LEVEL")), "DEBUG")
	}

	if len(errs) > 0 {
		// A secret can reach a command-line error as a stray argument.
		for _, e := range errs {
			var ie *InputError
			if errors.As(e, &ie) {
				ie.Reason, ie.Value = r.redact(ie.Reason), r.redact(ie.Value)
			}
		}
		return r, errors.Join(errs...)
	}
	return r, nil
}

// present reports whether the environment variable is set, even to "" (only
// knowable with WithLookupEnv).
func (c config) present(key string) bool {
	if c.lookupEnv == nil {
		return false
	}
	_, ok := c.lookupEnv(key)
	return ok
}

func versionOr(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

// addSecret masks s (and each of its lines) with ::add-mask:: under the
// Actions runner, and registers it with the run's redactor so that it is
// redacted from everything the run writes, and from what the libraries
// the run's Redactor is handed to write. On the command line nothing is
// printed: echoing the add-mask command would show the secret in the
// terminal.
func (r *Run) addSecret(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	parts := []string{s}
	if strings.ContainsAny(s, "\r\n") {
		parts = append(parts, SplitLines(s)...)
	}
	for _, p := range parts {
		if strings.TrimSpace(p) == "" {
			continue
		}
		r.red.Add(p)
		if r.actions {
			// The one line that must carry the secret: the runner
			// consumes it and masks the value in the log from then on.
			_, _ = io.WriteString(r.w, command("add-mask", nil, p))
		}
	}
}

// AddMask masks a secret obtained at run time (e.g. a token read from a file).
func (r *Run) AddMask(secret string) {
	if strings.TrimSpace(secret) != "" {
		r.addSecret(secret)
	}
}

// Redactor returns the run's redactor: pkg/redact's rules plus every value
// the run masked (secret inputs, AddMask). Entry code hands it to the
// libraries' output channels (ghclient.RunConfig does for request bodies),
// so that what the run masked never leaves by any of them.
func (r *Run) Redactor() *redact.Redactor { return r.red }

// redact replaces every secret in s (see Redactor) with a marker that says
// what was removed, e.g. "[redacted: github token]". Safe with or without
// mu.
func (r *Run) redact(s string) string { return r.red.String(s) }

// SplitLines splits s at LF, CR and CRLF.
func SplitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' })
}

func (r *Run) lookup(name string, kinds ...Kind) *value {
	in, ok := r.inputs[name]
	if !ok {
		panic(fmt.Sprintf("runner: input %q is not declared in the spec", name))
	}
	if len(kinds) > 0 {
		match := false
		for _, k := range kinds {
			match = match || in.Kind == k
		}
		if !match {
			panic(fmt.Sprintf("runner: input %q is a %s input, not %s", name, in.Kind, kinds[0]))
		}
	}
	return r.values[name]
}

// String returns the resolved value of any input as text (Enum values in
// Allowed's spelling, lists as written).
func (r *Run) String(name string) string {
	v := r.lookup(name)
	if s, ok := v.parsed.(string); ok {
		return s
	}
	return v.raw
}

// Bool returns a Bool input.
func (r *Run) Bool(name string) bool { b, _ := r.lookup(name, Bool).parsed.(bool); return b }

// Int returns an Int input.
func (r *Run) Int(name string) int { n, _ := r.lookup(name, Int).parsed.(int); return n }

// Days returns a Days input as a duration (0.5 → 12h).
func (r *Run) Days(name string) time.Duration {
	d, _ := r.lookup(name, Days).parsed.(time.Duration)
	return d
}

// Duration returns a Duration input ("4h", "30d", "2w").
func (r *Run) Duration(name string) time.Duration {
	d, _ := r.lookup(name, Duration).parsed.(time.Duration)
	return d
}

// List returns a List input's elements (a new slice each call).
func (r *Run) List(name string) []string {
	l, _ := r.lookup(name, List).parsed.([]string)
	return append([]string(nil), l...)
}

// Repos returns a Repos input (a new slice each call).
func (r *Run) Repos(name string) []Repo {
	l, _ := r.lookup(name, Repos).parsed.([]Repo)
	return append([]Repo(nil), l...)
}

// IsSet reports whether the input was given by a flag, a non-empty INPUT_
// variable or its Env variable (rather than its default).
func (r *Run) IsSet(name string) bool { return r.lookup(name).source != "default" }

// Source returns where the input's value came from: "flag", "input", "env"
// or "default".
func (r *Run) Source(name string) string { return r.lookup(name).source }

// Declared reports whether the spec declares the input.
func (r *Run) Declared(name string) bool { _, ok := r.inputs[name]; return ok }

// Spec returns the spec the run was loaded with.
func (r *Run) Spec() Spec { return r.spec }

// Getenv reads an environment variable through the injected lookup.
func (r *Run) Getenv(key string) string { return r.getenv(key) }

// Actions returns the go-githubactions Action sharing this run's environment
// and stdout, for anything this package does not wrap.
func (r *Run) Actions() *githubactions.Action { return r.gha }

// InActions reports whether the run is under the Actions runner
// (GITHUB_ACTIONS=true) rather than on a plain command line.
func (r *Run) InActions() bool { return r.actions }

// Repository returns GITHUB_REPOSITORY ("owner/name"); the zero Repo when it
// is unset or malformed.
func (r *Run) Repository() Repo {
	owner, name, ok := strings.Cut(strings.TrimSpace(r.getenv("GITHUB_REPOSITORY")), "/")
	if !ok {
		return Repo{Owner: strings.TrimSpace(r.getenv("GITHUB_REPOSITORY_OWNER"))}
	}
	return Repo{Owner: owner, Name: name}
}

// RunID returns GITHUB_RUN_ID, 0 when unset or not a number.
func (r *Run) RunID() int64 {
	id, _ := strconv.ParseInt(strings.TrimSpace(r.getenv("GITHUB_RUN_ID")), 10, 64)
	return id
}

// APIURL returns GITHUB_API_URL, or https://api.github.com.
func (r *Run) APIURL() string { return r.envOr("GITHUB_API_URL", "https://api.github.com") }

// ServerURL returns GITHUB_SERVER_URL, or https://github.com.
func (r *Run) ServerURL() string { return r.envOr("GITHUB_SERVER_URL", "https://github.com") }

// Workspace returns GITHUB_WORKSPACE, or "." on the command line.
func (r *Run) Workspace() string { return r.envOr("GITHUB_WORKSPACE", ".") }

// EventName returns GITHUB_EVENT_NAME ("" on the command line).
func (r *Run) EventName() string { return strings.TrimSpace(r.getenv("GITHUB_EVENT_NAME")) }

// RunURL returns the link to this workflow run, "" when there is no run ID.
func (r *Run) RunURL() string {
	repo, id := r.Repository(), r.RunID()
	if id == 0 || repo.Name == "" {
		return ""
	}
	return fmt.Sprintf("%s/%s/actions/runs/%d", strings.TrimSuffix(r.ServerURL(), "/"), repo, id)
}

// EventPayload parses the JSON file at GITHUB_EVENT_PATH. It returns nil and
// no error when the variable is unset or the file does not exist.
func (r *Run) EventPayload() (map[string]any, error) {
	path := strings.TrimSpace(r.getenv("GITHUB_EVENT_PATH"))
	if path == "" {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read event payload: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("failed to parse event payload %s: %w", path, err)
	}
	return m, nil
}

// Now returns the current time from the injected clock.
func (r *Run) Now() time.Time { return r.now() }

func (r *Run) envOr(key, def string) string {
	if v := strings.TrimSpace(r.getenv(key)); v != "" {
		return v
	}
	return def
}

// lockedWriter serialises the go-githubactions Action's writes with ours.
type lockedWriter struct{ r *Run }

func (l lockedWriter) Write(p []byte) (int, error) {
	l.r.mu.Lock()
	defer l.r.mu.Unlock()
	return l.r.w.Write(p)
}
