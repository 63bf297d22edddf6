package containertest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// repoRoot is the repository root seen from this package's directory.
const repoRoot = "../.."

var snakeCase = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestRepositoryActions checks every action-*/action.yml in the repository
// against the layout contract: a Docker action built from the root Dockerfile
// with entrypoint /action-<name>, documented snake_case inputs and outputs,
// defaults the runner can evaluate, and a binary the Dockerfile builds.
func TestRepositoryActions(t *testing.T) {
	t.Parallel()
	actions, err := FindActions(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(actions) == 0 {
		t.Skip("no action-*/action.yml in the repository yet")
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	built := dockerfileActions(t, string(dockerfile))
	ctx := GitHubContextForTest()
	for _, a := range actions {
		t.Run(a.ID(), func(t *testing.T) {
			t.Parallel()
			want := Runs{Using: "docker", Image: "../Dockerfile", Entrypoint: "/action-" + a.ID()}
			if a.Runs.Using != want.Using || a.Runs.Image != want.Image || a.Runs.Entrypoint != want.Entrypoint {
				t.Errorf("runs = {using: %q, image: %q, entrypoint: %q}, want {using: %q, image: %q, entrypoint: %q}",
					a.Runs.Using, a.Runs.Image, a.Runs.Entrypoint, want.Using, want.Image, want.Entrypoint)
			}
			for field, v := range map[string]string{"name": a.Name, "description": a.Description, "author": a.Author,
				"branding.icon": a.Branding["icon"], "branding.color": a.Branding["color"]} {
				if strings.TrimSpace(v) == "" {
					t.Errorf("%s is empty", field)
				}
			}
			for _, name := range a.InputNames() {
				if !snakeCase.MatchString(name) {
					t.Errorf("input %q is not snake_case", name)
				}
				if strings.TrimSpace(a.Inputs[name].Description) == "" {
					t.Errorf("input %q has no description", name)
				}
			}
			for _, name := range a.OutputNames() {
				if !snakeCase.MatchString(name) {
					t.Errorf("output %q is not snake_case", name)
				}
				if strings.TrimSpace(a.Outputs[name].Description) == "" {
					t.Errorf("output %q has no description", name)
				}
			}
			if _, _, err := a.InputEnv(nil, ctx); err != nil {
				t.Errorf("defaults cannot be evaluated: %v", err)
			}
			if !built[a.ID()] {
				t.Errorf("the Dockerfile's default ACTIONS does not build %s", a.ID())
			}
			if _, err := os.Stat(filepath.Join(a.Dir, "main.go")); err != nil {
				t.Errorf("no main.go beside action.yml: %v", err)
			}
		})
	}
}

// dockerfileActions reads the default of `ARG ACTIONS="..."`.
func dockerfileActions(t *testing.T, dockerfile string) map[string]bool {
	t.Helper()
	m := regexp.MustCompile(`(?m)^ARG ACTIONS="([^"]*)"`).FindStringSubmatch(dockerfile)
	if m == nil {
		t.Fatal(`Dockerfile has no ARG ACTIONS="..." line`)
	}
	set := map[string]bool{}
	for _, a := range strings.Fields(m[1]) {
		set[a] = true
	}
	return set
}

func TestDockerfileBuildsAllFourActions(t *testing.T) {
	t.Parallel()
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	got := dockerfileActions(t, string(dockerfile))
	for _, a := range []string{"monitor", "fixer", "stale", "alert"} {
		if !got[a] {
			t.Errorf("Dockerfile ACTIONS default lacks %s", a)
		}
	}
	for _, banned := range []string{"\nUSER ", "\nWORKDIR /github"} {
		if strings.Contains(string(dockerfile), banned) {
			t.Errorf("Dockerfile contains %q: container actions run as root in the runner's working directory", strings.TrimSpace(banned))
		}
	}
}
