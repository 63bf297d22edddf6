package stale

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Analysis is stale_analysis.json: the part other actions read
// (pkg/contract StaleAnalysis, with the envelope) and this action's own
// detail.
type Analysis struct {
	contract.StaleAnalysis
	Budget      Budget            `json:"budget"`
	Policies    map[string]Policy `json:"policies"`
	ConfigFiles map[string]string `json:"config_files,omitempty"`
	Plan        *Plan             `json:"plan"`
	// Identity is the login the token acts as and how it was found.
	Identity Identity `json:"identity"`
	// Listings says, per repository, how items that needed more than their
	// list entry were answered.
	Listings map[string]string   `json:"listings,omitempty"`
	API      any                 `json:"api,omitempty"`
	Outputs  map[string][]Output `json:"-"`
}

// Summary are the headline numbers.
type Summary = contract.StaleSummary

// Entry is one stale item in the report.
type Entry = contract.StaleEntry

// Deletion is a deleted (or, in a dry run, to-be-deleted) branch and how
// to restore it.
type Deletion = contract.Deletion

// ProducerAction is the action named as the producer of the report.
const ProducerAction = "action-stale"

// Output is one element of the JSON-array outputs.
type Output struct {
	Repository string `json:"repository"`
	Number     int    `json:"number,omitempty"`
	URL        string `json:"url,omitempty"`
	Branch     string `json:"branch,omitempty"`
	SHA        string `json:"sha,omitempty"`
	Restore    string `json:"restore,omitempty"`
}

// OutputNames are the action's JSON-array outputs, always all written.
var OutputNames = []string{"staled_prs", "closed_prs", "staled_issues", "closed_issues", "deleted_branches", "warned_branches"}

// succeeded reports whether the item's decision took effect (in a dry run:
// is planned).
func succeeded(plan *Plan, it *PlannedItem) bool {
	if plan.DryRun {
		return true
	}
	return it.Error == "" && len(it.Executed) == len(it.Calls)
}

// Analyze builds the report from an executed (or dry-run) plan.
func Analyze(plan *Plan, states []*RepoState, errs []RepoError, repository string, api any) *Analysis {
	a := &Analysis{StaleAnalysis: contract.StaleAnalysis{Timestamp: plan.GeneratedAt, Repository: repository, DryRun: plan.DryRun,
		Errors: errs, StalePRs: []Entry{}, StaleIssues: []Entry{}, StaleBranches: []Entry{}, Deletions: []Deletion{},
		Recommendations: []string{}, Findings: []contract.Finding{}},
		Plan: plan, Budget: plan.Budget, API: api, Policies: map[string]Policy{}, ConfigFiles: map[string]string{},
		Outputs: map[string][]Output{}}
	if a.Errors == nil {
		a.Errors = []RepoError{}
	}
	for _, n := range OutputNames {
		a.Outputs[n] = []Output{}
	}
	for _, rs := range states {
		if rs.Listings != "" {
			if a.Listings == nil {
				a.Listings = map[string]string{}
			}
			a.Listings[rs.Repo.String()] = rs.Listings
		}
		a.Repositories = append(a.Repositories, rs.Repo.String())
		a.Policies[rs.Repo.String()] = rs.Policy
		if rs.ConfigSource != "" {
			a.ConfigFiles[rs.Repo.String()] = rs.ConfigSource
		}
	}
	for _, e := range errs {
		a.Repositories = append(a.Repositories, e.Repository)
	}
	sort.Strings(a.Repositories)
	trackingOK := map[string]bool{}
	for _, t := range plan.Tracking {
		trackingOK[t.Repository] = plan.DryRun || t.Call == nil || (t.Executed != nil && t.Executed.Error == "")
	}
	s := &a.Summary
	for _, it := range plan.Items {
		ok := succeeded(plan, it)
		if it.Error != "" {
			s.Failed++
		}
		if it.Incomplete != "" {
			s.Deferred++
		}
		switch it.Decision {
		case DecisionWarn:
			if ok {
				s.Warned++
			}
		case DecisionUnstale:
			if ok {
				s.Unstaled++
			}
		case DecisionClose:
			if ok {
				s.Closed++
				if it.Kind == KindIssue {
					s.ClosedIssues++
				}
			}
		case DecisionDelete:
			if ok {
				s.Deleted++
			}
		case DecisionSkipBudget:
			s.Deferred++
		}
		out := Output{Repository: it.Repository, Number: it.Number, URL: it.URL}
		switch {
		case it.Kind == KindPR && it.Decision == DecisionWarn && ok:
			a.Outputs["staled_prs"] = append(a.Outputs["staled_prs"], out)
		case it.Kind == KindPR && it.Decision == DecisionClose && ok:
			out.Restore = it.Restore
			a.Outputs["closed_prs"] = append(a.Outputs["closed_prs"], out)
		case it.Kind == KindIssue && it.Decision == DecisionWarn && ok:
			a.Outputs["staled_issues"] = append(a.Outputs["staled_issues"], out)
		case it.Kind == KindIssue && it.Decision == DecisionClose && ok:
			out.Restore = it.Restore
			a.Outputs["closed_issues"] = append(a.Outputs["closed_issues"], out)
		case it.Kind == KindBranch && it.Decision == DecisionWarn && trackingOK[it.Repository]:
			a.Outputs["warned_branches"] = append(a.Outputs["warned_branches"], Output{Repository: it.Repository, Branch: it.Branch, SHA: it.SHA})
		case it.Kind == KindBranch && it.Decision == DecisionDelete:
			a.Deletions = append(a.Deletions, Deletion{Repository: it.Repository, Branch: it.Branch, SHA: it.SHA, Restore: it.Restore, Done: ok && !plan.DryRun, Error: it.Error})
			if ok {
				a.Outputs["deleted_branches"] = append(a.Outputs["deleted_branches"], Output{Repository: it.Repository, Branch: it.Branch, SHA: it.SHA, Restore: it.Restore})
			}
		}
		if !it.Stale {
			continue
		}
		e := Entry{Repository: it.Repository, Number: it.Number, Title: it.Title, URL: it.URL, Author: it.Author, Branch: it.Branch,
			SHA: it.SHA, LastActivity: it.LastActivity, InactiveDays: it.InactiveDays, WarnedAt: it.WarnedAt, ActionDate: it.ActionDate,
			Decision: string(it.Decision), Reason: it.Reason}
		a.Findings = append(a.Findings, staleFinding(it))
		switch it.Kind {
		case KindPR:
			a.StalePRs = append(a.StalePRs, e)
			s.TotalStalePRs++
			s.OldestPRDays = math.Max(s.OldestPRDays, it.InactiveDays)
		case KindIssue:
			a.StaleIssues = append(a.StaleIssues, e)
			s.TotalStaleIssues++
		case KindBranch:
			a.StaleBranches = append(a.StaleBranches, e)
			s.TotalStaleBranches++
			s.OldestBranchDays = math.Max(s.OldestBranchDays, it.InactiveDays)
		}
	}
	for _, it := range plan.Items {
		s.Writes += len(it.Executed)
	}
	for _, t := range plan.Tracking {
		if t.Executed != nil {
			s.Writes++
			if t.Executed.Error != "" {
				s.Failed++
			}
		}
	}
	if plan.DryRun {
		s.Writes = 0
	}
	for _, e := range errs {
		// Nothing of the repository was decided: as serious as a failure.
		f := contract.MissingData(e.Repository, "repository", e.Error, "", 0)
		f.Severity, f.Title = contract.SeverityHigh, "repository not processed"
		a.Findings = append(a.Findings, f)
	}
	a.Recommendations = recommend(plan, states, errs)
	return a
}

// staleFinding is the finding of one stale item: its repository, what it
// is, how long it has been inactive and what the run decided.
func staleFinding(it *PlannedItem) contract.Finding {
	what := fmt.Sprintf("%s #%d", it.Kind.Noun(), it.Number)
	if it.Kind == KindBranch {
		what = "branch " + it.Branch
	}
	return contract.Finding{Domain: it.Repository, Category: contract.CategoryStale, Severity: contract.SeverityLow,
		Title: what + " is stale", Text: fmt.Sprintf("%s inactive for %.0f days (decision: %s)", what, it.InactiveDays, it.Decision),
		Fingerprint: contract.FactFingerprint(it.Repository, string(contract.CategoryStale), what)}
}

func recommend(plan *Plan, states []*RepoState, errs []RepoError) []string {
	out := []string{}
	closeOff, deleteOff := 0, 0
	for _, it := range plan.Items {
		if !it.Stale || it.Decision != DecisionNone {
			continue
		}
		if strings.Contains(it.Reason, "close_prs: false") || strings.Contains(it.Reason, "close_issues: false") {
			closeOff++
		}
		if strings.Contains(it.Reason, "delete_branches: false") {
			deleteOff++
		}
	}
	if closeOff > 0 {
		out = append(out, fmt.Sprintf("%d warned pull requests/issues stay open because closing is off; set close_prs: true (close_issues: true) to close them after the grace period.", closeOff))
	}
	if deleteOff > 0 {
		out = append(out, fmt.Sprintf("%d warned branches stay because deleting is off; review the tracking issue and set delete_branches: true (needs contents: write) to delete them.", deleteOff))
	}
	switch {
	case plan.Budget.RequestsExhausted:
		out = append(out, fmt.Sprintf("The request budget ran out: %d items deferred to the next run (oldest first); a full pass takes about %d runs at this budget. Keep cache_dir with actions/cache so later runs do not read again what did not change.", plan.Budget.Deferred, plan.Budget.RunsForPass))
	case plan.Budget.Exhausted:
		out = append(out, fmt.Sprintf("operations_per_run (%d) was exhausted: %d items deferred to the next run (oldest first); raise operations_per_run or run more often to finish the backlog sooner.", plan.Budget.Limit, plan.Budget.Deferred))
	}
	if n := plan.Count("", DecisionSkipFailure); n > 0 {
		out = append(out, fmt.Sprintf("%d items could not be read and were skipped; they are retried on the next run.", n))
	}
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%s was not processed: %s", e.Repository, e.Error))
	}
	if plan.DryRun {
		out = append(out, "This was a dry run: nothing was written. Run with dry_run: false to perform the plan above.")
	}
	return out
}

// Markdown renders stale_analysis.md (also the job summary). Every value
// from GitHub is escaped: titles, logins and branch names are untrusted.
func (a *Analysis) Markdown() string {
	var b strings.Builder
	mode := ""
	if a.DryRun {
		mode = " (dry run: nothing was written)"
	}
	fmt.Fprintf(&b, "## Stale pull requests and branches%s\n\n", mode)
	fmt.Fprintf(&b, "%s across %d repositories.\n\n", a.Timestamp.UTC().Format(time.RFC3339), len(a.Repositories))
	s := a.Summary
	sum := report.Table{Header: []string{"Stale PRs", "Stale issues", "Stale branches", "Oldest PR (days)", "Oldest branch (days)", "Warned", "Un-staled", "Closed", "Deleted", "Deferred (budget)", "Failed"}}
	sum.Rows = [][]string{{fmt.Sprint(s.TotalStalePRs), fmt.Sprint(s.TotalStaleIssues), fmt.Sprint(s.TotalStaleBranches),
		fmt.Sprintf("%.1f", s.OldestPRDays), fmt.Sprintf("%.1f", s.OldestBranchDays), fmt.Sprint(s.Warned), fmt.Sprint(s.Unstaled),
		fmt.Sprint(s.Closed), fmt.Sprint(s.Deleted), fmt.Sprint(s.Deferred), fmt.Sprint(s.Failed)}}
	b.WriteString(sum.Markdown())
	bu := a.Budget
	fmt.Fprintf(&b, "\nWrite budget: %d of operations_per_run %d used", bu.Planned, bu.Limit)
	if bu.Exhausted {
		fmt.Fprintf(&b, " — **exhausted**, %d items deferred to the next run", bu.Deferred)
	}
	b.WriteString(".\n")
	if bu.RateLimit > 0 {
		fmt.Fprintf(&b, "\nRequests: %d spent (%d content-creating) of the %d of %d left when the run started", bu.Requests, bu.ContentWrites, bu.RateRemaining, bu.RateLimit)
		if bu.RequestsExhausted {
			fmt.Fprintf(&b, " — **spent**, %d items deferred (about %d requests)", bu.Deferred, bu.DeferredRequests)
		}
		if bu.RunsForPass > 1 {
			fmt.Fprintf(&b, "; a full pass takes about %d runs at this budget", bu.RunsForPass)
		}
		b.WriteString(".\n")
	}
	if bu.Stopped != "" {
		fmt.Fprintf(&b, "\nGitHub stopped the run: %s.\n", report.Markdown(bu.Stopped))
	}
	if a.Identity.Login != "" {
		fmt.Fprintf(&b, "\nActing as %s (%s).\n", report.Code(a.Identity.Login), report.Markdown(a.Identity.Source))
	}
	if nd := a.NotDone(); len(nd) > 0 {
		b.WriteString("\n### Not done\n\n")
		for _, line := range nd {
			fmt.Fprintf(&b, "- %s\n", report.Markdown(line))
		}
	}

	entries := func(title string, es []Entry, branch bool) {
		if len(es) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s\n\n", title)
		t := report.Table{Header: []string{"Repository", "Item", "Author", "Inactive (days)", "Warned", "Decision", "Reason"}}
		for _, e := range es {
			item := fmt.Sprintf("#%d %s", e.Number, report.Markdown(e.Title))
			if branch {
				item = report.Code(e.Branch)
			}
			warned := ""
			if e.WarnedAt != nil {
				warned = day(*e.WarnedAt)
			}
			t.Rows = append(t.Rows, []string{report.Markdown(e.Repository), item, report.Markdown(e.Author),
				fmt.Sprintf("%.1f", e.InactiveDays), warned, string(e.Decision), report.Markdown(e.Reason)})
		}
		b.WriteString(t.Markdown())
	}
	entries("Stale pull requests", a.StalePRs, false)
	entries("Stale issues", a.StaleIssues, false)
	entries("Stale branches", a.StaleBranches, true)

	if len(a.Deletions) > 0 {
		b.WriteString("\n### Deleted branches\n\nEach can be restored with the command shown.\n\n")
		t := report.Table{Header: []string{"Repository", "Branch", "Last commit", "Done", "Restore with"}}
		for _, d := range a.Deletions {
			done := "yes"
			if !d.Done {
				done = "no"
				if d.Error != "" {
					done = "failed: " + report.Markdown(d.Error)
				}
			}
			t.Rows = append(t.Rows, []string{report.Markdown(d.Repository), report.Code(d.Branch), report.Code(d.SHA), done, report.Code(d.Restore)})
		}
		b.WriteString(t.Markdown())
	}
	if len(a.Errors) > 0 {
		b.WriteString("\n### Repositories not processed\n\n")
		for _, e := range a.Errors {
			fmt.Fprintf(&b, "- %s: %s\n", report.Markdown(e.Repository), report.Markdown(e.Error))
		}
	}
	if len(a.Recommendations) > 0 {
		b.WriteString("\n### Recommendations\n\n")
		for _, r := range a.Recommendations {
			fmt.Fprintf(&b, "- %s\n", report.Markdown(r))
		}
	}
	var planLines strings.Builder
	for _, it := range a.Plan.Items {
		if len(it.Calls) == 0 {
			continue
		}
		for _, c := range it.Calls {
			fmt.Fprintf(&planLines, "- %s %s: %s — %s\n", report.Markdown(string(it.Decision)), report.Code(c.String()), report.Markdown(c.Summary), report.Markdown(it.Reason))
		}
	}
	for _, t := range a.Plan.Tracking {
		if t.Call != nil {
			fmt.Fprintf(&planLines, "- tracking issue %s: %s\n", report.Code(t.Call.String()), report.Markdown(t.Reason))
		}
	}
	if planLines.Len() > 0 {
		b.WriteString("\n")
		b.WriteString(report.Details("Planned API calls", planLines.String()))
	}
	return b.String()
}

// NotDone lists, one line each, the writes that failed: what was not done
// and why (the step fails with one annotation per line).
func (a *Analysis) NotDone() []string {
	var out []string
	if a.DryRun || a.Plan == nil {
		return nil
	}
	for _, it := range a.Plan.Items {
		if it.Error == "" {
			continue
		}
		what := string(it.Decision)
		if len(it.Executed) > 0 {
			last := it.Executed[len(it.Executed)-1]
			what = fmt.Sprintf("%s (%s: %s)", what, last.String(), last.Summary)
		}
		out = append(out, fmt.Sprintf("%s: %s %s not done: %s", it.Repository, what, label(it), it.Error))
	}
	for _, t := range a.Plan.Tracking {
		if t.Executed != nil && t.Executed.Error != "" {
			out = append(out, fmt.Sprintf("%s: tracking issue not written (%s): %s", t.Repository, t.Executed.String(), t.Executed.Error))
		}
	}
	return out
}
