package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/stale/internal/scenario"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"gopkg.in/yaml.v3"
)

// Messages both tools post (the same words, so only the marker differs).
const (
	stalePRMessage    = "This pull request has had no activity for 30 days. It is now labelled stale and will be closed in 7 days unless there is new activity."
	staleIssueMessage = "This issue has had no activity for 30 days. It is now labelled stale and will be closed in 7 days unless there is new activity."
	closeMessage      = "Closing: no activity for 7 days since the stale warning. Reopen it whenever work resumes."
)

// counts are a tool's requests by kind, from the emulator's request log.
type counts struct {
	total, list, read, write, rateLimit, notModified int
	byRoute                                          map[string]int
}

func (c counts) String() string {
	return fmt.Sprintf("%d requests: %d list, %d read, %d write (%d rate_limit, %d answered 304)", c.total, c.list, c.read, c.write, c.rateLimit, c.notModified)
}

// classify sorts the emulator's request log: "list" is a repository-level
// collection (open issues, pull requests, branches, labels, the
// repository-wide issue events and comments), "read" any other GET (one
// item's events, comments or timeline, a pull request, the repository, a
// file, /user, /rate_limit, the Actions caches) and the GraphQL identity
// query, "write" every POST, PATCH, PUT and DELETE.
func classify(log []emulator.LoggedRequest) counts {
	c := counts{byRoute: map[string]int{}}
	for _, r := range log {
		p := strings.TrimPrefix(r.Path, "/api/v3")
		kind := "read"
		switch {
		case strings.HasSuffix(p, "/graphql"):
		case r.Method != "GET":
			kind = "write"
		case isList(p):
			kind = "list"
		}
		c.total++
		switch kind {
		case "list":
			c.list++
		case "read":
			c.read++
		case "write":
			c.write++
		}
		if p == "/rate_limit" {
			c.rateLimit++
		}
		if r.Status == 304 {
			c.notModified++
		}
		c.byRoute[r.Method+" "+route(p)]++
	}
	return c
}

func isList(p string) bool {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	if len(parts) < 3 || parts[0] != "repos" {
		return false
	}
	rest := strings.Join(parts[3:], "/")
	switch rest {
	case "issues", "pulls", "branches", "labels", "issues/events", "issues/comments":
		return true
	}
	return false
}

// route replaces numbers and names in a path by placeholders.
func route(p string) string {
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range parts {
		switch {
		case i == 1 && parts[0] == "repos", i == 2 && parts[0] == "repos":
			parts[i] = "{" + []string{"", "owner", "repo"}[i] + "}"
		case s != "" && strings.Trim(s, "0123456789") == "":
			parts[i] = "{n}"
		case i > 0 && parts[i-1] == "labels":
			parts[i] = "{name}"
		}
	}
	return "/" + strings.Join(parts, "/")
}

// outcome is what a run did to one item.
type outcome string

const (
	didNothing outcome = "none"
	didWarn    outcome = "warn"
	didClose   outcome = "close"
	didUnstale outcome = "unstale"
)

// outcomes reads the state after a run against the fixture it started from.
func outcomes(before, after emulator.State, since time.Time) map[int]outcome {
	type snap struct {
		open, labelled bool
		comments       int
	}
	read := func(st emulator.State) map[int]snap {
		m := map[int]snap{}
		for _, r := range st.Repositories {
			for _, p := range r.Pulls {
				m[p.Number] = snap{open: p.State != "closed", labelled: has(p.Labels, "stale"), comments: len(p.Comments)}
			}
			for _, is := range r.Issues {
				m[is.Number] = snap{open: is.State != "closed", labelled: has(is.Labels, "stale"), comments: len(is.Comments)}
			}
		}
		return m
	}
	b, a := read(before), read(after)
	out := map[int]outcome{}
	for n, x := range b {
		y := a[n]
		switch {
		case x.open && !y.open:
			out[n] = didClose
		case !x.labelled && y.labelled:
			out[n] = didWarn
		case x.labelled && !y.labelled:
			out[n] = didUnstale
		case x.labelled && y.labelled && y.comments > x.comments:
			out[n] = didWarn // a warning completed (comment without label or label without comment)
		default:
			out[n] = didNothing
		}
	}
	return out
}

func has(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// serve starts an emulator on a loopback port with the real clock (the
// fixture's times are shifted to it) and no secondary limit (both tools
// would only wait it out; the budget runs model it).
func serve(fx *emulator.Fixture) (*emulator.Server, func(), error) {
	s, err := emulator.NewChecked(fx, emulator.Options{RateLimit: 1_000_000, GitHubTokenRateLimit: 1_000_000, SecondaryLimit: -1, MaxLoggedRequests: 10_000_000})
	if err != nil {
		return nil, nil, err
	}
	ts := httptest.NewServer(s)
	s.SetURL(ts.URL)
	return s, ts.Close, nil
}

type toolRun struct {
	tool     string
	counts   counts
	outcomes map[int]outcome
	elapsed  time.Duration
	skipped  string
	// examined is, for actions/stale, the items its log shows it processed
	// (nil: not known).
	examined map[int]bool
}

func (r toolRun) did(o outcome) int {
	n := 0
	for _, v := range r.outcomes {
		if v == o {
			n++
		}
	}
	return n
}

func compareAll(ctx context.Context, o options, out io.Writer) ([]string, error) {
	var missed []string
	var rows []string
	rows = append(rows, "| items | tool | requests | list | read | write | rate_limit | warned | closed | un-staled | time |", "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, n := range o.sizes {
		fx, items := scenario.Build(n, scenario.SteadyState)
		peer, err := runPeer(ctx, o, fx)
		if err != nil {
			return nil, err
		}
		ours, err := runOurs(ctx, o, fx)
		if err != nil {
			return nil, err
		}
		for _, r := range []toolRun{peer, ours} {
			if r.skipped != "" {
				rows = append(rows, fmt.Sprintf("| %d | %s | skipped: %s | | | | | | | | |", n, r.tool, r.skipped))
				continue
			}
			rows = append(rows, fmt.Sprintf("| %d | %s | %d | %d | %d | %d | %d | %d | %d | %d | %s |", n, r.tool, r.counts.total, r.counts.list, r.counts.read,
				r.counts.write, r.counts.rateLimit, r.did(didWarn), r.did(didClose), r.did(didUnstale), r.elapsed.Round(10*time.Millisecond)))
		}
		if peer.skipped != "" {
			continue
		}
		reqRatio := float64(ours.counts.total) / float64(peer.counts.total)
		readRatio := float64(ours.counts.read) / float64(peer.counts.read)
		fmt.Fprintf(out, "\n%d items: action-stale makes %.2f× the requests and %.2f× the reads of actions/stale (targets: ≤ 0.6×, ≤ 0.3×)\n", n, reqRatio, readRatio)
		if reqRatio > 0.6 {
			missed = append(missed, fmt.Sprintf("%d items: %.2f× the requests of actions/stale (target ≤ 0.6×)", n, reqRatio))
		}
		if readRatio > 0.3 {
			missed = append(missed, fmt.Sprintf("%d items: %.2f× the reads of actions/stale (target ≤ 0.3×)", n, readRatio))
		}
		missed = append(missed, compareDecisions(out, n, items, peer, ours)...)
		routes(out, "actions/stale", peer.counts)
		routes(out, "action-stale", ours.counts)
	}
	fmt.Fprintln(out)
	for _, r := range rows {
		fmt.Fprintln(out, r)
	}
	return missed, nil
}

func routes(out io.Writer, tool string, c counts) {
	var keys []string
	for k := range c.byRoute {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return c.byRoute[keys[i]] > c.byRoute[keys[j]] || (c.byRoute[keys[i]] == c.byRoute[keys[j]] && keys[i] < keys[j])
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s ×%d", k, c.byRoute[k]))
	}
	fmt.Fprintf(out, "  %s: %s\n", tool, strings.Join(parts, ", "))
}

// expected is what each tool's policy does with a category: the same for
// both except where the policies differ (explained).
var expected = map[scenario.Category][2]outcome{
	scenario.NewlyStale: {didWarn, didWarn},
	scenario.Due:        {didClose, didClose},
	scenario.Waiting:    {didNothing, didNothing},
	scenario.Reset:      {didUnstale, didUnstale},
	scenario.Fresh:      {didNothing, didNothing},
	scenario.Exempt:     {didNothing, didNothing},
	scenario.BotOnly:    {didNothing, didWarn},
	scenario.Young:      {didNothing, didNothing},
	scenario.Alert:      {didNothing, didNothing},
}

var explained = map[scenario.Category]string{
	scenario.BotOnly: "policies differ: action-stale does not count a bot's comment as activity (it reads the timeline of an item updated recently), actions/stale counts any update (updated_at)",
}

func compareDecisions(out io.Writer, n int, items []scenario.Item, peer, ours toolRun) []string {
	var missed []string
	agree, differ := 0, map[string][]int{}
	unexplained := map[string][]int{}
	for _, it := range items {
		p, q := peer.outcomes[it.Number], ours.outcomes[it.Number]
		want := expected[it.Category]
		switch {
		case p == q:
			agree++
			if p != want[0] {
				unexplained[fmt.Sprintf("both %s a %s item (expected %s)", p, it.Category, want[0])] = append(unexplained[fmt.Sprintf("both %s a %s item (expected %s)", p, it.Category, want[0])], it.Number)
			}
		case p == want[0] && q == want[1] && explained[it.Category] != "":
			key := fmt.Sprintf("%s: actions/stale %s, action-stale %s — %s", it.Category, p, q, explained[it.Category])
			differ[key] = append(differ[key], it.Number)
		case peer.examined != nil && !peer.examined[it.Number] && q == want[1]:
			key := fmt.Sprintf("%s: actions/stale never examined it (its log has no group for the item: the open-issues pages it had not read yet moved forward as it closed items, upstream actions/stale#1360), action-stale %s", it.Category, q)
			differ[key] = append(differ[key], it.Number)
		default:
			key := fmt.Sprintf("%s: actions/stale %s, action-stale %s (expected %s / %s)", it.Category, p, q, want[0], want[1])
			unexplained[key] = append(unexplained[key], it.Number)
		}
	}
	fmt.Fprintf(out, "%d items: decisions agree on %d of %d\n", n, agree, len(items))
	for _, k := range sortedKeys(differ) {
		fmt.Fprintf(out, "  %d differ, explained: %s (e.g. #%s)\n", len(differ[k]), k, firstFew(differ[k]))
	}
	for _, k := range sortedKeys(unexplained) {
		fmt.Fprintf(out, "  %d UNEXPLAINED: %s (e.g. #%s)\n", len(unexplained[k]), k, firstFew(unexplained[k]))
		missed = append(missed, fmt.Sprintf("%d items: %d decisions unexplained: %s", n, len(unexplained[k]), k))
	}
	return missed
}

func sortedKeys(m map[string][]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func firstFew(ns []int) string {
	var s []string
	for i, n := range ns {
		if i == 5 {
			s = append(s, "…")
			break
		}
		s = append(s, fmt.Sprint(n))
	}
	return strings.Join(s, ", #")
}

// runPeer runs actions/stale's index.js with node, every input at its
// action.yml default except the ones that make the two tools' policies
// agree.
func runPeer(ctx context.Context, o options, fx *emulator.Fixture) (toolRun, error) {
	r := toolRun{tool: "actions/stale v10.3.0"}
	if o.peer == "" {
		r.skipped = "no actions/stale build found (set -stale-peer or ACTIONS_STALE_PEER)"
		return r, nil
	}
	if _, err := exec.LookPath(o.node); err != nil {
		r.skipped = "node not found"
		return r, nil
	}
	defaults, err := peerDefaults(filepath.Join(o.peer, "action.yml"))
	if err != nil {
		return r, err
	}
	inputs := map[string]string{
		"repo-token": scenario.Token, "days-before-stale": "30", "days-before-close": "7",
		"stale-issue-label": "stale", "stale-pr-label": "stale",
		"stale-issue-message": staleIssueMessage, "stale-pr-message": stalePRMessage,
		"close-issue-message": closeMessage, "close-pr-message": closeMessage,
		"exempt-issue-labels": "pinned,ecosystem-alert", "exempt-pr-labels": "pinned,ecosystem-alert",
		"operations-per-run": "1000000", "exempt-draft-pr": "false", "delete-branch": "false",
	}
	srv, stop, err := serve(fx)
	if err != nil {
		return r, err
	}
	defer stop()
	before := srv.State()
	dir, err := os.MkdirTemp(o.work, "peer-")
	if err != nil {
		return r, err
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "RUNNER_TEMP=" + dir, "GITHUB_API_URL=" + srv.URL(),
		"GITHUB_REPOSITORY=acme/big", "GITHUB_OUTPUT=" + filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary"),
		"GITHUB_EVENT_NAME=schedule", "GITHUB_WORKSPACE=" + dir}
	for k, v := range defaults {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	for k, v := range inputs {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	for _, f := range []string{"output", "summary"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			return r, err
		}
	}
	cmd := exec.CommandContext(ctx, o.node, filepath.Join(o.peer, "index.js"))
	cmd.Env, cmd.Dir = env, dir
	logf, err := os.Create(filepath.Join(o.work, "actions-stale.log"))
	if err != nil {
		return r, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("actions/stale failed: %w (log: %s)", err, logf.Name())
	}
	r.elapsed = time.Since(start)
	r.counts = classify(srv.Requests())
	r.outcomes = outcomes(before, srv.State(), start)
	r.examined, err = examined(logf.Name())
	return r, err
}

var groupRe = regexp.MustCompile(`^::group::.*\[#(\d+)\]`)

// examined reads the item numbers actions/stale opened a log group for
// (it logs "::group::[#N] Issue #N" for every item it processes).
func examined(path string) (map[int]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[int]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		clean := ansiRe.ReplaceAllString(line, "")
		if m := groupRe.FindStringSubmatch(clean); m != nil {
			n, _ := strconv.Atoi(m[1])
			out[n] = true
		}
	}
	return out, nil
}

var ansiRe = regexp.MustCompile("\x1b\\[[0-9;]*m")

// peerDefaults reads every input's default from actions/stale's action.yml.
func peerDefaults(path string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var a struct {
		Inputs map[string]struct {
			Default *string `yaml:"default"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(data, &a); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", path, err)
	}
	out := map[string]string{}
	for k, v := range a.Inputs {
		if v.Default != nil && !strings.Contains(*v.Default, "${{") {
			out[k] = *v.Default
		}
	}
	return out, nil
}

// runOurs runs the action-stale binary the way the runner runs the
// container: INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY.
func runOurs(ctx context.Context, o options, fx *emulator.Fixture) (toolRun, error) {
	r := toolRun{tool: "action-stale"}
	srv, stop, err := serve(fx)
	if err != nil {
		return r, err
	}
	defer stop()
	before := srv.State()
	dir, err := os.MkdirTemp(o.work, "ours-")
	if err != nil {
		return r, err
	}
	inputs := map[string]string{
		"github_token": scenario.Token, "days_until_stale": "30", "days_until_close": "7", "stale_label": "stale",
		"stale_pr_message": stalePRMessage, "stale_issue_message": staleIssueMessage, "close_message": closeMessage,
		"exempt_labels": "pinned", "exempt_draft_pr": "false", "include_prs": "true", "include_issues": "true", "include_branches": "false",
		"close_prs": "true", "close_issues": "true", "operations_per_run": "1000000", "content_per_hour": "0",
		"output_dir": filepath.Join(dir, "reports"), "cache_dir": filepath.Join(dir, "cache"),
	}
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GITHUB_API_URL=" + srv.URL(), "GITHUB_REPOSITORY=acme/big",
		"GITHUB_OUTPUT=" + filepath.Join(dir, "output"), "GITHUB_STEP_SUMMARY=" + filepath.Join(dir, "summary"), "GITHUB_ACTIONS=true"}
	for k, v := range inputs {
		env = append(env, "INPUT_"+strings.ToUpper(k)+"="+v)
	}
	for _, f := range []string{"output", "summary"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			return r, err
		}
	}
	cmd := exec.CommandContext(ctx, o.bin)
	cmd.Env, cmd.Dir = env, dir
	logf, err := os.Create(filepath.Join(o.work, "action-stale.log"))
	if err != nil {
		return r, err
	}
	defer logf.Close()
	cmd.Stdout, cmd.Stderr = logf, logf
	start := time.Now()
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(logf.Name())
		return r, fmt.Errorf("action-stale failed: %w\n%s", err, tail(string(b), 30))
	}
	r.elapsed = time.Since(start)
	r.counts = classify(srv.Requests())
	r.outcomes = outcomes(before, srv.State(), start)
	return r, nil
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
