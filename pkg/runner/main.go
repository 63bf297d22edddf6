package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	githubactions "github.com/sethvargo/go-githubactions"
)

// Exit codes returned by Main.
const (
	ExitOK       = 0 // success
	ExitFailure  = 1 // the action failed (or was cancelled)
	ExitBadInput = 2 // an input was invalid; nothing was done
)

// ExitError makes Main exit with Code. Err, when not nil, is reported as the
// failure; a nil Err exits quietly (e.g. fail_on matched and the findings
// were already reported as annotations).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit code %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// Main runs an action from main.go: it sets up a context cancelled by
// SIGINT/SIGTERM, loads the inputs from os.Args, INPUT_* and the environment,
// answers --help and --version, runs fn, always calls Close, and returns the
// exit code:
//
//	func main() { os.Exit(runner.Main(spec, run)) }
func Main(spec Spec, fn func(ctx context.Context, r *Run) error) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Execute(ctx, spec, fn, WithArgs(os.Args[1:]), WithLookupEnv(os.LookupEnv), WithStdout(os.Stdout))
}

// Execute is Main with explicit options, for tests and for callers that own
// their context.
//
// Input errors are printed one per line as
// "::error title=Invalid input::<message>" and return ExitBadInput before fn
// runs. An error from fn is printed as "::error::failed: <message>" and
// returns ExitFailure, or the code of an *ExitError; an *InputError (or a
// join of them) from fn counts as bad input too.
func Execute(ctx context.Context, spec Spec, fn func(ctx context.Context, r *Run) error, opts ...Option) (code int) {
	c := config{stdout: io.Discard, getenv: func(string) string { return "" }}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	r, err := Load(spec, opts...)
	switch {
	case errors.Is(err, ErrHelp), errors.Is(err, ErrVersion):
		return ExitOK
	case err != nil:
		printInputErrors(c.stdout, err, nil)
		return ExitBadInput
	}
	defer func() {
		if cerr := r.Close(); cerr != nil {
			r.write(failure(r, cerr))
			if code == ExitOK {
				code = ExitFailure
			}
		}
	}()
	err = fn(ctx, r)
	if err == nil {
		return ExitOK
	}
	if allInputErrors(err) {
		r.mu.Lock()
		printInputErrors(r.w, err, r.redact)
		r.mu.Unlock()
		return ExitBadInput
	}
	code = ExitFailure
	var ee *ExitError
	if errors.As(err, &ee) {
		code = ee.Code
		if ee.Err == nil {
			return code
		}
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = fmt.Errorf("cancelled: %w", err)
	}
	r.write(failure(r, err))
	return code
}

func failure(r *Run, err error) string {
	return command("error", nil, r.redact("failed: "+err.Error()))
}

// flatten returns the leaves of a tree of errors.Join errors.
func flatten(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []error
		for _, e := range j.Unwrap() {
			out = append(out, flatten(e)...)
		}
		return out
	}
	return []error{err}
}

func allInputErrors(err error) bool {
	for _, e := range flatten(err) {
		var ie *InputError
		if !errors.As(e, &ie) {
			return false
		}
	}
	return true
}

func printInputErrors(w io.Writer, err error, redact func(string) string) {
	for _, e := range flatten(err) {
		msg := e.Error()
		if redact != nil {
			msg = redact(msg)
		}
		_, _ = io.WriteString(w, command("error", githubactions.CommandProperties{"title": "Invalid input"}, msg))
	}
}

// InputErrors rewrites the leaves of err (a tree of errors.Join errors) as
// input errors, so that a library's own validation errors are reported by
// Execute like the runner's (::error title=Invalid input::, ExitBadInput).
// convert returns the *InputError for a leaf, or nil to keep the leaf as it
// is. A converted error without a Source gets the one its input's value came
// from ("--flag", "INPUT_NAME", the Env variable or "default") when the input
// is declared in the spec.
func (r *Run) InputErrors(err error, convert func(error) *InputError) error {
	if err == nil {
		return nil
	}
	var out []error
	for _, e := range flatten(err) {
		ie := convert(e)
		if ie == nil {
			out = append(out, e)
			continue
		}
		if v, ok := r.values[ie.Input]; ok && ie.Source == "" {
			ie.Source = v.origin
		}
		out = append(out, ie)
	}
	return errors.Join(out...)
}
