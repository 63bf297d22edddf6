package monitor

import (
	"sort"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// FlakyJob is a job that failed and then passed on the same commit.
type FlakyJob = contract.FlakyJob

// Flakiness is the flaky-run analysis of one domain's runs.
type Flakiness struct {
	// Runs holds the ids of runs that count as flaky rather than as failures
	// or successes; they are set apart from the CI success rate.
	Runs map[int64]bool
	Jobs []FlakyJob
	// Rate is flaky runs ÷ concluded runs (success or failure class).
	Rate float64
}

// DetectFlaky finds flaky runs and jobs. A run is flaky when
//   - one of its jobs failed in an earlier attempt and passed in a later
//     attempt and the run finally succeeded, or
//   - it failed and a later run of the same workflow on the same head_sha
//     succeeded.
//
// Runs without jobs contribute only through the second rule.
func DetectFlaky(runs []WorkflowRun) Flakiness {
	type key struct{ workflow, job string }
	counts := map[key]int{}
	flaky := map[int64]bool{}
	note := func(r WorkflowRun, jobs []string) {
		seen := map[string]bool{}
		for _, j := range jobs {
			if seen[j] {
				continue
			}
			seen[j] = true
			counts[key{r.Name, j}]++
		}
	}

	// Rule 1: attempts within a run.
	for _, r := range runs {
		if !r.JobsKnown {
			continue
		}
		var names []string
		for name, attempts := range jobAttempts(r.Jobs) {
			failedAt := 0
			for _, j := range attempts {
				if isFailure(j.Conclusion) && failedAt == 0 {
					failedAt = j.Attempt
				}
				if isSuccess(j.Conclusion) && failedAt != 0 && j.Attempt > failedAt {
					names = append(names, name)
					break
				}
			}
		}
		if len(names) == 0 {
			continue
		}
		sort.Strings(names)
		note(r, names)
		if isSuccess(r.Conclusion) {
			flaky[r.ID] = true
		}
	}

	// Rule 2: a later run of the same workflow on the same commit passed.
	type group struct {
		workflow int64
		sha      string
	}
	byCommit := map[group][]WorkflowRun{}
	for _, r := range runs {
		if r.HeadSHA == "" {
			continue
		}
		g := group{r.WorkflowID, r.HeadSHA}
		byCommit[g] = append(byCommit[g], r)
	}
	for _, rs := range byCommit {
		sort.SliceStable(rs, func(i, j int) bool {
			if rs[i].CreatedAt.Equal(rs[j].CreatedAt) {
				return rs[i].ID < rs[j].ID
			}
			return rs[i].CreatedAt.Before(rs[j].CreatedAt)
		})
		for i, r := range rs {
			if !isFailure(r.Conclusion) || flaky[r.ID] {
				continue
			}
			for _, later := range rs[i+1:] {
				if isSuccess(later.Conclusion) {
					flaky[r.ID] = true
					note(r, failedJobNames(r))
					break
				}
			}
		}
	}

	out := Flakiness{Runs: flaky}
	for k, n := range counts {
		out.Jobs = append(out.Jobs, FlakyJob{Workflow: k.workflow, Job: k.job, Count: n})
	}
	sort.Slice(out.Jobs, func(i, j int) bool {
		a, b := out.Jobs[i], out.Jobs[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Workflow != b.Workflow {
			return a.Workflow < b.Workflow
		}
		return a.Job < b.Job
	})
	concluded := 0
	for _, r := range runs {
		if isFailure(r.Conclusion) || isSuccess(r.Conclusion) {
			concluded++
		}
	}
	if concluded > 0 {
		out.Rate = round3(float64(len(flaky)) / float64(concluded))
	}
	return out
}

// jobAttempts groups jobs by name, each group sorted by attempt.
func jobAttempts(jobs []Job) map[string][]Job {
	m := map[string][]Job{}
	for _, j := range jobs {
		m[j.Name] = append(m[j.Name], j)
	}
	for _, js := range m {
		sort.SliceStable(js, func(a, b int) bool { return attempt(js[a]) < attempt(js[b]) })
	}
	return m
}

func attempt(j Job) int {
	if j.Attempt == 0 {
		return 1
	}
	return j.Attempt
}

// latestJobs returns the jobs of the run's latest attempt present.
func latestJobs(r WorkflowRun) []Job {
	last := 0
	for _, j := range r.Jobs {
		if attempt(j) > last {
			last = attempt(j)
		}
	}
	var out []Job
	for _, j := range r.Jobs {
		if attempt(j) == last {
			out = append(out, j)
		}
	}
	return out
}

// failedJobNames lists the failed jobs of the run's latest attempt, or
// "(unknown job)" when its jobs were not read.
func failedJobNames(r WorkflowRun) []string {
	if !r.JobsKnown {
		return []string{"(unknown job)"}
	}
	var names []string
	for _, j := range latestJobs(r) {
		if isFailure(j.Conclusion) {
			names = append(names, j.Name)
		}
	}
	sort.Strings(names)
	return names
}
