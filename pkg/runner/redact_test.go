package runner

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

const (
	testGHP = "ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789"
	testKey = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n-----END RSA PRIVATE KEY-----"
)

// TestRedactEveryChannel: the secrets pkg/redact finds and the values the
// run masked leave by no channel: log lines, annotations (findings too),
// groups, the GITHUB_OUTPUT file (text and JSON outputs), the job summary
// and the failure message.
func TestRedactEveryChannel(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	outFile, sumFile := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
	var stdout bytes.Buffer
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": outFile, "GITHUB_STEP_SUMMARY": sumFile, "INPUT_GITHUB_TOKEN": "legacy-token-0123456789abcdef"}
	r, err := Load(Spec{Inputs: []Input{TokenInput()}}, WithStdout(&stdout), WithGetenv(fakeEnv(env)))
	if err != nil {
		t.Fatal(err)
	}
	r.AddMask("runtime-secret-value")
	leak := "token " + testGHP + " key " + testKey + " run legacy-token-0123456789abcdef then runtime-secret-value"
	r.Infof("log: %s", leak)
	r.Errorf(Annotation{Title: "t " + testGHP}, "%s", leak)
	r.AnnotateFindings([]contract.Finding{{Title: testGHP, Text: leak, Severity: contract.SeverityHigh}})
	r.Group("group " + testGHP)()
	if err := r.SetOutput("text", leak); err != nil {
		t.Fatal(err)
	}
	if err := r.SetJSONOutput("json", map[string]any{"failures": []string{leak}, "n": 1}); err != nil {
		t.Fatal(err)
	}
	r.AddSummary("summary " + leak)
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	outputs, _ := os.ReadFile(outFile)
	summary, _ := os.ReadFile(sumFile)
	var shown []string
	for _, l := range strings.SplitAfter(stdout.String(), "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			shown = append(shown, l)
		}
	}
	for name, text := range map[string]string{"stdout": strings.Join(shown, ""), "GITHUB_OUTPUT": string(outputs), "summary": string(summary), "Outputs()": strings.Join(mapValues(r.Outputs()), "\n")} {
		for _, secret := range []string{"aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789", "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", "legacy-token-0123456789abcdef", "runtime-secret-value"} {
			if strings.Contains(text, secret) {
				t.Errorf("%s holds %q:\n%s", name, secret, text)
			}
		}
		if !strings.Contains(text, "[redacted: ") {
			t.Errorf("%s has no redaction marker:\n%s", name, text)
		}
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(r.Outputs()["json"]), &v); err != nil {
		t.Errorf("json output is no longer JSON: %v: %s", err, r.Outputs()["json"])
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
