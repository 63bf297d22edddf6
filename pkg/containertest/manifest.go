package containertest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// Action is one action.yml: the metadata the runner reads before it runs the
// container. Unknown keys are an error, as they are for the runner's schema.
type Action struct {
	Name        string            `yaml:"name"`
	Author      string            `yaml:"author"`
	Description string            `yaml:"description"`
	Branding    map[string]string `yaml:"branding"`
	Inputs      map[string]Input  `yaml:"inputs"`
	Outputs     map[string]Output `yaml:"outputs"`
	Runs        Runs              `yaml:"runs"`

	// Dir is the directory that holds action.yml, e.g. "action-monitor".
	Dir string `yaml:"-"`
}

// Input is one declared input. Default is kept as written (a YAML scalar);
// the runner evaluates expressions in it when the step does not set it.
type Input struct {
	Description        string `yaml:"description"`
	Required           bool   `yaml:"required"`
	Default            string `yaml:"default"`
	DeprecationMessage string `yaml:"deprecationMessage"`
}

// Output is one declared output.
type Output struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"` // composite actions only
}

// Runs is the `runs:` block of a Docker container action.
type Runs struct {
	Using          string            `yaml:"using"`
	Image          string            `yaml:"image"`
	Entrypoint     string            `yaml:"entrypoint"`
	Args           []string          `yaml:"args"`
	Env            map[string]string `yaml:"env"`
	PreEntrypoint  string            `yaml:"pre-entrypoint"`
	PreIf          string            `yaml:"pre-if"`
	PostEntrypoint string            `yaml:"post-entrypoint"`
	PostIf         string            `yaml:"post-if"`
	Main           string            `yaml:"main"` // JavaScript actions only
}

// ID is the action's short name: the directory without its "action-" prefix
// ("monitor" for action-monitor).
func (a *Action) ID() string {
	return strings.TrimPrefix(filepath.Base(a.Dir), "action-")
}

// InputNames returns the declared input names, sorted.
func (a *Action) InputNames() []string { return sortedKeys(a.Inputs) }

// OutputNames returns the declared output names, sorted.
func (a *Action) OutputNames() []string { return sortedKeys(a.Outputs) }

// LoadAction reads dir/action.yml (or action.yaml, as the runner accepts).
func LoadAction(dir string) (*Action, error) {
	var (
		data []byte
		path string
		err  error
	)
	for _, name := range []string{"action.yml", "action.yaml"} {
		path = filepath.Join(dir, name)
		data, err = os.ReadFile(path)
		if err == nil || !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("failed to read action metadata in %s: %w", dir, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var a Action
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", path, err)
	}
	a.Dir = dir
	return &a, nil
}

// FindActions loads every root/action-*/action.yml, sorted by directory.
// A repository without any yields an empty slice and no error.
func FindActions(root string) ([]*Action, error) {
	paths, err := filepath.Glob(filepath.Join(root, "action-*", "action.y*ml"))
	if err != nil {
		return nil, fmt.Errorf("failed to list actions in %s: %w", root, err)
	}
	sort.Strings(paths)
	var actions []*Action
	var errs []error
	seen := map[string]bool{}
	for _, p := range paths {
		dir := filepath.Dir(p)
		if seen[dir] {
			continue
		}
		seen[dir] = true
		a, err := LoadAction(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		actions = append(actions, a)
	}
	return actions, errors.Join(errs...)
}

// InputEnvName is the variable the runner sets for an input: "INPUT_" plus
// the name with spaces turned into "_" and upper-cased; hyphens are kept
// ("github-token" → "INPUT_GITHUB-TOKEN").
func InputEnvName(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

// InputEnv returns the INPUT_* variables the runner would set for a step
// that uses this action with the given `with:` values: every declared input
// is present, with the step's value or else the evaluated default; inputs the
// step sets but the action does not declare are passed too and reported in
// unknown (the runner only warns about them). Values are evaluated against
// ctx. The result is sorted by name.
func (a *Action) InputEnv(with map[string]string, ctx *Context) (env []string, unknown []string, err error) {
	vals := map[string]string{}
	var errs []error
	for name, in := range a.Inputs {
		raw, set := with[name]
		if !set {
			raw = in.Default
		}
		v, err := ctx.Evaluate(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("input %q of %s: %w", name, a.Dir, err))
			continue
		}
		vals[name] = v
	}
	for name, raw := range with {
		if _, ok := a.Inputs[name]; ok {
			continue
		}
		unknown = append(unknown, name)
		v, err := ctx.Evaluate(raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("input %q of %s: %w", name, a.Dir, err))
			continue
		}
		vals[name] = v
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	sort.Strings(unknown)
	for _, name := range sortedKeys(vals) {
		env = append(env, InputEnvName(name)+"="+vals[name])
	}
	return env, unknown, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
