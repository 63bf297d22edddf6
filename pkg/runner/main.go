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
// returns ExitFailure, or the code of an *ExitError; an *InputError or a
// library's InvalidInput (or a join of them) from fn counts as bad input
// too.
func Execute(ctx context.Context, spec Spec, fn func(ctx context.Context, r *Run) error, opts ...Option) (code int) {
	c := config{stdout: io.Discard, getenv: func(string) string { return "" }}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	r, err := load(spec, opts...)
	switch {
	case errors.Is(err, ErrHelp), errors.Is(err, ErrVersion):
		return ExitOK
	case err != nil:
		var loadErrs []*InputError
		for _, e := range flatten(err) {
			var ie *InputError
			if !errors.As(e, &ie) {
				ie = &InputError{Reason: e.Error()}
			}
			loadErrs = append(loadErrs, ie)
		}
		printInputErrors(c.stdout, loadErrs, nil)
		if r != nil && spec.Result != nil {
			// Every declared output, empty: later steps read them.
			if oerr := r.writeOutputs(spec.Result.Outputs()); oerr != nil {
				r.write(failure(r, oerr))
			}
		}
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
	if ies := r.inputErrors(err); ies != nil {
		r.mu.Lock()
		printInputErrors(r.w, ies, r.redact)
		r.mu.Unlock()
		if spec.Result != nil {
			r.mu.Lock()
			written := len(r.outputs) > 0
			r.mu.Unlock()
			if !written { // Finish wrote them already when fn called it
				if oerr := r.writeOutputs(spec.Result.Outputs()); oerr != nil {
					r.write(failure(r, oerr))
				}
			}
		}
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
	r.write(failure(r, r.withInputSources(err)))
	return code
}

// withInputSources rewrites the input errors among the leaves of err the
// way they are reported on their own (with the variable or flag their value
// came from), keeping the other leaves.
func (r *Run) withInputSources(err error) error {
	leaves := flatten(err)
	if len(leaves) == 1 {
		return err
	}
	out := make([]error, len(leaves))
	for i, e := range leaves {
		if ie := r.asInputError(e); ie != nil {
			e = ie
		}
		out[i] = e
	}
	return errors.Join(out...)
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

// InvalidInput is how the runner recognises a library's validation error
// about an action input (pkg/config SettingError implements it): Execute
// reports it like its own input errors (::error title=Invalid input::, exit
// code 2), naming where the value came from. input is "" when the error is
// not about an input (e.g. a key of a configuration file).
type InvalidInput interface {
	error
	InvalidInput() (input, value, reason, allowed string)
}

// asInputError returns the input error e is or wraps, converting an
// InvalidInput of a declared input (its Source and Secret from the spec);
// nil when e is not about an input.
func (r *Run) asInputError(e error) *InputError {
	var ie *InputError
	if errors.As(e, &ie) {
		return ie
	}
	var ii InvalidInput
	if !errors.As(e, &ii) {
		return nil
	}
	input, value, reason, allowed := ii.InvalidInput()
	if input == "" {
		return nil
	}
	out := &InputError{Input: input, Value: value, Reason: reason, Allowed: allowed}
	if r != nil {
		if in, ok := r.inputs[input]; ok && in.Secret {
			out.Value, out.Secret = "", true
		}
		if v, ok := r.values[input]; ok {
			out.Source = v.origin
		}
	}
	return out
}

// inputErrors returns the input errors of the leaves of err, or nil when
// any leaf is something else.
func (r *Run) inputErrors(err error) []*InputError {
	var out []*InputError
	for _, e := range flatten(err) {
		ie := r.asInputError(e)
		if ie == nil {
			return nil
		}
		out = append(out, ie)
	}
	return out
}

func printInputErrors(w io.Writer, errs []*InputError, redact func(string) string) {
	for _, e := range errs {
		msg := e.Error()
		if redact != nil {
			msg = redact(msg)
		}
		_, _ = io.WriteString(w, command("error", githubactions.CommandProperties{"title": "Invalid input"}, msg))
	}
}
