// Command multicall turns the action-<name>/ main packages into one
// multi-call binary for the image, without changing their sources.
//
// Four separate static binaries each carry their own copy of the Go runtime
// and go-github (about 7–12 MB apiece), which would put the image over its
// 30 MB budget. Like busybox, the image instead holds one binary,
// /ecosystem-actions, and /action-<name> symlinks to it; the binary runs the
// action named by the base name of argv[0] (the runner's --entrypoint).
//
// For each action it copies the action's non-test Go files into
// <out>/action<name>/ with the package renamed from main to action<name> and
// func main renamed to Main, then writes <out>/main.go, which dispatches on
// argv[0] (or on its first argument: `ecosystem-actions monitor --help`).
// It prints the -X linker flags that set each action's version variable.
//
// Usage (in the Dockerfile's build stage, from the module root):
//
//	X="$(go run ./.ci/multicall -out zz_multicall -links /out -version "$VERSION" monitor fixer stale alert)"
//	go build -trimpath -ldflags "-s -w $X" -o /out/ecosystem-actions ./zz_multicall
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/ast"
	"go/build"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// binaryName is the multi-call binary's file name.
const binaryName = "ecosystem-actions"

func main() {
	if err := realMain(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintf(os.Stderr, "multicall: %v\n", err)
		os.Exit(1)
	}
}

func realMain(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("multicall", flag.ContinueOnError)
	out := fs.String("out", "zz_multicall", "directory (inside the module) to write the generated packages to")
	links := fs.String("links", "", "if set, create <links>/action-<name> symlinks to "+binaryName)
	version := fs.String("version", "dev", "value of each action's version variable")
	root := fs.String("root", ".", "module root")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ids := fs.Args()
	if len(ids) == 0 {
		return errors.New("no actions named (want e.g. monitor fixer stale alert)")
	}
	module, err := modulePath(filepath.Join(*root, "go.mod"))
	if err != nil {
		return err
	}
	if err := os.RemoveAll(*out); err != nil {
		return fmt.Errorf("failed to clear %s: %w", *out, err)
	}
	var xflags []string
	for _, id := range ids {
		pkg := "action" + id
		hasVersion, err := rewrite(filepath.Join(*root, "action-"+id), filepath.Join(*out, pkg), pkg)
		if err != nil {
			return fmt.Errorf("action-%s: %w", id, err)
		}
		if hasVersion {
			xflags = append(xflags, fmt.Sprintf("-X %s/%s/%s.version=%s", module, filepath.ToSlash(filepath.Clean(*out)), pkg, *version))
		}
	}
	if err := writeDispatcher(filepath.Join(*out, "main.go"), module, filepath.ToSlash(filepath.Clean(*out)), ids); err != nil {
		return err
	}
	if *links != "" {
		if err := os.MkdirAll(*links, 0o755); err != nil {
			return fmt.Errorf("failed to create %s: %w", *links, err)
		}
		for _, id := range ids {
			link := filepath.Join(*links, "action-"+id)
			_ = os.Remove(link)
			if err := os.Symlink(binaryName, link); err != nil {
				return fmt.Errorf("failed to link %s: %w", link, err)
			}
		}
	}
	_, err = fmt.Fprintln(stdout, strings.Join(xflags, " "))
	return err
}

func modulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		return "", fmt.Errorf("failed to read the module path: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	return "", fmt.Errorf("no module line in %s", gomod)
}

// rewrite copies dir's buildable non-test Go files to dst as package pkg
// with func main renamed to Main. It reports whether the package declares
// a package-level version variable.
func rewrite(dir, dst, pkg string) (hasVersion bool, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("failed to list sources: %w", err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return false, fmt.Errorf("failed to create %s: %w", dst, err)
	}
	fset := token.NewFileSet()
	foundMain := false
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		if ok, err := build.Default.MatchFile(dir, name); err != nil || !ok {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ParseComments)
		if err != nil {
			return false, fmt.Errorf("failed to parse: %w", err)
		}
		if f.Name.Name != "main" {
			return false, fmt.Errorf("%s is package %s, want main", name, f.Name.Name)
		}
		f.Name.Name = pkg
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "main" {
					d.Name.Name = "Main"
					foundMain = true
				}
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, s := range d.Specs {
					for _, n := range s.(*ast.ValueSpec).Names {
						if n.Name == "version" {
							hasVersion = true
						}
					}
				}
			}
		}
		// A call of main() from inside the package would now be undefined.
		ast.Inspect(f, func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok && id.Name == "main" && id.Obj != nil {
					id.Name = "Main"
				}
			}
			return true
		})
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "// Code generated by .ci/multicall from %s. DO NOT EDIT.\n\n", filepath.ToSlash(filepath.Join(dir, name)))
		if err := format.Node(&buf, fset, f); err != nil {
			return false, fmt.Errorf("failed to print %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), buf.Bytes(), 0o644); err != nil {
			return false, fmt.Errorf("failed to write %s: %w", name, err)
		}
	}
	if !foundMain {
		return false, errors.New("no func main")
	}
	return hasVersion, nil
}

func writeDispatcher(path, module, out string, ids []string) error {
	sorted := append([]string(nil), ids...)
	sort.Strings(sorted)
	var b bytes.Buffer
	b.WriteString("// Code generated by .ci/multicall. DO NOT EDIT.\n\n")
	b.WriteString("// Command " + binaryName + " runs the action named by the base name of\n")
	b.WriteString("// argv[0] (/action-<name> is a symlink to it), or by its first argument.\n")
	b.WriteString("package main\n\nimport (\n\t\"fmt\"\n\t\"os\"\n\t\"path/filepath\"\n\t\"sort\"\n\t\"strings\"\n\n")
	for _, id := range sorted {
		fmt.Fprintf(&b, "\t%q\n", module+"/"+out+"/action"+id)
	}
	b.WriteString(")\n\nvar actions = map[string]func(){\n")
	for _, id := range sorted {
		fmt.Fprintf(&b, "\t%q: action%s.Main,\n", "action-"+id, id)
	}
	b.WriteString(`}

func main() {
	name := filepath.Base(os.Args[0])
	if _, ok := actions[name]; !ok && len(os.Args) > 1 {
		arg := os.Args[1]
		if !strings.HasPrefix(arg, "action-") {
			arg = "action-" + arg
		}
		if _, ok := actions[arg]; ok {
			name = arg
			os.Args = append([]string{arg}, os.Args[2:]...)
		}
	}
	run, ok := actions[name]
	if !ok {
		names := make([]string, 0, len(actions))
		for n := range actions {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(os.Stderr, "` + binaryName + `: run as one of %s (a symlink name or the first argument), not %q\n", strings.Join(names, ", "), name)
		os.Exit(2)
	}
	run()
}
`)
	src, err := format.Source(b.Bytes())
	if err != nil {
		return fmt.Errorf("failed to format the dispatcher: %w", err)
	}
	return os.WriteFile(path, src, 0o644)
}
