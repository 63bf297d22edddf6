package fixer

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// The artifact actions' v4 is not a drop-in replacement for v1–v3
// (https://github.com/actions/upload-artifact/blob/main/docs/MIGRATION.md,
// https://github.blog/changelog/2023-12-14-github-actions-artifacts-v4-is-now-generally-available):
//
//   - v4 downloads cannot read artifacts uploaded by v3 and below, and the
//     reverse: every upload and download of a run moves together.
//   - v4 artifacts are immutable: a second upload to a name fails with
//     "(409) Conflict: an artifact with this name already exists on the
//     workflow run". Matrix legs and several jobs (or steps) that shared a
//     name in v3 get one name each, and the downloads that read the name
//     read them all with pattern: <name>-* and merge-multiple: true, which
//     lays the files out as v3 did.
//   - upload-artifact v4.4.0 and later leave hidden files out: a path that
//     names a hidden file or directory needs include-hidden-files: true.
//   - download-artifact v1 put a named artifact under ./<name>/ when no path
//     was given; v2 and later download into the working directory.
//
// Since 2025-01-30 GitHub fails every job that uses v3 or below
// (https://github.blog/changelog/2024-04-16-deprecation-notice-v3-of-the-artifact-actions/),
// so the upgrade moves every artifact step of the workflow, whatever job
// failed, or none when one of them cannot be moved.

// artifactUses matches an artifact action reference; group 1 is the action,
// group 2 the ref.
var artifactUses = regexp.MustCompile(`^(actions/(?:upload|download)-artifact)@(\S+)$`)

// majorRef matches a version tag: v3, v3.1, v3.1.3.
var majorRef = regexp.MustCompile(`^v(\d+)(?:\.\d+){0,2}$`)

// shaRef matches a full commit SHA.
var shaRef = regexp.MustCompile(`^[0-9a-f]{40}$`)

// commentVersion finds the version a pin's comment names ("# v3.1.3").
var commentVersion = regexp.MustCompile(`#\s*v?(\d+)(?:\.\d+){0,2}\b`)

// artifactNameForbidden are the characters upload-artifact refuses in a
// name (and in path-derived names): a matrix value with one of them cannot
// go into a name.
const artifactNameForbidden = "\":<>|*?\r\n\\/"

type artifactStep struct {
	job      job
	step     *yaml.Node
	uses     *yaml.Node
	upload   bool
	ref      string
	major    int // 1..n; 0 = a ref the fixer cannot read (branch, SHA without a version comment)
	with     *yaml.Node
	nameKey  *yaml.Node
	nameNode *yaml.Node
	name     string // the artifact name; "" for a download of every artifact
	// newName is the name a conflicting upload gets.
	newName string
}

func (s *artifactStep) action() string {
	if s.upload {
		return "actions/upload-artifact"
	}
	return "actions/download-artifact"
}

func (p *patcher) artifactSteps() []*artifactStep {
	var out []*artifactStep
	for _, j := range p.jobs("") {
		for _, s := range steps(j) {
			_, uses := mapValue(s, "uses")
			if uses == nil {
				continue
			}
			m := artifactUses.FindStringSubmatch(uses.Value)
			if m == nil {
				continue
			}
			a := &artifactStep{job: j, step: s, uses: uses, upload: strings.HasSuffix(m[1], "upload-artifact"), ref: m[2]}
			switch ref := m[2]; {
			case majorRef.MatchString(ref):
				fmt.Sscanf(majorRef.FindStringSubmatch(ref)[1], "%d", &a.major)
			case shaRef.MatchString(ref):
				if c := commentVersion.FindStringSubmatch(uses.LineComment); c != nil {
					fmt.Sscanf(c[1], "%d", &a.major)
				}
			}
			_, a.with = mapValue(s, "with")
			a.nameKey, a.nameNode = mapValue(a.with, "name")
			if a.nameNode != nil {
				a.name = a.nameNode.Value
			} else if a.upload && a.major != 1 {
				a.name = "artifact" // upload-artifact's default name
			}
			out = append(out, a)
		}
	}
	return out
}

// upgradeArtifacts moves every artifact step of the workflow to v4 and
// makes the changes v4's semantics need (see the comment at the top).
func (p *patcher) upgradeArtifacts() {
	all := p.artifactSteps()
	var old []*artifactStep
	var blockers []string
	for _, a := range all {
		if a.major == 0 || a.major >= 4 {
			continue // v4 and later, a branch, or a commit of unknown version
		}
		old = append(old, a)
		if shaRef.MatchString(a.ref) {
			blockers = append(blockers, fmt.Sprintf("job %s line %d: %s is pinned to a commit (%s); pin a v4 release by hand",
				a.job.id, a.uses.Line, a.action(), strings.TrimSpace(a.uses.LineComment)))
		}
	}
	if len(old) == 0 {
		return
	}
	isOld := map[*artifactStep]bool{}
	for _, a := range old {
		isOld[a] = true
	}

	// Uploads that share a name in v4 conflict: give each its own.
	byName := map[string][]*artifactStep{}
	var names []string
	for _, a := range all {
		if !a.upload || a.name == "" {
			continue
		}
		if byName[a.name] == nil {
			names = append(names, a.name)
		}
		byName[a.name] = append(byName[a.name], a)
	}
	renamed := map[string][]*artifactStep{}
	for _, name := range names {
		ups := byName[name]
		if len(ups) == 1 && (!isMatrix(ups[0].job) || perLeg(name)) || !slices.ContainsFunc(ups, func(a *artifactStep) bool { return isOld[a] }) {
			continue
		}
		jobs := map[string]int{}
		for _, a := range ups {
			jobs[a.job.id]++
		}
		seen := map[string]int{}
		for _, a := range ups {
			var parts []string
			if len(jobs) > 1 {
				parts = append(parts, a.job.id)
			}
			if jobs[a.job.id] > 1 {
				seen[a.job.id]++
				parts = append(parts, fmt.Sprint(seen[a.job.id]))
			}
			if isMatrix(a.job) && !perLeg(name) {
				parts = append(parts, matrixSuffix(a.job))
			}
			a.newName = name + "-" + strings.Join(parts, "-")
			if a.with == nil || a.with.Kind != yaml.MappingNode || len(a.with.Content) == 0 || a.with.Style&yaml.FlowStyle != 0 {
				blockers = append(blockers, fmt.Sprintf("job %s line %d: artifact %q needs a name of its own in v4 but with: is a flow mapping; rename it by hand",
					a.job.id, a.uses.Line, name))
			}
		}
		renamed[name] = ups
	}
	for _, a := range all {
		if a.upload || a.name == "" || renamed[a.name] == nil || a.with == nil || a.with.Style&yaml.FlowStyle == 0 {
			continue
		}
		blockers = append(blockers, fmt.Sprintf("job %s line %d: the download of %q needs pattern and merge-multiple but with: is a flow mapping; change it by hand",
			a.job.id, a.uses.Line, a.name))
	}
	if len(blockers) > 0 {
		// v4 cannot read v3 artifacts, nor v3 v4's: half an upgrade breaks
		// the workflow in a new way.
		for _, b := range blockers {
			p.res.Skipped = append(p.res.Skipped, "artifact upgrade not made: "+b)
		}
		return
	}

	for _, a := range old {
		i := a.uses.Line - 1
		line := p.current(i)
		from := a.uses.Value
		to := artifactUses.FindStringSubmatch(from)[1] + "@v4"
		p.replace(i, strings.Replace(line, from, to, 1))
		p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: %s → %s (line %d)", a.job.id, from, to, a.uses.Line))
	}
	for _, name := range names {
		ups := renamed[name]
		if ups == nil {
			continue
		}
		for _, a := range ups {
			if a.nameNode != nil {
				p.replaceScalar(a.nameNode, a.newName)
			} else {
				p.insert(p.above(a.with.Content[0]), keyIndent(a.with)+"name: "+a.newName)
			}
			p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: artifact %q uploaded as %q (line %d): v4 artifacts are immutable, a second upload to one name fails",
				a.job.id, name, a.newName, a.uses.Line))
		}
		p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("artifact %q is now uploaded as %s: readers outside this workflow (the REST API, other workflows) need the new names, or merge them back with actions/upload-artifact/merge@v4",
			name, quoteAll(ups)))
	}
	for _, a := range all {
		if a.upload {
			if isOld[a] {
				p.hiddenFiles(a)
			}
			continue
		}
		ups := renamed[a.name]
		switch {
		case a.name == "" && len(renamed) > 0 && a.nameNode == nil:
			var rn []string
			for n := range renamed {
				rn = append(rn, fmt.Sprintf("%q", n))
			}
			sort.Strings(rn)
			p.res.Skipped = append(p.res.Skipped, fmt.Sprintf("job %s line %d downloads every artifact, each into a directory named after it: %s now arrive in one directory per upload",
				a.job.id, a.uses.Line, strings.Join(rn, ", ")))
		case ups != nil:
			var same []*artifactStep
			for _, u := range ups {
				if u.job.id == a.job.id && u.uses.Line < a.uses.Line {
					same = append(same, u)
				}
			}
			if len(same) == 1 {
				// The job reads back its own upload.
				p.replaceScalar(a.nameNode, same[0].newName)
				p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: download of %q reads %q, this job's upload (line %d)", a.job.id, a.name, same[0].newName, a.uses.Line))
				break
			}
			if k, _ := mapValue(a.with, "pattern"); k != nil {
				break
			}
			// "name: x" becomes "pattern: x-*" (its value first, then the key,
			// so the value's column still holds).
			i := a.nameKey.Line - 1
			p.replaceScalar(a.nameNode, a.name+"-*")
			line := p.current(i)
			p.replace(i, line[:a.nameKey.Column-1]+"pattern"+line[a.nameKey.Column-1+len("name"):])
			p.insert(i+1, strings.Repeat(" ", a.nameKey.Column-1)+"merge-multiple: true")
			p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: download of %q reads pattern %q with merge-multiple: true (line %d), the files of every upload in one directory as in v3",
				a.job.id, a.name, a.name+"-*", a.uses.Line))
		}
		if isOld[a] && a.major == 1 && a.nameNode != nil {
			if k, _ := mapValue(a.with, "path"); k == nil {
				// v1 made ./<name>/ when no path was given.
				p.insert(p.lastLineOf(a.with)+1, keyIndent(a.with)+"path: "+a.nameNode.Value)
				p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: download of %q keeps v1's directory: path: %s (line %d)", a.job.id, a.name, a.nameNode.Value, a.uses.Line))
			}
		}
	}
}

func quoteAll(ups []*artifactStep) string {
	var q []string
	for _, u := range ups {
		q = append(q, fmt.Sprintf("%q", u.newName))
	}
	return strings.Join(q, ", ")
}

// hiddenFiles adds include-hidden-files: true to an upload whose path names
// a hidden file or directory: v4.4.0 and later would upload nothing of it.
func (p *patcher) hiddenFiles(a *artifactStep) {
	_, path := mapValue(a.with, "path")
	if path == nil || path.Kind != yaml.ScalarNode || a.with.Style&yaml.FlowStyle != 0 {
		return
	}
	if k, _ := mapValue(a.with, "include-hidden-files"); k != nil {
		return
	}
	var hidden []string
	for _, l := range strings.Split(path.Value, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "!") {
			continue
		}
		for _, c := range strings.FieldsFunc(l, func(r rune) bool { return r == '/' || r == '\\' }) {
			if strings.HasPrefix(c, ".") && c != "." && c != ".." {
				hidden = append(hidden, l)
				break
			}
		}
	}
	if len(hidden) == 0 {
		return
	}
	p.insert(p.lastLineOf(a.with)+1, keyIndent(a.with)+"include-hidden-files: true")
	p.res.Applied = append(p.res.Applied, fmt.Sprintf("job %s: include-hidden-files: true (line %d): upload-artifact v4.4+ leaves out hidden files such as %s",
		a.job.id, a.uses.Line, strings.Join(hidden, ", ")))
}

// isMatrix reports whether a job runs as a matrix.
func isMatrix(j job) bool {
	_, st := mapValue(j.node, "strategy")
	k, _ := mapValue(st, "matrix")
	return k != nil
}

// perLeg reports whether an artifact name already differs per matrix leg.
func perLeg(name string) bool {
	for _, m := range expression.FindAllString(name, -1) {
		if strings.Contains(m, "matrix.") || strings.Contains(m, "matrix[") || strings.Contains(m, "strategy.job-index") {
			return true
		}
	}
	return false
}

// matrixSuffix names a matrix leg: its values, joined by "-", when the
// matrix is written out and its values can go into an artifact name;
// otherwise the leg's index.
func matrixSuffix(j job) string {
	_, st := mapValue(j.node, "strategy")
	_, m := mapValue(st, "matrix")
	if m == nil || m.Kind != yaml.MappingNode {
		return "${{ strategy.job-index }}"
	}
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	ok := true
	safe := func(v *yaml.Node) {
		if v.Kind != yaml.ScalarNode || strings.ContainsAny(v.Value, artifactNameForbidden) || strings.Contains(v.Value, "${{") {
			ok = false
		}
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		switch k.Value {
		case "exclude":
		case "include":
			if v.Kind != yaml.SequenceNode {
				ok = false
				continue
			}
			for _, e := range v.Content {
				if e.Kind != yaml.MappingNode {
					ok = false
					continue
				}
				for i := 0; i+1 < len(e.Content); i += 2 {
					add(e.Content[i].Value)
					safe(e.Content[i+1])
				}
			}
		default:
			add(k.Value)
			if v.Kind != yaml.SequenceNode {
				ok = false
				continue
			}
			for _, e := range v.Content {
				safe(e)
			}
		}
	}
	if !ok || len(keys) == 0 {
		return "${{ strategy.job-index }}"
	}
	var parts []string
	for _, k := range keys {
		if !matrixKey.MatchString(k) {
			return "${{ strategy.job-index }}"
		}
		parts = append(parts, "${{ matrix."+k+" }}")
	}
	return strings.Join(parts, "-")
}

// matrixKey matches a matrix key that can be written as matrix.<key>.
var matrixKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// replaceScalar rewrites a one-line scalar in place, keeping its quoting
// and whatever follows it on the line (a comment).
func (p *patcher) replaceScalar(n *yaml.Node, value string) {
	i := n.Line - 1
	line := p.current(i)
	start := n.Column - 1
	end := scalarEnd(line, start, n)
	var text string
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		text = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(value) + `"`
	case yaml.SingleQuotedStyle:
		text = "'" + strings.ReplaceAll(value, "'", "''") + "'"
	default:
		text = value
		if strings.HasPrefix(value, "*") || strings.HasPrefix(value, "&") || strings.HasPrefix(value, "!") {
			text = `"` + value + `"`
		}
	}
	p.replace(i, line[:start]+text+line[end:])
}

// scalarEnd is the index just past the scalar that starts at line[start].
func scalarEnd(line string, start int, n *yaml.Node) int {
	if start >= len(line) {
		return len(line)
	}
	switch line[start] {
	case '"':
		for i := start + 1; i < len(line); i++ {
			switch line[i] {
			case '\\':
				i++
			case '"':
				return i + 1
			}
		}
		return len(line)
	case '\'':
		for i := start + 1; i < len(line); i++ {
			if line[i] == '\'' {
				if i+1 < len(line) && line[i+1] == '\'' {
					i++
					continue
				}
				return i + 1
			}
		}
		return len(line)
	}
	if end := start + len(n.Value); end <= len(line) && line[start:end] == n.Value {
		return end
	}
	// A plain scalar ends at " #" or the end of the line.
	rest := line[start:]
	if i := strings.Index(rest, " #"); i >= 0 {
		return start + len(strings.TrimRight(rest[:i], " "))
	}
	return start + len(strings.TrimRight(rest, " "))
}
