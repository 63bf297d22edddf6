package runner

import (
	"bufio"
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/sparesparrow/ecosystem-actions"

// moduleRoot is the repository root (this package is pkg/runner).
var moduleRoot = filepath.Join("..", "..")

// goDeps lists every package of the module with its transitive
// dependencies (go list -deps, non-test), keyed by import path.
func goDeps(t *testing.T) map[string][]string {
	t.Helper()
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		var lerr error
		if goBin, lerr = exec.LookPath("go"); lerr != nil {
			t.Skipf("no go command to run go list (%v, %v)", err, lerr)
		}
	}
	cmd := exec.Command(goBin, "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "./...")
	cmd.Dir = moduleRoot
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 0 {
			deps[f[0]] = f[1:]
		}
	}
	return deps
}

// TestDependenciesPointDown: no library under actions/ or pkg/ depends on
// the runner layer (pkg/runner) — only the runner itself, its test helpers
// and the action mains do; the contract and the naming rules are leaves;
// the classification engine depends on no action.
func TestDependenciesPointDown(t *testing.T) {
	t.Parallel()
	deps := goDeps(t)
	ours := func(p string) bool { return p == module || strings.HasPrefix(p, module+"/") }
	rel := func(p string) string { return strings.TrimPrefix(strings.TrimPrefix(p, module), "/") }
	checked := 0
	for pkg, ds := range deps {
		r := rel(pkg)
		library := strings.HasPrefix(r, "actions/") || strings.HasPrefix(r, "pkg/")
		runnerLayer := r == "pkg/runner" || strings.HasPrefix(r, "pkg/runner/")
		for _, d := range ds {
			switch {
			case library && !runnerLayer && d == module+"/pkg/runner":
				t.Errorf("%s depends on the runner layer (pkg/runner): libraries take plain values and return errors the runner recognises", r)
			case (r == "pkg/contract" || r == "pkg/ghname") && ours(d):
				t.Errorf("%s is a leaf but depends on %s", r, rel(d))
			case strings.HasPrefix(r, "pkg/classify") && strings.HasPrefix(rel(d), "actions/"):
				t.Errorf("the classification engine %s depends on the action %s", r, rel(d))
			}
		}
		if library {
			checked++
		}
	}
	if checked < 10 {
		t.Fatalf("go list showed %d library packages; the check would prove nothing", checked)
	}
}

// TestOneFindingAndOneRepositoryType: the module declares one Finding type
// (pkg/contract; the others are aliases of it) and one repository-name type
// (pkg/ghname Repo; the others embed or alias it). The emulator models
// GitHub's own objects and is not counted.
func TestOneFindingAndOneRepositoryType(t *testing.T) {
	t.Parallel()
	var findings, repos []string
	err := filepath.WalkDir(moduleRoot, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if name == "testdata" || name == "emulator" || name == "node_modules" || (strings.HasPrefix(name, ".") && path != moduleRoot) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		relPath, _ := filepath.Rel(moduleRoot, path)
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				st, isStruct := ts.Type.(*ast.StructType)
				if ts.Assign != 0 || !isStruct {
					continue // an alias, or not a struct
				}
				where := filepath.ToSlash(relPath) + ": " + ts.Name.Name
				if ts.Name.Name == "Finding" {
					findings = append(findings, where)
				}
				fields := map[string]bool{}
				for _, fl := range st.Fields.List {
					for _, n := range fl.Names {
						if id, ok := fl.Type.(*ast.Ident); ok && id.Name == "string" {
							fields[n.Name] = true
						}
					}
				}
				if fields["Owner"] && (fields["Name"] || fields["Repo"]) {
					repos = append(repos, where)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(findings)
	sort.Strings(repos)
	if len(findings) != 1 || findings[0] != "pkg/contract/finding.go: Finding" {
		t.Errorf("Finding types: %v, want only pkg/contract's", findings)
	}
	if len(repos) != 1 || repos[0] != "pkg/ghname/ghname.go: Repo" {
		t.Errorf("repository-name types: %v, want only pkg/ghname's Repo", repos)
	}
}
