package fixer

import (
	"context"
	"regexp"
	"strings"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"gopkg.in/yaml.v3"
)

// expression matches a ${{ … }} expression in a job's name template.
var expression = regexp.MustCompile(`\$\{\{.*?\}\}`)

// WorkflowJobID returns the id (the key under jobs:) of the job of a
// workflow file that ran as jobName, the name GitHub shows for the job in
// a run and in its log. A job matches by its id, by its literal name, or
// by its name template with expressions standing for any text
// ("build (${{ matrix.os }})" matches "build (ubuntu-22.04)"); a matrix job
// without a name runs as "<id> (<matrix values>)". Exact matches win over
// templates; an ambiguous or unknown name returns "".
func WorkflowJobID(src []byte, jobName string) string {
	jobName = strings.TrimSpace(jobName)
	if jobName == "" {
		return ""
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return ""
	}
	_, jobs := mapValue(doc.Content[0], "jobs")
	if jobs == nil || jobs.Kind != yaml.MappingNode {
		return ""
	}
	var templated []string
	for i := 0; i+1 < len(jobs.Content); i += 2 {
		id, body := jobs.Content[i].Value, jobs.Content[i+1]
		_, name := mapValue(body, "name")
		if name != nil && name.Kind == yaml.ScalarNode && name.Value != "" {
			if name.Value == jobName {
				return id
			}
			if expression.MatchString(name.Value) && templateMatches(name.Value, jobName) {
				templated = append(templated, id)
			}
			continue
		}
		if id == jobName {
			return id
		}
		// A matrix job without a name: "<id> (<values>)"; a reusable
		// workflow's jobs run as "<id> / <called job>".
		if strings.HasPrefix(jobName, id+" (") && strings.HasSuffix(jobName, ")") || strings.HasPrefix(jobName, id+" / ") {
			templated = append(templated, id)
		}
	}
	if len(templated) == 1 {
		return templated[0]
	}
	return ""
}

// templateMatches reports whether name is what the template renders to for
// some values of its expressions.
func templateMatches(template, name string) bool {
	var b strings.Builder
	b.WriteString("^")
	last := 0
	for _, loc := range expression.FindAllStringIndex(template, -1) {
		b.WriteString(regexp.QuoteMeta(template[last:loc[0]]))
		b.WriteString(".*?")
		last = loc[1]
	}
	b.WriteString(regexp.QuoteMeta(template[last:]))
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	return err == nil && re.MatchString(name)
}

// WorkflowSource is the optional part of API that reads workflow files and
// runs, used to patch a workflow that is not checked out locally.
type WorkflowSource interface {
	// RunWorkflow returns the workflow file path and head commit of a run.
	RunWorkflow(ctx context.Context, repository string, runID int64) (path, headSHA string, err error)
	// Job reads one job: its run, name, conclusion and failed (or, when
	// it timed out, running) step.
	Job(ctx context.Context, repository string, jobID int64) (JobRef, error)
	// FileContents reads a file at ref ("" = the default branch) and
	// returns its text and blob SHA.
	FileContents(ctx context.Context, repository, path, ref string) ([]byte, string, error)
}

// fixRequestsForJobs is FixRequests with each request limited to the job of
// the workflow that failed (jobID maps a finding's job name to the job id;
// an unknown name leaves the fix to every job it applies to).
func fixRequestsForJobs(findings []classify.Finding, jobID func(name string) string) []PatchRequest {
	var out []PatchRequest
	seen := map[string]bool{}
	for _, f := range findings {
		job := ""
		if jobID != nil && f.Job != "" {
			job = jobID(f.Job)
		}
		for _, r := range FixRequests([]classify.Finding{f}) {
			r.Job = job
			k := string(r.Fix) + "|" + r.Job + "|" + r.Permission
			if !seen[k] {
				seen[k] = true
				out = append(out, r)
			}
		}
	}
	return out
}
