package securitytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// plantedSecret is a credential a failing job printed. Needles are the
// parts that must never come out again: runs of letters and digits, which
// Markdown, HTML, JSON and URL escaping leave as they are.
type plantedSecret struct {
	kind    string
	line    string // the log line that prints it
	needles []string
}

// legacyToken is the run's github_token in GitHub's pre-2021 40-hex form:
// no pattern finds it, only the runner's record of what it masked.
const legacyToken = "9f3c1e7a5b2d4f6081a3c5e7092b4d6f8a1c3e5b"

var pemBody = []string{
	"MIIEowIBAAKCAQEAq7BFUpkGp3+LQmlQ5Xn0tPlantedKeyLineOneAbCdEfGhIjKl",
	"c2VjcmV0UGxhbnRlZEtleUxpbmVUd29BYkNkRWZHaElqS2xNbk9wUXJTdFV2V3hZ",
	"PlantedKeyLineThree0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ",
}

// planted are the secrets of issue #10: GitHub tokens (classic and
// fine-grained), an AWS access key id, a private key block, a Bearer
// header, a URL with credentials, a JWT, and the run's own token.
var planted = []plantedSecret{
	{"ghp", "remote: Invalid username or token ghp_PlantedClassicTok3nAbCdEfGhIjKlMnOp12 for https://github.com/sparesparrow/private.git",
		[]string{"PlantedClassicTok3nAbCdEfGhIjKlMnOp12"}},
	{"github_pat", "export GH_TOKEN=github_pat_11PLANTEDFINE0GrainedA_b1C2d3E4f5G6h7I8j9K0l1M2n3O4p5Q6r7S8t9U0v1W2x3Y4z5A6b7C8d9",
		[]string{"11PLANTEDFINE0GrainedA", "b1C2d3E4f5G6h7I8j9K0l1M2n3O4p5Q6r7S8t9U0v1W2x3Y4z5A6b7C8d9"}},
	{"aws", "Using AWS access key AKIAQYLPMN5HPLANTED7 for s3://artifacts", []string{"AKIAQYLPMN5HPLANTED7"}},
	{"bearer", `curl -sf -H "Authorization: Bearer pl4nt3dB34r3rT0k3nV4lu3xyz1234" https://api.example.com/upload`, []string{"pl4nt3dB34r3rT0k3nV4lu3xyz1234"}},
	{"url_credentials", "fatal: unable to access 'https://deploy:Pl4ntedPassw0rdXyz987@registry.example.com/v2/': The requested URL returned error: 403",
		[]string{"Pl4ntedPassw0rdXyz987"}},
	{"jwt", "Error: OIDC token eyJhbGciOiJSUzI1NiIsImtpZCI6InBsYW50ZWQifQ.eyJzdWIiOiJyZXBvOnBsYW50ZWQiLCJhdWQiOiJzdHMifQ.UGxhbnRlZFNpZ25hdHVyZVZhbHVlMDEyMzQ1Njc4OWFiY2RlZg rejected",
		[]string{"eyJhbGciOiJSUzI1NiIsImtpZCI6InBsYW50ZWQifQ", "eyJzdWIiOiJyZXBvOnBsYW50ZWQiLCJhdWQiOiJzdHMifQ", "UGxhbnRlZFNpZ25hdHVyZVZhbHVlMDEyMzQ1Njc4OWFiY2RlZg"}},
	{"run_token", "Error: the token " + legacyToken + " has expired", []string{legacyToken}},
}

// plantSecrets prints the planted secrets, and private key blocks, in
// every failed job's log: right before each line that reports an error
// (where the root cause and its context are), so the secrets are in the
// lines the classifier reports. It returns how many logs it changed.
func plantSecrets(f *emulator.Fixture) int {
	errLine := regexp.MustCompile(`(?i)##\[error\]|\berror\b|\bfailed\b|\bFAIL\b`)
	n, k := 0, 0
	for ri := range f.Repositories {
		for _, run := range f.Repositories[ri].Runs {
			for ji := range run.Jobs {
				j := &run.Jobs[ji]
				if j.Conclusion != "failure" || j.Log == "" {
					continue
				}
				lines := strings.SplitAfter(j.Log, "\n")
				var out strings.Builder
				for _, l := range lines {
					if errLine.MatchString(l) {
						ts := "2026-11-20T07:52:00.0000000Z "
						if len(l) > 29 && l[4] == '-' && l[28] == ' ' {
							ts = l[:29]
						}
						// A different three secrets right before each error
						// line (the context window the classifier keeps),
						// and a private key block before every other one.
						if k%2 == 1 {
							out.WriteString(ts + "Error: could not load key -----BEGIN RSA PRIVATE KEY-----\n")
							for _, b := range pemBody {
								out.WriteString(ts + b + "\n")
							}
							out.WriteString(ts + "-----END RSA PRIVATE KEY-----\n")
						}
						for i := range 3 {
							out.WriteString(ts + planted[(3*k+i)%len(planted)].line + "\n")
						}
						k++
					}
					out.WriteString(l)
				}
				j.Log = out.String()
				n++
			}
		}
	}
	return n
}

func needles() map[string][]string {
	out := map[string][]string{"private_key": pemBody}
	for _, s := range planted {
		out[s.kind] = s.needles
	}
	return out
}

// leaks lists where any needle occurs: "<where>: <kind>".
func leaks(where map[string][]byte) []string {
	var out []string
	total := 0
	for name, data := range where {
		for kind, ns := range needles() {
			for _, n := range ns {
				if c := bytes.Count(data, []byte(n)); c > 0 {
					out = append(out, fmt.Sprintf("%s: %s ×%d", name, kind, c))
					total += c
					break
				}
			}
		}
	}
	sort.Strings(out)
	if total > 0 {
		out = append(out, fmt.Sprintf("(%d occurrences in all)", total))
	}
	return out
}

// TestChainLeaksNoSecret runs the whole chain (monitor → fixer → stale →
// alert with issues, repository_dispatch, Slack, Teams, a generic webhook
// and e-mail) on the example ecosystem whose failed job logs print the
// secrets of issue #10, and looks for them everywhere the chain wrote:
// every file, step output, job summary and log line, every request sent to
// the emulator (URL and body), the emulator's state (issues, comments,
// dispatches; the job logs themselves left out), every webhook and every
// e-mail. Not one may remain.
func TestChainLeaksNoSecret(t *testing.T) {
	t.Parallel()
	f := exampleFixture(t)
	if n := plantSecrets(f); n == 0 {
		t.Fatal("no failed job log in the example ecosystem: nothing planted, the test would prove nothing")
	}
	now := f.ReferenceTime
	srv, rec, apiURL := emulatorServer(t, f, now)
	hooks := &recorder{}
	hookSrv := httptest.NewServer(hooks)
	t.Cleanup(hookSrv.Close)
	mail := startSMTP(t)

	steps := containertest.DemoChain()
	for i := range steps {
		steps[i].With["cache_dir"] = "${{ env.REPORTS }}/.cache"
		if steps[i].ID == "alert" {
			steps[i].With["channels"] = "issue,repository_dispatch,webhook"
			steps[i].With["slack_webhook_url"] = hookSrv.URL + "/slack"
			steps[i].With["teams_webhook_url"] = hookSrv.URL + "/teams"
			steps[i].With["webhook_url"] = hookSrv.URL + "/hook"
			steps[i].With["smtp_url"] = "smtp://" + mail.addr()
			steps[i].With["email_from"] = "alerts@example.com"
			steps[i].With["email_to"] = "oncall@example.com"
		}
	}
	c := runDemoChain(t, apiURL, now, legacyToken, steps)

	where := map[string][]byte{}
	for _, st := range c.steps {
		// "::add-mask::<value>" is how a step asks the runner to mask a
		// value; the runner consumes the line and never shows it.
		var shown []string
		for _, l := range strings.SplitAfter(st.Stdout, "\n") {
			if !strings.HasPrefix(l, "::add-mask::") {
				shown = append(shown, l)
			}
		}
		where["stdout of "+st.id] = []byte(strings.Join(shown, ""))
		where["GITHUB_OUTPUT of "+st.id] = []byte(st.Outputs)
		where["GITHUB_STEP_SUMMARY of "+st.id] = []byte(st.Summary)
	}
	for p, b := range files(t, c.workspace) {
		where["file "+strings.TrimPrefix(p, c.workspace+"/")] = b
	}
	for i, r := range rec.requests() {
		where[fmt.Sprintf("request %d to the emulator: %s %s", i, r.Method, r.URL)] = append([]byte(r.URL+"\n"), r.Body...)
	}
	for i, r := range hooks.requests() {
		where[fmt.Sprintf("webhook %d: %s %s", i, r.Method, r.URL)] = r.Body
	}
	for i, m := range mail.messages() {
		where[fmt.Sprintf("e-mail %d", i)] = m
	}
	st := srv.State()
	for ri := range st.Repositories {
		for ru := range st.Repositories[ri].Runs {
			for j := range st.Repositories[ri].Runs[ru].Jobs {
				st.Repositories[ri].Runs[ru].Jobs[j].Log = "" // what the jobs printed: the secrets themselves
			}
		}
	}
	state, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	where["emulator state"] = state

	// The test proves something only if the chain did its work: the fixer
	// classified the logs, alert filed issues and sent its webhooks.
	writes := 0
	for _, r := range rec.requests() {
		if r.Method != "GET" && !strings.HasSuffix(r.URL, "/graphql") {
			writes++
		}
	}
	if writes == 0 || len(hooks.requests()) == 0 || len(mail.messages()) == 0 {
		t.Errorf("the chain wrote %d times to the emulator, sent %d webhooks and %d e-mails: want all three", writes, len(hooks.requests()), len(mail.messages()))
	}
	for _, st := range c.steps {
		if st.Code != 0 {
			t.Errorf("step %s exited %d:\n%s", st.id, st.Code, st.Stdout)
		}
	}
	if l := leaks(where); len(l) > 0 {
		t.Errorf("%d places republish a planted secret:\n%s", len(l), strings.Join(l, "\n"))
	}
}
