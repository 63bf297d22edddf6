package emulator

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestExampleFixtureIsFresh regenerates the example ecosystem with its
// generator (go run ./testdata/ecosystem/generate) and fails unless the
// result is the committed ecosystem.yaml byte for byte; then runs the
// validator on the committed file, which fails on a broken invariant.
func TestExampleFixtureIsFresh(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("-short: the freshness test builds and runs the generator")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go tool is not on PATH (the test runs the generator with it): %v", err)
	}
	root := filepath.Join(filepath.Dir(ExampleFixturePath()), "..", "..")
	out := filepath.Join(t.TempDir(), "ecosystem.yaml")
	cmd := exec.Command(goTool, "run", "./testdata/ecosystem/generate", "-o", out)
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./testdata/ecosystem/generate: %v\n%s", err, b)
	}
	got, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(ExampleFixturePath())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		line := 1 + bytes.Count(got[:commonPrefix(got, want)], []byte("\n"))
		t.Errorf("regenerating the example ecosystem gives %d bytes, the committed file has %d; first difference on line %d: run make fixture and commit ecosystem.yaml", len(got), len(want), line)
	}
	cmd = exec.Command(goTool, "run", "./testdata/ecosystem/validate", "-f", ExampleFixturePath())
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("go run ./testdata/ecosystem/validate: %v\n%s", err, b)
	}
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}
