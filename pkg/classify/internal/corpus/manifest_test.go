package corpus

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
)

const publicDir = "../../../../testdata/fixer/public"

// TestPublicManifest checks the public corpus's bookkeeping, not the
// classifier: every log is listed and every listing has a log, sources are
// public https addresses, classes are known, labelled root-cause lines occur
// in their logs, the halves share neither a log nor a source, and each batch
// is split by Deal.
func TestPublicManifest(t *testing.T) {
	t.Parallel()
	type seen struct{ half, class string }
	files := map[string]string{}           // file -> half
	sources := map[string]seen{}           // source -> half and class
	batches := map[int]map[string]string{} // batch -> source -> class
	for _, half := range []string{HalfDev, HalfValidation} {
		dir := filepath.Join(publicDir, half)
		m, err := ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		if m.Half != half {
			t.Errorf("%s/manifest.yaml: half %q, want %q", half, m.Half, half)
		}
		listed := map[string]bool{}
		for _, e := range m.Logs {
			where := half + "/" + e.File
			if listed[e.File] {
				t.Errorf("%s: listed twice", where)
			}
			listed[e.File] = true
			if other, ok := files[e.File]; ok {
				t.Errorf("%s: also in %s", where, other)
			}
			files[e.File] = half
			if !ValidClass(e.Class) {
				t.Errorf("%s: class %q, want one of %v", where, e.Class, Classes)
			}
			if u, err := url.Parse(e.Source); err != nil || u.Scheme != "https" || u.Host == "" {
				t.Errorf("%s: source %q is not an https address", where, e.Source)
			}
			if prev, ok := sources[e.Source]; ok && prev.half != half {
				t.Errorf("%s: source %s also used in %s", where, e.Source, prev.half)
			}
			sources[e.Source] = seen{half, e.Class}
			if e.Batch < 1 {
				t.Errorf("%s: batch %d, want 1 or more", where, e.Batch)
			}
			if batches[e.Batch] == nil {
				batches[e.Batch] = map[string]string{}
			}
			if class, ok := batches[e.Batch][e.Source]; !ok || e.Class < class {
				batches[e.Batch][e.Source] = e.Class // a source's logs are dealt by the first class
			}
			switch {
			case e.Class == ClassNone && (e.RootCause != "" || len(e.Also) > 0):
				t.Errorf("%s: a green log with a root cause", where)
			case e.Class != ClassNone && e.RootCause == "":
				t.Errorf("%s: class %s without root_cause", where, e.Class)
			}
			lines, err := readLines(filepath.Join(dir, e.File))
			if err != nil {
				t.Errorf("%s: %v", where, err)
				continue
			}
			if len(lines) == 0 || len(lines) > 200 {
				t.Errorf("%s: %d lines, want 1 to 200", where, len(lines))
			}
			for _, want := range append([]string{e.RootCause}, e.Also...) {
				if want != "" && !slices.Contains(lines, want) {
					t.Errorf("%s: labelled line %q is not a line of the log", where, want)
				}
			}
		}
		logs, err := filepath.Glob(filepath.Join(dir, "*.log"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range logs {
			if !listed[filepath.Base(path)] {
				t.Errorf("%s/%s: not in the manifest", half, filepath.Base(path))
			}
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, de := range entries {
			if n := de.Name(); n != "manifest.yaml" && !strings.HasSuffix(n, ".log") {
				t.Errorf("%s/%s: neither a log nor the manifest", half, n)
			}
		}
	}
	for batch, srcs := range batches {
		for src, want := range Deal(srcs) {
			if got := sources[src].half; got != want {
				t.Errorf("batch %d: %s is in %s, the split rule puts it in %s", batch, src, got, want)
			}
		}
	}
}

// TestPublicReadmeTable keeps the README's table of logs per half, batch and
// class true to the manifests.
func TestPublicReadmeTable(t *testing.T) {
	t.Parallel()
	want := map[string][]int{} // "half batch" -> logs, then one count per class
	for _, half := range []string{HalfDev, HalfValidation} {
		m, err := ReadManifest(filepath.Join(publicDir, half))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range m.Logs {
			key := fmt.Sprintf("%s %d", half, e.Batch)
			if want[key] == nil {
				want[key] = make([]int, 1+len(Classes))
			}
			want[key][0]++
			want[key][1+slices.Index(Classes, e.Class)]++
		}
	}
	readme, err := os.ReadFile(filepath.Join(publicDir, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]int{}
	for _, line := range strings.Split(string(readme), "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		if len(cells) != 3+len(Classes) {
			continue
		}
		half := strings.TrimSuffix(strings.TrimPrefix(strings.SplitN(cells[0], "]", 2)[0], "["), "/")
		if half != HalfDev && half != HalfValidation {
			continue
		}
		var counts []int
		for _, c := range cells[2:] {
			n, err := strconv.Atoi(c)
			if err != nil {
				t.Fatalf("README row %q: %q is not a count", line, c)
			}
			counts = append(counts, n)
		}
		got[half+" "+cells[1]] = counts
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README table differs from the manifests (-manifests +README):\n%s", diff)
	}
}

// TestClassesMatchCatalog keeps the corpus's classes in step with the
// classifier's categories.
func TestClassesMatchCatalog(t *testing.T) {
	t.Parallel()
	var want []string
	for _, c := range classify.Categories {
		if c != classify.CategoryUnknown {
			want = append(want, string(c))
		}
	}
	want = append(want, ClassNone)
	if diff := cmp.Diff(want, Classes); diff != "" {
		t.Errorf("Classes differ from classify.Categories (-want +got):\n%s", diff)
	}
}
