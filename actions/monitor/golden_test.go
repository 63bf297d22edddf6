package monitor

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract/contracttest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

const exampleFixture = "../../testdata/ecosystem/ecosystem.yaml"

// runExample runs the monitor on the example ecosystem at the fixture's
// reference time, with failure analysis on.
func runExample(t *testing.T, outDir string) *Result {
	t.Helper()
	f := sharedExample(t)
	e := newEnv(t, f, emulator.Options{}, "")
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	deps := e.deps()
	deps.Classify = FixerClassifier()
	deps.Stats = nil // request counts are covered by the budget test
	cfg := Config{Domains: domains, Now: f.ReferenceTime, OutputDir: outDir, AnalyzeFailures: true, Window: 14 * 24 * time.Hour}
	res, err := Run(context.Background(), cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestGoldenExampleEcosystem(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	res := runExample(t, out)
	for _, name := range []string{ReportFile, SummaryFile} {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", "example."+name+".golden")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test -run Golden -update to create it)", err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s differs from %s (-want +got):\n%s", name, golden, diff)
		}
	}
	if len(res.Report.Domains) == 0 {
		t.Fatal("empty report")
	}
}

// TestReportMatchesSchema checks a real report against the contract's JSON
// Schema with a JSON Schema validator (pkg/contract/contracttest).
func TestReportMatchesSchema(t *testing.T) {
	t.Parallel()
	// A generated ecosystem with a history (delta), an unreadable domain,
	// flaky runs and classified failures covers every part of the schema.
	f := genFixture(genOptions{Domains: 6})
	f.Repositories = append(f.Repositories, emulator.Repository{Owner: "eco", Name: "gone", Status: 404},
		emulator.Repository{Owner: "eco", Name: "old", Archived: true, DefaultBranch: "main"})
	e := newEnv(t, f, emulator.Options{}, "")
	cfg := genConfig(t, f)
	cfg.AnalyzeFailures = true
	cfg.HistoryFile = filepath.Join(t.TempDir(), "history.json")
	deps := e.deps()
	deps.Classify = FixerClassifier()
	for i := 0; i < 2; i++ { // the second run has a delta
		cfg.Now = genNow.Add(time.Duration(i) * time.Hour)
		if _, err := Run(context.Background(), cfg, deps); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(cfg.OutputDir, ReportFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"analysis"`)) || !bytes.Contains(data, []byte(`"previous_timestamp"`)) {
		t.Errorf("the report lacks a classified failure or a delta; the schema test would not cover them")
	}
	contracttest.Check(t, contract.KindEcosystem, data)
	// The schema rejects what it forbids: a wrong alert level, a missing
	// timestamp, an unknown field and a domain finding without its domain.
	bad := map[string]any{}
	if err := json.Unmarshal(data, &bad); err != nil {
		t.Fatal(err)
	}
	bad["summary"].(map[string]any)["alert_level"] = "purple"
	delete(bad, "timestamp")
	bad["surprise"] = true
	for _, d := range bad["domains"].(map[string]any) {
		if fs, _ := d.(map[string]any)["findings"].([]any); len(fs) > 0 {
			delete(fs[0].(map[string]any), "domain")
			break
		}
	}
	b, _ := json.Marshal(bad)
	err = contracttest.Validate(contract.KindEcosystem, b)
	for _, want := range []string{"/summary/alert_level", "'timestamp'", "'surprise'", "'domain'"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("validation of a broken report = %v, want it to name %s", err, want)
		}
	}
}
