// Command standin does, on the runner's disk and against the local API
// emulator, the jobs of the third-party actions the workflows use, for runs
// of the workflows under nektos/act without network (pkg/acttest). Each
// stand-in action under testdata/act/ runs one subcommand of this program
// with its inputs in INPUT_* variables, as the runner passes them:
//
//	upload-artifact    zip the files and upload them to act's artifact server (v4 protocol)
//	download-artifact  list, fetch and unzip artifacts from act's artifact server
//	cache-restore      restore a tarball saved by cache-save (exact key, then restore-keys prefixes)
//	cache-save         save paths under a key (immutable: an existing key is kept)
//	cache-post         actions/cache's post step: save unless the primary key was restored
//	configure-pages    report the Pages site's URL
//	deploy-pages       unpack the github-pages artifact into the local site directory
//	cloudsmith-setup   export the Cloudsmith settings and put a cloudsmith command on PATH
//	cloudsmith         that command (`cloudsmith push raw NS/REPO FILE --name --version --tags`)
//	app-token          mint a GitHub App installation token from the API (JWT, installation, access_tokens)
//	app-token-post     revoke it (DELETE /installation/token), as the real action's post step does
//	attest             check the subject in its registry and record an (unsigned) provenance statement
//
// A stand-in fails loudly on an input value it does not implement instead
// of ignoring it, so a workflow can never pass under act with a setting the
// stand-in would have got wrong. Directories on disk come from
// ACT_STANDIN_DIR (cache/, pages/, cloudsmith/, attestations/).
//
// CI builds, vets and tests this program with the module (go vet ./...,
// go test ./...); the end-to-end test builds it for act.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// env is what one stand-in command runs with. Every side effect comes in
// through it, so the commands run in parallel tests.
type env struct {
	getenv func(string) string
	// environ lists the whole environment (for inputs named by prefix).
	environ func() []string
	stdout  io.Writer
	client  *http.Client
	now     func() time.Time
	// self is the path of this program (for the cloudsmith command it
	// installs).
	self string
}

type command func(ctx context.Context, e *env, args []string) error

var commands = map[string]command{
	"upload-artifact":   uploadArtifact,
	"download-artifact": downloadArtifact,
	"cache-restore":     cacheRestore,
	"cache-save":        cacheSave,
	"cache-post":        cachePost,
	"configure-pages":   configurePages,
	"deploy-pages":      deployPages,
	"cloudsmith-setup":  cloudsmithSetup,
	"cloudsmith":        cloudsmith,
	"app-token":         appToken,
	"app-token-post":    appTokenPost,
	"attest":            attest,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := realMain(ctx, os.Args); err != nil {
		// A workflow command: the runner shows it as the step's error.
		fmt.Printf("::error title=stand-in %s::%s\n", commandName(os.Args), escapeData(err.Error()))
		os.Exit(1)
	}
}

func commandName(args []string) string {
	if len(args) < 2 {
		return ""
	}
	return args[1]
}

func realMain(ctx context.Context, args []string) error {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) < 2 {
		return fmt.Errorf("usage: standin %s ...", strings.Join(names, "|"))
	}
	fn, ok := commands[args[1]]
	if !ok {
		return fmt.Errorf("unknown command %q; allowed: %s", args[1], strings.Join(names, ", "))
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("failed to find this program: %w", err)
	}
	e := &env{getenv: os.Getenv, environ: os.Environ, stdout: os.Stdout, client: &http.Client{Timeout: 60 * time.Second}, now: time.Now, self: self}
	return fn(ctx, e, args[2:])
}

// escapeData escapes a workflow command's message the way the runner
// unescapes it (%, CR, LF), so an error text cannot end the command early.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// input returns the action input name as the runner passes it: INPUT_ and
// the name upper-cased, spaces as underscores (dashes stay).
func (e *env) input(name string) string {
	return strings.TrimSpace(e.getenv("INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))))
}

// unsupported fails when input name is set to anything but def: the
// stand-in does not implement that setting.
func (e *env) unsupported(name, def string) error {
	if v := e.input(name); v != "" && v != def {
		return fmt.Errorf("input %s value %q is not implemented by the stand-in (allowed: %q or empty)", name, v, def)
	}
	return nil
}

func (e *env) printf(format string, args ...any) {
	fmt.Fprintf(e.stdout, format, args...)
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (e *env) workspace() string {
	if w := e.getenv("GITHUB_WORKSPACE"); w != "" {
		return w
	}
	w, _ := os.Getwd()
	return w
}

// abs resolves p against the workspace, with ~ as $HOME (as the actions'
// inputs allow).
func (e *env) abs(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home := e.getenv("HOME"); home != "" {
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(e.workspace(), p)
}

// appendCommandFile appends name<<delim value delim to the runner's file
// command named by variable (GITHUB_OUTPUT, GITHUB_ENV, GITHUB_STATE), with a
// random delimiter so a value cannot end the entry early.
func (e *env) appendCommandFile(variable, name, value string) error {
	path := e.getenv(variable)
	if path == "" {
		return fmt.Errorf("%s is not set (not run by a runner?)", variable)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("failed to open %s: %w", variable, err)
	}
	defer f.Close()
	var d [8]byte
	if _, err := rand.Read(d[:]); err != nil {
		return err
	}
	delim := "EOF_" + hex.EncodeToString(d[:])
	if strings.Contains(value, delim) {
		return errors.New("value contains the delimiter")
	}
	_, err = fmt.Fprintf(f, "%s<<%s\n%s\n%s\n", name, delim, value, delim)
	return err
}

func (e *env) setOutput(name, value string) error {
	return e.appendCommandFile("GITHUB_OUTPUT", name, value)
}

func (e *env) exportVariable(name, value string) error {
	return e.appendCommandFile("GITHUB_ENV", name, value)
}

func (e *env) saveState(name, value string) error {
	return e.appendCommandFile("GITHUB_STATE", name, value)
}

func (e *env) addPath(dir string) error {
	path := e.getenv("GITHUB_PATH")
	if path == "" {
		return errors.New("GITHUB_PATH is not set (not run by a runner?)")
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("failed to open GITHUB_PATH: %w", err)
	}
	defer f.Close()
	_, err = fmt.Fprintln(f, dir)
	return err
}

// standinDir is ACT_STANDIN_DIR/sub, created.
func (e *env) standinDir(sub string) (string, error) {
	base := e.getenv("ACT_STANDIN_DIR")
	if base == "" {
		return "", errors.New("ACT_STANDIN_DIR is not set (pass --env ACT_STANDIN_DIR=... to act)")
	}
	dir := filepath.Join(base, sub)
	return dir, os.MkdirAll(dir, 0o755)
}

// within joins name (slash-separated, from an archive) to dir and refuses
// a result outside dir.
func within(dir, name string) (string, error) {
	target := filepath.Join(dir, filepath.FromSlash(name))
	if target != filepath.Clean(dir) && !strings.HasPrefix(target, filepath.Clean(dir)+string(filepath.Separator)) {
		return "", fmt.Errorf("entry %q escapes %s", name, dir)
	}
	return target, nil
}
