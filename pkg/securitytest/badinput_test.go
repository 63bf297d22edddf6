package securitytest

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/containertest"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner"
	"github.com/sparesparrow/ecosystem-actions/pkg/runner/runnertest"
)

// What each input of each action names, by which its invalid values are
// chosen. Every input of every Spec must be listed (TestInputClasses), so
// an input added later gets its invalid values too.
var inputClasses = map[string]map[string]string{
	"monitor": {
		"github_token": "token", "owner": "owner", "domains": "repos", "org": "owner", "name_filter": "glob",
		"topic": "topic", "window": "duration>0", "hours": "int>0", "concurrency": "int1..64", "config": "infile",
		"analyze_failures": "bool", "history_file": "histfile", "history_size": "int>0", "fail_on": "enum",
		"shard": "shard", "merge_reports": "globs", "fixer_report": "pattern_globs", "signal_heads": "int0..20", "job_budget": "int1..1000", "output_dir": "outdir", "log_level": "enum", "cache_dir": "cachedir",
		"rate_limit_policy": "enum", "rate_limit_max_wait": "duration",
	},
	"fixer": {
		"github_token": "token", "log_files": "globs", "log_dir": "indir", "run_id": "int>=0", "job_ids": "ids",
		"repository": "repo", "report": "infile", "custom_rules": "infile", "workflow_file": "workflow_file",
		"timeout_minutes": "int1..360", "output_dir": "outdir", "output": "outfile", "create_pull_request": "bool",
		"cooperation": "bool", "target_repos": "repos", "max_annotations": "int>=0", "log_level": "enum",
		"rate_limit_policy": "enum", "rate_limit_max_wait": "duration",
	},
	"stale": {
		"github_token": "token", "owner": "owner", "repositories": "repos", "days_until_stale": "days", "days_until_close": "days",
		"stale_label": "label", "stale_pr_message": "template", "stale_issue_message": "template", "close_message": "template",
		"stale_branch_message": "template", "exempt_labels": "labels", "exempt_milestones": "milestones",
		"exempt_assignees": "logins*", "exempt_authors": "logins*", "exempt_branch_patterns": "globs_branch",
		"exempt_draft_pr": "bool", "any_of_labels": "labels", "only_labels": "labels", "include_prs": "bool",
		"include_issues": "bool", "include_branches": "bool", "close_prs": "bool", "close_issues": "bool",
		"delete_branches": "bool", "content_per_hour": "int>=0", "operations_per_run": "int>=0", "bot_login": "login",
		"alert_label": "label", "ignore_actors": "logins", "dry_run": "bool", "output_dir": "outdir", "log_level": "enum",
		"cache_dir": "cachedir", "rate_limit_policy": "enum", "rate_limit_max_wait": "duration",
	},
	"alert": {
		"github_token": "token", "owner": "owner", "reports": "reports", "alert_type": "enum", "min_level": "enum",
		"repository": "repo", "label": "label", "labels": "labels", "assignees": "logins", "mention": "mentions",
		"channels": "enum_list", "group_by": "enum", "file_in": "enum", "trusted_authors": "logins", "resolve_after": "int>0", "dispatch_targets": "repos", "event_type": "event_type",
		"workflow": "workflow", "workflow_ref": "ref", "workflow_inputs": "json_inputs", "slack_webhook_url": "hook_urls",
		"teams_webhook_url": "hook_urls", "webhook_url": "hook_urls", "webhook_secret": "secret_line",
		"teams_format": "enum", "smtp_url": "smtp_urls", "smtp_password": "secret_line", "email_from": "email",
		"email_to": "emails", "webhook_retries": "int0..10", "artifact_url": "url", "dry_run": "bool",
		"output_dir": "outdir", "log_level": "enum", "cache_dir": "cachedir", "rate_limit_policy": "enum",
		"rate_limit_max_wait": "duration",
	},
}

// big is a 100 KB value: GitHub's text limits are far below it, and an
// error must not echo it whole.
var big = strings.Repeat("x", 100_000)

// invalidValues are values no input of the class may take. dir is a
// scratch directory holding a regular file "file", a directory "dir" and a
// file "garbage" that is neither JSON nor YAML.
func invalidValues(class, dir string) []string {
	file, sub, garbage, missing := filepath.Join(dir, "file"), filepath.Join(dir, "dir"), filepath.Join(dir, "garbage"), filepath.Join(dir, "missing", "x")
	underFile := filepath.Join(file, "sub")
	traversal := []string{"../../user", "../../../git/refs/heads/main", "x/../../y", "..", ".", "%2e%2e", "..%2Fx", "a?b=c", "a#b", "a\\..\\b"}
	switch class {
	case "token":
		return []string{"ghp_abc\ninjected: header", "tok en\r\nX-Evil: 1"}
	case "owner":
		return append([]string{"-lead", "a b", strings.Repeat("a", 40), "a_b", "ä", "a/b", big}, traversal...)
	case "repos":
		return []string{"../../user", "o/r/x", "o/..", "o/.", "o/r?x=1", "o/r#x", "o/" + strings.Repeat("r", 101), "o/r b", "-o/r", "o/r,../../x", "o/%2e%2e", big}
	case "repo":
		return []string{"../../user", "o/r/x", "o/..", "o/r?x=1", "o/r#x", "o/" + strings.Repeat("r", 101), "o/r b", "-o/r", "noslash", "o/%2e%2e", big}
	case "label":
		return []string{"../../../git/refs/heads/x", "..", ".", "a/../b", "a,b", strings.Repeat("l", 51), "new\nline", "tab\tx", "%2e%2e", big}
	case "labels":
		return []string{"ok,..", "ok," + strings.Repeat("l", 51), "ok,../../x", "ok,a/./b", "tab\tx"}
	case "login":
		return []string{"a b", "-x", strings.Repeat("x", 40), "../x", "a/b", "a?b", "a..b", "a_b", big}
	case "logins", "logins*":
		return []string{"ok,a b", "ok,-x", "ok," + strings.Repeat("x", 40), "ok,../x", "ok,a/b", "ok,a?b"}
	case "mentions":
		return []string{"ok,a b", "ok,-x", "ok," + strings.Repeat("x", 40), "ok,../x", "ok,org/../x", "ok,a?b"}
	case "email":
		return []string{"not-an-email", "a@", "@b.example", "a@b@c.example", "a b@c.example", "a@b.example\r\nBcc: x@y.example", "a@b.example, c@d.example", big}
	case "emails":
		return []string{"ok@example.com,not-an-email", "ok@example.com,a@", "ok@example.com,a b@c.example", "a@b.example\r\nBcc: x@y.example"}
	case "workflow":
		return []string{"../../dispatches?x=", "a/b.yml", ".github/workflows/x.yml", "x.txt", "x.yml?y=1", "x.yml#y", "../x.yml", big}
	case "workflow_file":
		return []string{"../../x.yml", ".github/workflows/../../secret.yml", "x.txt", "a?b.yml", "/etc/passwd", big}
	case "ref":
		return []string{"../x", "a..b", "a b", "x.lock", "-x", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b", "x@{1}", "/x", "x/", "x.", "a//b", big}
	case "event_type":
		return []string{strings.Repeat("e", 101), "a\nb", big}
	case "json_inputs":
		return []string{"[1]", "{", `"x"`, jsonObject(26), big}
	case "hook_urls":
		return []string{"ftp://example.com/x", "http://example.com/x", "not a url", "https://"}
	case "smtp_urls":
		return []string{"http://example.com", "smtp://", "smtp://host:notaport", "not a url"}
	case "secret_line":
		return []string{"a\nb"}
	case "url":
		return []string{"not a url", "javascript:alert(1)", "ftp://example.com/x", "https://", big}
	case "template":
		return []string{big, "{{.Days", "{{.NoSuchField}}", "{{template \"x\"}}"}
	case "milestones":
		return nil // any text: milestones are matched by title, never put into a path
	case "glob":
		return []string{"[", "a[b", big}
	case "pattern_globs":
		return []string{"[", filepath.Join(dir, "a[b")}
	case "globs_branch":
		return []string{"main,[", "a[b"}
	case "topic":
		return []string{"Upper", "a b", strings.Repeat("t", 51), "-x", "a_b", big}
	case "shard":
		return []string{"3/2", "0/1", "x", "1/0", "1/2/3", "-1/2"}
	case "globs":
		return []string{filepath.Join(dir, "nothing-*.json"), "[", missing}
	case "infile":
		return []string{missing, sub, garbage}
	case "indir":
		return []string{missing, file}
	case "reports":
		return []string{missing, "{", garbage}
	case "outdir", "cachedir":
		return []string{file, underFile}
	case "outfile":
		return []string{sub, underFile}
	case "histfile":
		// An unparsable history is the monitor's to report (issue #10
		// item 6); here: paths that cannot be written.
		return []string{sub, underFile}
	case "ids":
		return []string{"abc", "-1", "0", "1.5", "1,x"}
	case "enum":
		return []string{"bogus", "wait,stop"}
	case "enum_list":
		return []string{"issue,bogus", "carrier-pigeon"}
	case "bool":
		return []string{"maybe", "tru", "2"}
	case "days":
		return []string{"-1", "abc", "NaN", "Inf", "1e400"}
	case "duration", "duration>0":
		out := []string{"5", "-1h", "abc", "1x"}
		if class == "duration>0" {
			out = append(out, "0")
		}
		return out
	}
	if lo, hi, ok := intRange(class); ok {
		out := []string{"abc", "1.5", "99999999999999999999", "0x10"}
		if lo > -1<<31 {
			out = append(out, strconv.Itoa(lo-1))
		}
		if hi < 1<<31 {
			out = append(out, strconv.Itoa(hi+1))
		}
		return out
	}
	panic("no invalid values for class " + class)
}

// intRange parses "int>0", "int>=0", "intA..B".
func intRange(class string) (lo, hi int, ok bool) {
	rest, ok := strings.CutPrefix(class, "int")
	if !ok {
		return 0, 0, false
	}
	switch {
	case rest == ">0":
		return 1, 1 << 31, true
	case rest == ">=0":
		return 0, 1 << 31, true
	}
	a, b, ok := strings.Cut(rest, "..")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	return lo, hi, ok && err1 == nil && err2 == nil
}

func jsonObject(n int) string {
	var parts []string
	for i := range n {
		parts = append(parts, fmt.Sprintf("%q:%q", fmt.Sprintf("k%d", i), "v"))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// baseInputs are valid inputs with which each action sends requests, so a
// run without any request shows the invalid value was refused.
func baseInputs(t *testing.T, action, dir string) map[string]string {
	t.Helper()
	out := filepath.Join(dir, "out-"+action)
	cache := filepath.Join(dir, "cache-"+action)
	switch action {
	case "monitor":
		return map[string]string{"domains": "sparesparrow/openssl-tools", "output_dir": out, "cache_dir": cache}
	case "fixer":
		return map[string]string{"run_id": "11597401862", "repository": "sparesparrow/openssl-tools", "output_dir": out}
	case "stale":
		return map[string]string{"repositories": "sparesparrow/openssl-tools", "dry_run": "true", "output_dir": out, "cache_dir": cache}
	case "alert":
		rep, err := filepath.Abs(filepath.Join("..", "..", "actions", "alert", "testdata", "ecosystem_analysis.json"))
		if err != nil {
			t.Fatal(err)
		}
		return map[string]string{"reports": rep, "repository": "sparesparrow/openssl-tools", "dry_run": "true", "output_dir": out, "cache_dir": cache}
	}
	t.Fatalf("no base inputs for %s", action)
	return nil
}

// TestInputClasses: every input of every action is classified, and only
// inputs that exist are.
func TestInputClasses(t *testing.T) {
	t.Parallel()
	for name, ep := range entries() {
		declared := map[string]bool{}
		for _, in := range ep.spec.Inputs {
			declared[in.Name] = true
			if _, ok := inputClasses[name][in.Name]; !ok {
				t.Errorf("action-%s input %s has no class in inputClasses", name, in.Name)
			}
		}
		for in := range inputClasses[name] {
			if !declared[in] {
				t.Errorf("inputClasses lists action-%s input %s, which its Spec does not declare", name, in)
			}
		}
	}
}

var commandEscapes = strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%")

// TestInvalidInputsRefusedBeforeAnyRequest feeds every invalid value of
// every input of every action, one at a time on top of valid inputs that
// make the action send requests, and wants each refused the same way:
// exit code 2, an "Invalid input" error that names the input, shows the
// value (cut to 200 characters; hidden for secrets) and says what is
// allowed, and not one request to the emulator.
func TestInvalidInputsRefusedBeforeAnyRequest(t *testing.T) {
	t.Parallel()
	f := exampleFixture(t)
	now := f.ReferenceTime
	_, rec, apiURL := emulatorServer(t, f, now)
	dir := t.TempDir()
	for name, content := range map[string]string{"file": "plain file\n", "garbage": "{[: not json or yaml\x00\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	env := func(token string) map[string]string {
		return map[string]string{"GITHUB_API_URL": apiURL, "GITHUB_REPOSITORY": "sparesparrow/openssl-tools",
			"GITHUB_REPOSITORY_OWNER": "sparesparrow", "GITHUB_RUN_ID": "1", "GITHUB_WORKSPACE": dir, "INPUT_GITHUB_TOKEN": token}
	}
	requestsBy := func(token string) int {
		n := 0
		for _, r := range rec.requests() {
			if r.Token == token {
				n++
			}
		}
		return n
	}

	var (
		mu                        sync.Mutex
		accepted, badError, total int
		acceptedByAction          = map[string]int{}
	)
	t.Cleanup(func() {
		t.Logf("invalid values: %d cases; %d accepted or refused late (exit code not 2, or requests sent) %v; %d more refused with an error that misses the input, the value (cut) or what is allowed",
			total, accepted, acceptedByAction, badError)
	})
	eps := entries()
	names := []string{"monitor", "fixer", "stale", "alert"}
	for _, action := range names {
		ep := eps[action]
		t.Run(action, func(t *testing.T) {
			t.Parallel()
			// The base inputs alone make the action send requests.
			baseTok := "base-" + action
			base := runnertest.Execute(t, ep.spec, ep.run, env(baseTok), baseInputs(t, action, dir), now)
			if requestsBy(baseTok) == 0 {
				t.Fatalf("the base inputs of %s sent no request (exit %d): the test would prove nothing\n%s", action, base.Code, base.Stdout)
			}
			for _, in := range ep.spec.Inputs {
				for i, v := range invalidValues(inputClasses[action][in.Name], dir) {
					token := fmt.Sprintf("case-%s-%s-%d", action, in.Name, i)
					in, v := in, v
					t.Run(fmt.Sprintf("%s/%d", in.Name, i), func(t *testing.T) {
						t.Parallel()
						inputs := baseInputs(t, action, dir)
						inputs[in.Name] = v
						e := env(token)
						if in.Name == "github_token" {
							e["INPUT_GITHUB_TOKEN"] = v
							token = v
						}
						st := runnertest.Execute(t, ep.spec, ep.run, e, inputs, now)
						problems := refusalProblems(in, v, st, requestsBy(token))
						problems = append(problems, missingOutputs(t, action, st)...)
						mu.Lock()
						total++
						switch {
						case st.Code != runner.ExitBadInput || requestsBy(token) > 0:
							accepted++
							acceptedByAction[action]++
						case len(problems) > 0:
							badError++
						}
						mu.Unlock()
						if len(problems) > 0 {
							t.Errorf("%s=%.80q: %s\n%.2000s", in.Name, v, strings.Join(problems, "; "), st.Stdout)
						}
					})
				}
			}
		})
	}
}

var invalidLine = regexp.MustCompile(`(?m)^::error title=Invalid input::(.*)$`)

// refusalProblems says what is wrong with how a run refused (or did not
// refuse) an invalid value.
func refusalProblems(in runner.Input, v string, st runnertest.Step, requests int) []string {
	var out []string
	if st.Code != runner.ExitBadInput {
		out = append(out, fmt.Sprintf("exit code %d, want %d", st.Code, runner.ExitBadInput))
	}
	if requests > 0 {
		out = append(out, fmt.Sprintf("%d requests sent", requests))
	}
	var line string
	for _, m := range invalidLine.FindAllStringSubmatch(st.Stdout, -1) {
		msg := commandEscapes.Replace(m[1])
		if strings.Contains(msg, "input "+in.Name+" ") {
			line = msg
			break
		}
	}
	switch {
	case line == "":
		out = append(out, "no ::error title=Invalid input:: naming the input")
	default:
		if in.Secret {
			if !strings.Contains(line, "(value hidden)") {
				out = append(out, "a secret's error does not say its value is hidden")
			}
		} else if !showsValue(line, v) {
			out = append(out, "the error does not show the value")
		}
		if len(line) > 800 {
			out = append(out, fmt.Sprintf("the error is %d bytes long: the value is not cut to 200 characters", len(line)))
		}
		if !regexp.MustCompile(`(?i)allowed|must|at (most|least)`).MatchString(line) {
			out = append(out, "the error does not say what is allowed")
		}
	}
	return out
}

// showsValue reports whether an error line shows the value (its start,
// quoted or not), or for a list the offending element: an invalid list
// value is "ok,<bad>".
func showsValue(line, v string) bool {
	candidates := []string{v}
	if strings.Contains(v, "/") {
		candidates = append(candidates, filepath.Base(v)) // a path may be shown relative to the workspace
	}
	if parts := runner.SplitList(v); len(parts) > 1 {
		candidates = append(candidates, parts[1:]...)
	}
	for _, c := range candidates {
		shown := firstRunes(c, 20)
		if strings.Contains(line, strings.TrimSuffix(strconv.Quote(shown), `"`)) || strings.Contains(line, shown) {
			return true
		}
	}
	return false
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		r = r[:n]
	}
	return string(r)
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// missingOutputs lists the outputs action.yml declares that the run did
// not write: the READMEs promise every output on every exit path.
func missingOutputs(t *testing.T, action string, st runnertest.Step) []string {
	t.Helper()
	a, err := containertest.LoadAction(filepath.Join(repoRoot(t), "action-"+action))
	if err != nil {
		t.Fatal(err)
	}
	got, err := containertest.Outputs([]byte(st.Outputs))
	if err != nil {
		return []string{"GITHUB_OUTPUT does not parse: " + err.Error()}
	}
	var out []string
	for _, name := range a.OutputNames() {
		if _, ok := got[name]; !ok {
			out = append(out, "output "+name+" not written")
		}
	}
	return out
}
