package acttest

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
)

const (
	digestA = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	digestB = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	imageA  = "ghcr.io/sparesparrow/ecosystem-actions@" + digestA
	imageB  = "ghcr.io/sparesparrow/ecosystem-actions@" + digestB
)

// repoRoot is the repository root, two levels above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// pinScript runs .ci/release/pin-image.sh with args and returns its exit
// code and combined output.
func pinScript(t *testing.T, args ...string) (int, string) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed: the pinning script is a bash script")
	}
	script := filepath.Join(repoRoot(t), ".ci", "release", "pin-image.sh")
	cmd := exec.Command("bash", append([]string{script}, args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, out.String()
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out.String()
	default:
		t.Fatalf("failed to run %s: %v", script, err)
		return -1, ""
	}
}

// copyActions copies the repository's action-*/action.yml files into a
// temporary root and returns it with the original contents by directory.
func copyActions(t *testing.T) (string, map[string]string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "action-*", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no action-*/action.yml in the repository")
	}
	dir := t.TempDir()
	orig := map[string]string{}
	for _, f := range files {
		name := filepath.Base(filepath.Dir(f))
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name, "action.yml"), string(data))
		orig[name] = string(data)
	}
	return dir, orig
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// changedLines returns the lines that differ between a and b (same line
// count required).
func changedLines(t *testing.T, a, b string) [][2]string {
	t.Helper()
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	if len(al) != len(bl) {
		t.Fatalf("line count changed from %d to %d", len(al), len(bl))
	}
	var diff [][2]string
	for i := range al {
		if al[i] != bl[i] {
			diff = append(diff, [2]string{al[i], bl[i]})
		}
	}
	return diff
}

// TestPinImageRepositoryActions pins a copy of the repository's action.yml
// files: only the runs.image line changes, the runner's view of every file
// (inputs, outputs, entrypoint) stays the same, a second run changes
// nothing, and --check accepts exactly the pinned image.
func TestPinImageRepositoryActions(t *testing.T) {
	t.Parallel()
	dir, orig := copyActions(t)

	if code, out := pinScript(t, imageA, dir); code != 0 {
		t.Fatalf("pin-image exit %d:\n%s", code, out)
	}
	for name, before := range orig {
		after := readFile(t, filepath.Join(dir, name, "action.yml"))
		want := [][2]string{{"  image: ../Dockerfile", "  image: docker://" + imageA}}
		if diff := cmp.Diff(want, changedLines(t, before, after)); diff != "" {
			t.Errorf("%s: changed lines (-want +got):\n%s", name, diff)
		}
		was, err := containertest.LoadAction(filepath.Join(repoRoot(t), name))
		if err != nil {
			t.Fatal(err)
		}
		now, err := containertest.LoadAction(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("pinned %s does not parse: %v", name, err)
		}
		if now.Runs.Image != "docker://"+imageA {
			t.Errorf("%s: runs.image = %q, want docker://%s", name, now.Runs.Image, imageA)
		}
		was.Runs.Image, now.Runs.Image = "", ""
		was.Dir, now.Dir = "", ""
		if diff := cmp.Diff(was, now); diff != "" {
			t.Errorf("%s: metadata besides runs.image changed (-before +after):\n%s", name, diff)
		}
	}

	pinned := map[string]string{}
	for name := range orig {
		pinned[name] = readFile(t, filepath.Join(dir, name, "action.yml"))
	}
	code, out := pinScript(t, "docker://"+imageA, dir)
	if code != 0 {
		t.Fatalf("second pin-image exit %d:\n%s", code, out)
	}
	if got := strings.Count(out, "unchanged: "); got != len(orig) {
		t.Errorf("second run: %d files reported unchanged, want %d:\n%s", got, len(orig), out)
	}
	for name, want := range pinned {
		if got := readFile(t, filepath.Join(dir, name, "action.yml")); got != want {
			t.Errorf("%s changed on the second run", name)
		}
	}

	if code, out := pinScript(t, "--check", imageA, dir); code != 0 {
		t.Errorf("--check on the pinned image: exit %d, want 0:\n%s", code, out)
	}
	if code, out := pinScript(t, "--check", imageB, dir); code != 1 || !strings.Contains(out, "found image docker://"+imageA) {
		t.Errorf("--check on another digest: exit %d, want 1 naming the found image:\n%s", code, out)
	}

	// Re-pinning moves every file to the new digest.
	if code, out := pinScript(t, imageB, dir); code != 0 {
		t.Fatalf("re-pin exit %d:\n%s", code, out)
	}
	if code, out := pinScript(t, "--check", imageB, dir); code != 0 {
		t.Errorf("--check after re-pinning: exit %d:\n%s", code, out)
	}
}

// TestPinImageCheckUnpinned: --check fails on the repository's own
// (unpinned) action.yml files and changes nothing.
func TestPinImageCheckUnpinned(t *testing.T) {
	t.Parallel()
	dir, orig := copyActions(t)
	code, out := pinScript(t, "--check", imageA, dir)
	if code != 1 || !strings.Contains(out, "found image ../Dockerfile") {
		t.Errorf("--check on unpinned files: exit %d, want 1 naming ../Dockerfile:\n%s", code, out)
	}
	for name, want := range orig {
		if got := readFile(t, filepath.Join(dir, name, "action.yml")); got != want {
			t.Errorf("--check modified %s", name)
		}
	}
}

func TestPinImageFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     string
		wantCode int
		want     string // the file afterwards ("" = unchanged)
		wantOut  string
	}{
		{
			name: "quoted_image_with_comment_and_other_image_keys",
			file: "name: x\ninputs:\n  image:\n    description: \"image: not this one\"\nruns:\n  using: \"docker\"\n  image: \"Dockerfile\" # built per job\n  entrypoint: /action-x\n",
			want: "name: x\ninputs:\n  image:\n    description: \"image: not this one\"\nruns:\n  using: \"docker\"\n  image: docker://" + imageA + "\n  entrypoint: /action-x\n",
		},
		{
			name:     "no_image_in_runs",
			file:     "name: x\nruns:\n  using: docker\n  entrypoint: /action-x\n",
			wantCode: 1,
			wantOut:  "expected exactly one image: line under runs:",
		},
		{
			name:     "not_a_docker_action",
			file:     "name: x\nruns:\n  using: node20\n  image: Dockerfile\n  main: index.js\n",
			wantCode: 1,
			wantOut:  "runs.using is not docker",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "action-x", "action.yml")
			writeFile(t, path, tt.file)
			code, out := pinScript(t, imageA, dir)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.wantCode, out)
			}
			if tt.wantOut != "" && !strings.Contains(out, tt.wantOut) {
				t.Errorf("output does not say %q:\n%s", tt.wantOut, out)
			}
			want := tt.want
			if want == "" {
				want = tt.file
			}
			if diff := cmp.Diff(want, readFile(t, path)); diff != "" {
				t.Errorf("file (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPinImageRejectsBadImages(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, image string }{
		{"tag_not_digest", "ghcr.io/sparesparrow/ecosystem-actions:v1"},
		{"short_digest", "ghcr.io/sparesparrow/ecosystem-actions@sha256:abc"},
		{"uppercase_digest", "ghcr.io/sparesparrow/ecosystem-actions@sha256:" + strings.Repeat("A", 64)},
		{"no_repository", "ghcr.io@" + digestA},
		{"shell_metacharacters", "ghcr.io/x/y;rm -rf /@" + digestA},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, orig := copyActions(t)
			code, out := pinScript(t, tt.image, dir)
			if code != 2 || !strings.Contains(out, "invalid IMAGE") {
				t.Errorf("exit %d, want 2 with \"invalid IMAGE\":\n%s", code, out)
			}
			for name, want := range orig {
				if got := readFile(t, filepath.Join(dir, name, "action.yml")); got != want {
					t.Errorf("%s was modified", name)
				}
			}
		})
	}
}
