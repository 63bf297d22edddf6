package fixer

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"gopkg.in/yaml.v3"
)

// PatchRequest asks for one mechanical fix of a workflow file.
type PatchRequest struct {
	Fix classify.Fix `json:"fix"`
	// Job limits the fix to one job id ("" = every job it applies to).
	// The artifact upgrade ignores it: every upload and download of a run
	// moves to v4 together (artifact.go).
	Job string `json:"job,omitempty"`
	// Permission is "scope: level" for add_permission, e.g. "id-token: write".
	Permission string `json:"permission,omitempty"`
	// TimeoutMinutes is the value add_timeout sets (default 60).
	TimeoutMinutes int `json:"timeout_minutes,omitempty"`
	// LimitMinutes is the limit a timed-out job ran into (0 = unknown):
	// add_timeout sets timeout-minutes only below it, where it makes a
	// hang end sooner.
	LimitMinutes int `json:"limit_minutes,omitempty"`
}

// PatchResult is a patched workflow file.
type PatchResult struct {
	Path     string   `json:"path"`
	Diff     string   `json:"diff"`
	Applied  []string `json:"applied"`
	Skipped  []string `json:"skipped,omitempty"`
	Original []byte   `json:"-"`
	Patched  []byte   `json:"-"`
}

// Changed reports whether the patch changes the file.
func (r *PatchResult) Changed() bool { return !bytes.Equal(r.Original, r.Patched) }

// DefaultTimeoutMinutes is the timeout add_timeout sets when none is asked for.
const DefaultTimeoutMinutes = 60

// oidcActions are actions that request an OIDC token (they need id-token: write).
var oidcActions = []string{"aws-actions/configure-aws-credentials", "google-github-actions/auth", "azure/login",
	"sigstore/cosign-installer", "pypa/gh-action-pypi-publish", "hashicorp/vault-action", "actions/attest-build-provenance"}

var permissionPattern = regexp.MustCompile(`^([a-z-]+):\s*(read|write|none)$`)

// PatchWorkflow applies fixes to a workflow file. The YAML is parsed with
// yaml.v3 to find where each fix goes (jobs, steps, keys and their lines and
// columns); the edits are then made to the original text, so comments,
// blank lines, quoting and key order survive and the diff shows only the
// fix. The result is parsed again to make sure it is still valid YAML.
func PatchWorkflow(path string, src []byte, reqs []PatchRequest) (*PatchResult, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, fmt.Errorf("failed to parse workflow %s: %w", path, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("failed to patch workflow %s: not a mapping", path)
	}
	p := &patcher{root: doc.Content[0], lines: splitLines(src), res: &PatchResult{Path: path, Original: src}}
	for _, r := range reqs {
		if err := p.apply(r); err != nil {
			return nil, fmt.Errorf("failed to patch workflow %s: %w", path, err)
		}
	}
	out := p.render()
	var check yaml.Node
	if err := yaml.Unmarshal(out, &check); err != nil {
		return nil, fmt.Errorf("failed to patch workflow %s: the patched file is not valid YAML: %w", path, err)
	}
	p.res.Patched = out
	p.res.Diff = UnifiedDiff("a/"+path, "b/"+path, src, out)
	return p.res, nil
}

type edit struct {
	line    int      // 0-based line index in the original
	insert  []string // lines inserted before line
	replace *string  // new text of line
}

type patcher struct {
	root  *yaml.Node
	lines []string
	edits []edit
	res   *PatchResult
	// newPermissions are the permissions blocks this patch adds, by the
	// mapping that gets them: a second permission goes into the same
	// block (a second "permissions:" key is a duplicate key).
	newPermissions map[*yaml.Node]*newPermissions
}

type newPermissions struct {
	edit   int // index in edits
	indent string
	scopes map[string]bool
}

func splitLines(b []byte) []string {
	s := string(b)
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func (p *patcher) render() []byte {
	sort.SliceStable(p.edits, func(i, j int) bool { return p.edits[i].line < p.edits[j].line })
	var out []string
	e := 0
	for i := 0; i <= len(p.lines); i++ {
		line := ""
		if i < len(p.lines) {
			line = p.lines[i]
		}
		for ; e < len(p.edits) && p.edits[e].line == i; e++ {
			out = append(out, p.edits[e].insert...)
			if p.edits[e].replace != nil {
				line = *p.edits[e].replace
			}
		}
		if i < len(p.lines) {
			out = append(out, line)
		}
	}
	return []byte(strings.Join(out, "\n") + "\n")
}

// current returns line i with the replacements made so far.
func (p *patcher) current(i int) string {
	s := p.lines[i]
	for _, e := range p.edits {
		if e.line == i && e.replace != nil {
			s = *e.replace
		}
	}
	return s
}

func (p *patcher) replace(i int, s string) {
	p.edits = append(p.edits, edit{line: i, replace: &s})
}

func (p *patcher) insert(before int, lines ...string) {
	p.edits = append(p.edits, edit{line: before, insert: lines})
}

func mapValue(m *yaml.Node, key string) (*yaml.Node, *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

type job struct {
	id   string
	key  *yaml.Node
	node *yaml.Node
}

func (p *patcher) jobs(only string) []job {
	_, jobs := mapValue(p.root, "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return nil
	}
	var out []job
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		if only != "" && jobs.Content[i].Value != only {
			continue
		}
		out = append(out, job{id: jobs.Content[i].Value, key: jobs.Content[i], node: jobs.Content[i+1]})
	}
	return out
}

func steps(j job) []*yaml.Node {
	_, s := mapValue(j.node, "steps")
	if s == nil || s.Kind != yaml.SequenceNode {
		return nil
	}
	return s.Content
}

// keyIndent is the indentation of the keys of mapping m.
func keyIndent(m *yaml.Node) string {
	if len(m.Content) == 0 {
		return ""
	}
	return strings.Repeat(" ", m.Content[0].Column-1)
}

// lastLineOf returns the 0-based index of the last line of node n.
func (p *patcher) lastLineOf(n *yaml.Node) int {
	last := n.Line - 1
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Line-1 > last {
			last = n.Line - 1
		}
		if n.Kind == yaml.ScalarNode && (n.Style == yaml.LiteralStyle || n.Style == yaml.FoldedStyle) {
			if l := n.Line - 1 + strings.Count(strings.TrimRight(n.Value, "\n"), "\n") + 1; l > last {
				last = l
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(n)
	for last+1 < len(p.lines) && strings.TrimSpace(p.lines[last+1]) != "" &&
		indentOf(p.lines[last+1]) > n.Column-1 && !strings.HasPrefix(strings.TrimSpace(p.lines[last+1]), "#") {
		last++
	}
	return last
}

func indentOf(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

// above returns the line index where text inserted before node n goes so
// that n keeps its comments: above the comment lines yaml.v3 attaches to n
// (HeadComment, blank lines inside it included), or n's own line.
func (p *patcher) above(n *yaml.Node) int {
	at := n.Line - 1
	want := 0
	for _, l := range strings.Split(n.HeadComment, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			want++
		}
	}
	for i := at - 1; i >= 0 && want > 0; i-- {
		t := strings.TrimSpace(p.lines[i])
		switch {
		case t == "":
		case strings.HasPrefix(t, "#"):
			want--
			at = i
		default:
			return at
		}
	}
	return at
}

func (p *patcher) apply(r PatchRequest) error {
	switch r.Fix {
	case classify.FixUpgradeArtifactAction:
		p.upgradeArtifacts() // every job: see artifact.go
	case classify.FixAddTimeout:
		p.addTimeout(r)
	case classify.FixAddPermission:
		return p.addPermission(r)
	case classify.FixConanBuildMissing:
		p.conanBuildMissing(r.Job)
	case classify.FixAddConanCache:
		p.addConanCache(r.Job)
	default:
		return fmt.Errorf("unknown fix %q (allowed: %s)", r.Fix, fixNames())
	}
	return nil
}

func (p *patcher) addTimeout(r PatchRequest) {
	minutes := r.TimeoutMinutes
	if minutes <= 0 {
		minutes = DefaultTimeoutMinutes
	}
	for _, j := range p.jobs(r.Job) {
		if k, v := mapValue(j.node, "timeout-minutes"); k != nil {
			msg := fmt.Sprintf("job %s already sets timeout-minutes: %s", j.id, v.Value)
			if r.LimitMinutes > 0 {
				msg += "; it ran into that limit: raise it if the running step was still making progress, or give a step that hangs its own timeout-minutes"
			}
			p.res.Skipped = append(p.res.Skipped, msg)
			continue
		}
		if k, _ := mapValue(j.node, "uses"); k != nil {
			continue // a reusable-workflow call cannot set timeout-minutes
		}
		if r.LimitMinutes > 0 && minutes >= r.LimitMinutes {
			p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("job %s: timeout-minutes: %d would not end it sooner than the %d minutes it ran into; raise the limit only if the running step was still making progress",
				j.id, minutes, r.LimitMinutes))
			continue
		}
		at := p.afterKey(j.node, "runs-on")
		p.insert(at, keyIndent(j.node)+fmt.Sprintf("timeout-minutes: %d", minutes))
		p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: timeout-minutes: %d", j.id, minutes))
	}
}

// afterKey returns the line index after the value of key in mapping m (or
// the line of m's first key when key is absent).
func (p *patcher) afterKey(m *yaml.Node, key string) int {
	k, v := mapValue(m, key)
	if k == nil {
		return p.above(m.Content[0])
	}
	return p.lastLineOf(v) + 1
}

func (p *patcher) addPermission(r PatchRequest) error {
	m := permissionPattern.FindStringSubmatch(strings.TrimSpace(r.Permission))
	if m == nil {
		return fmt.Errorf("invalid permission %q (want \"scope: read|write|none\", e.g. \"id-token: write\")", r.Permission)
	}
	scope, level := m[1], m[2]
	targets := p.jobs(r.Job)
	if r.Job == "" && scope == "id-token" {
		// Only the jobs that request OIDC tokens need id-token.
		var oidc []job
		for _, j := range targets {
			for _, s := range steps(j) {
				if _, uses := mapValue(s, "uses"); uses != nil && slices.ContainsFunc(oidcActions, func(a string) bool {
					return strings.HasPrefix(uses.Value, a+"@")
				}) {
					oidc = append(oidc, j)
					break
				}
			}
		}
		if len(oidc) > 0 {
			targets = oidc
		}
	}
	if r.Job != "" && len(targets) == 0 {
		return fmt.Errorf("job %q not found", r.Job)
	}
	if r.Job == "" && len(targets) > 1 || len(targets) == 0 {
		// Workflow level, plus every job that overrides it.
		wk, wv := mapValue(p.root, "permissions")
		p.setPermission("workflow", p.root, wk, wv, scope, level, p.workflowPermissionsLine())
		for _, j := range targets {
			if k, v := mapValue(j.node, "permissions"); k != nil {
				p.setPermission("job "+j.id, j.node, k, v, scope, level, 0)
			}
		}
		return nil
	}
	j := targets[0]
	k, v := mapValue(j.node, "permissions")
	p.setPermission("job "+j.id, j.node, k, v, scope, level, p.afterKey(j.node, "runs-on"))
	return nil
}

// workflowPermissionsLine is where a new workflow-level permissions block
// goes: before "jobs:".
func (p *patcher) workflowPermissionsLine() int {
	k, _ := mapValue(p.root, "jobs")
	if k == nil {
		return len(p.lines)
	}
	// Comments that introduce "jobs:" stay with it.
	return p.above(k)
}

func (p *patcher) setPermission(where string, owner, k, v *yaml.Node, scope, level string, newAt int) {
	want := scope + ": " + level
	switch {
	case k == nil && owner != p.root && p.newPermissions[owner] == nil && workflowGrants(p.root, scope, level):
		// The job inherits the workflow's permissions: a block of its own
		// would change nothing.
		p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("%s: the workflow's permissions already grant %s; the token lacks it for another reason (GITHUB_TOKEN cannot write to other repositories: use an App token)", where, want))
	case k == nil && p.newPermissions[owner] != nil:
		np := p.newPermissions[owner]
		e := &p.edits[np.edit]
		line := np.indent + "  " + want
		if np.scopes[scope] {
			for i, l := range e.insert {
				if strings.HasPrefix(strings.TrimSpace(l), scope+":") {
					e.insert[i] = line
				}
			}
		} else {
			e.insert = append(e.insert, line)
			np.scopes[scope] = true
		}
		p.res.Applied = append(p.res.Applied, fmt.Sprintf("%s: permissions: %s", where, want))
	case k == nil:
		ind := keyIndent(owner)
		lines := []string{ind + "permissions:"}
		// Setting any permission sets the others to none: a new job block
		// starts from the workflow's permissions, and keeps checkout working.
		base := map[string]string{"contents": "read"}
		var order []string
		if owner != p.root {
			if _, wv := mapValue(p.root, "permissions"); wv != nil && wv.Kind == yaml.MappingNode {
				base = map[string]string{}
				for i := 0; i+1 < len(wv.Content); i += 2 {
					base[wv.Content[i].Value] = wv.Content[i+1].Value
					order = append(order, wv.Content[i].Value)
				}
			}
		}
		if len(order) == 0 {
			order = []string{"contents"}
		}
		scopes := map[string]bool{scope: true}
		for _, sc := range order {
			if sc != scope {
				lines = append(lines, ind+"  "+sc+": "+base[sc])
				scopes[sc] = true
			}
		}
		lines = append(lines, ind+"  "+want)
		if p.newPermissions == nil {
			p.newPermissions = map[*yaml.Node]*newPermissions{}
		}
		p.newPermissions[owner] = &newPermissions{edit: len(p.edits), indent: ind, scopes: scopes}
		p.insert(newAt, lines...)
		p.res.Applied = append(p.res.Applied, fmt.Sprintf("%s: permissions: {%s}", where, strings.Join(trimAll(lines[1:]), ", ")))
	case v.Kind == yaml.ScalarNode:
		p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("%s: permissions is %q; set %s by hand", where, v.Value, want))
	case v.Kind == yaml.MappingNode && v.Style&yaml.FlowStyle != 0:
		p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("%s: permissions is a flow mapping; add %s by hand", where, want))
	case v.Kind == yaml.MappingNode:
		sk, sv := mapValue(v, scope)
		if sk != nil {
			if sv.Value == level || sv.Value == "write" {
				p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("%s: already has %s: %s", where, scope, sv.Value))
				return
			}
			i := sv.Line - 1
			line := p.current(i)
			p.replace(i, line[:sv.Column-1]+level+line[sv.Column-1+len(sv.Value):])
		} else {
			p.insert(p.lastLineOf(v)+1, keyIndent(v)+want)
		}
		p.res.Applied = append(p.res.Applied, fmt.Sprintf("%s: permissions: %s", where, want))
	}
}

// workflowGrants reports whether the workflow-level permissions grant
// scope at level (write includes read).
func workflowGrants(root *yaml.Node, scope, level string) bool {
	_, wv := mapValue(root, "permissions")
	switch {
	case wv == nil:
		return false
	case wv.Kind == yaml.ScalarNode:
		return wv.Value == "write-all" || wv.Value == "read-all" && level == "read"
	case wv.Kind == yaml.MappingNode:
		_, v := mapValue(wv, scope)
		return v != nil && (v.Value == level || v.Value == "write")
	}
	return false
}

func trimAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.TrimSpace(s)
	}
	return out
}

var conanInstall = regexp.MustCompile(`\bconan (?:install|create)\b`)

func (p *patcher) conanBuildMissing(only string) {
	for _, j := range p.jobs(only) {
		for _, s := range steps(j) {
			_, run := mapValue(s, "run")
			if run == nil || !conanInstall.MatchString(run.Value) {
				continue
			}
			first, last := run.Line-1, run.Line-1
			if run.Style == yaml.LiteralStyle || run.Style == yaml.FoldedStyle {
				first, last = run.Line, p.lastLineOf(run)
			}
			for i := first; i <= last && i < len(p.lines); i++ {
				line := p.current(i)
				loc := conanInstall.FindStringIndex(line)
				if loc == nil || strings.Contains(commandOf(p.lines, i), "--build") {
					continue
				}
				p.replace(i, line[:loc[1]]+" --build=missing"+line[loc[1]:])
				p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: --build=missing added to %q (line %d)", j.id,
					strings.TrimSpace(line), i+1))
			}
		}
	}
}

// commandOf returns line i joined with its backslash continuations.
func commandOf(lines []string, i int) string {
	var b strings.Builder
	for ; i < len(lines); i++ {
		b.WriteString(lines[i])
		if !strings.HasSuffix(strings.TrimRight(lines[i], " "), "\\") {
			break
		}
	}
	return b.String()
}

func (p *patcher) addConanCache(only string) {
	for _, j := range p.jobs(only) {
		ss := steps(j)
		if hasConanCache(ss) {
			p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("job %s already caches Conan packages", j.id))
			continue
		}
		for _, s := range ss {
			_, run := mapValue(s, "run")
			if run == nil || !conanInstall.MatchString(run.Value) {
				continue
			}
			// The new step goes above the comments of the step it precedes,
			// which keep describing that step.
			line := p.lines[s.Line-1]
			dash := line[:strings.Index(line, "-")]
			body := strings.Repeat(" ", s.Column-1)
			path := conanCachePath(p.root, j, ss)
			p.insert(p.above(s),
				dash+"- name: Cache Conan packages",
				body+"uses: actions/cache@v4",
				body+"with:",
				body+"  path: "+path,
				body+"  key: conan-${{ runner.os }}-${{ hashFiles('**/conanfile.py', '**/conanfile.txt', '**/conan.lock') }}",
				body+"  restore-keys: conan-${{ runner.os }}-")
			p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: actions/cache step for %s before line %d", j.id, path, s.Line))
			break
		}
	}
}

// conan1 matches an install of Conan 1 ("conan==1.66", "conan<2").
var conan1 = regexp.MustCompile(`\bconan\s*(?:==\s*1\.|<\s*2|~=\s*1\.|<=\s*1\.)`)

// conanCachePath is the package cache of the Conan the job runs: Conan 2
// keeps packages in $CONAN_HOME/p (default ~/.conan2/p), Conan 1 in
// $CONAN_USER_HOME/.conan/data (default ~/.conan/data). A home set in the
// workflow's or the job's env is where the cache is; the cache step sees
// those variables as env.*.
func conanCachePath(root *yaml.Node, j job, ss []*yaml.Node) string {
	v1 := false
	for _, s := range ss {
		if _, run := mapValue(s, "run"); run != nil && conan1.MatchString(run.Value) {
			v1 = true
		}
	}
	home, sub, def := "CONAN_HOME", "/p", "~/.conan2/p"
	if v1 {
		home, sub, def = "CONAN_USER_HOME", "/.conan/data", "~/.conan/data"
	}
	for _, owner := range []*yaml.Node{j.node, root} {
		_, env := mapValue(owner, "env")
		if k, _ := mapValue(env, home); k != nil {
			return "${{ env." + home + " }}" + sub
		}
	}
	return def
}

func hasConanCache(ss []*yaml.Node) bool {
	for _, s := range ss {
		_, uses := mapValue(s, "uses")
		_, with := mapValue(s, "with")
		_, path := mapValue(with, "path")
		if uses != nil && strings.HasPrefix(uses.Value, "actions/cache@") && path != nil &&
			(strings.Contains(path.Value, ".conan") || strings.Contains(path.Value, "CONAN_")) {
			return true
		}
	}
	return false
}

// FixRequests turns findings into patch requests: the fix each finding's rule
// names, with the permission a "Resource not accessible" finding needs when
// its text or context shows which one.
func FixRequests(findings []classify.Finding) []PatchRequest {
	var out []PatchRequest
	seen := map[string]bool{}
	add := func(r PatchRequest) {
		k := fmt.Sprintf("%s|%s|%s", r.Fix, r.Job, r.Permission)
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	for _, f := range findings {
		switch f.Fix {
		case "":
		case classify.FixAddPermission:
			if perm := neededPermission(f); perm != "" {
				add(PatchRequest{Fix: f.Fix, Permission: perm})
			}
		case classify.FixConanBuildMissing:
			add(PatchRequest{Fix: classify.FixConanBuildMissing})
			add(PatchRequest{Fix: classify.FixAddConanCache})
		case classify.FixAddTimeout:
			add(PatchRequest{Fix: f.Fix, LimitMinutes: timeoutLimit(f.Text)})
		default:
			add(PatchRequest{Fix: f.Fix})
		}
	}
	return out
}

func neededPermission(f classify.Finding) string {
	all := f.Text
	for _, c := range f.Context {
		all += "\n" + c.Text
	}
	switch {
	case f.RuleID == "workflow.missing_id_token":
		return "id-token: write"
	case strings.Contains(all, "denied to github-actions[bot]"):
		return "contents: write"
	case f.RuleID == "deployment.registry_push_denied" && strings.Contains(all, "ghcr.io"):
		return "packages: write"
	case strings.Contains(all, "/issues") || strings.Contains(all, "issues.create"):
		return "issues: write"
	case strings.Contains(all, "/pulls") || strings.Contains(all, "Labelable") || strings.Contains(all, "gh pr "):
		return "pull-requests: write"
	case strings.Contains(all, "/dispatches"):
		return "contents: write"
	case strings.Contains(all, "/actions/"):
		return "actions: write"
	}
	return ""
}

// ErrNoFix is returned when no requested fix applies to the workflow.
var ErrNoFix = errors.New("no mechanical fix applies")

// fixNames lists the allowed fix names for error messages.
func fixNames() string {
	names := make([]string, len(classify.Fixes))
	for i, f := range classify.Fixes {
		names[i] = string(f)
	}
	return strings.Join(names, ", ")
}
