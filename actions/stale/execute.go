package stale

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
)

// Executor performs a plan's calls and nothing else.
type Executor struct {
	GitHub *github.Client
	Now    time.Time
	// Logf receives one line per write and per deletion (with its restore
	// command). Arguments are untrusted; the caller's logger escapes them.
	Logf func(format string, args ...any)
}

// Execute makes every call of the plan in order: per repository, the items'
// calls (an item stops at its first failed call, so a failed comment is
// never followed by the label), then the tracking issue update. When a
// deletion failed, the tracking issue keeps that branch as warned instead of
// listing it as deleted; apart from that the calls are exactly the plan's.
func (e *Executor) Execute(ctx context.Context, plan *Plan) {
	for _, repo := range plan.repositories() {
		failedDeletes := map[string]bool{}
		for _, it := range plan.Items {
			if it.Repository != repo || len(it.Calls) == 0 {
				continue
			}
			if it.Decision == DecisionDelete {
				if reason := e.recheckBranch(ctx, it); reason != "" {
					it.Error = reason
					failedDeletes[it.Branch] = true
					e.logf("%s: did not delete branch %s: %s (nothing deleted)", repo, it.Branch, reason)
					continue
				}
			}
			for _, c := range it.Calls {
				ec := e.do(ctx, c)
				it.Executed = append(it.Executed, ec)
				if ec.Error != "" {
					it.Error = ec.Error
					break
				}
			}
			switch {
			case it.Error != "" && it.Decision == DecisionDelete:
				failedDeletes[it.Branch] = true
				e.logf("%s: failed to delete branch %s: %s (nothing deleted)", repo, it.Branch, it.Error)
			case it.Error != "":
				e.logf("%s: %s %s failed: %s", repo, it.Decision, label(it), it.Error)
			case it.Decision == DecisionDelete:
				e.logf("%s: deleted branch %s at %s; restore with: %s", repo, it.Branch, it.SHA, it.Restore)
			case it.Decision == DecisionClose:
				e.logf("%s: closed %s; reopen with: %s", repo, label(it), it.Restore)
			default:
				e.logf("%s: %s %s", repo, it.Decision, label(it))
			}
		}
		t := plan.tracking(repo)
		if t == nil {
			continue
		}
		if len(failedDeletes) > 0 {
			t.rebuild(e.Now, failedDeletes)
		}
		if t.Call == nil {
			continue
		}
		ec := e.do(ctx, *t.Call)
		t.Executed = &ec
		if ec.Error != "" {
			e.logf("%s: failed to write the tracking issue: %s (branches stay unwarned until the next run)", repo, ec.Error)
		} else {
			e.logf("%s: %s", repo, t.Reason)
		}
	}
}

// recheckBranch reads the branch right before it is deleted (one GET, the
// only read Execute makes) so that a branch that got a new commit, or
// became protected, since the plan was made is never deleted; it returns why
// the deletion is skipped, or "" to go ahead (also when the branch is gone
// already: the DELETE then finds nothing and counts as done). A pull request
// opened in the seconds between the plan and this read is not re-checked.
func (e *Executor) recheckBranch(ctx context.Context, it *PlannedItem) string {
	req, err := e.GitHub.NewRequest(http.MethodGet, "repos/"+it.Repository+"/branches/"+escapePath(it.Branch), nil)
	if err != nil {
		return fmt.Sprintf("failed to build the branch re-check: %v", err)
	}
	var b github.Branch
	if _, err := e.GitHub.Do(ctx, req, &b); err != nil {
		if ghclient.IsNotFound(err) {
			return ""
		}
		return "failed to re-check the branch before deleting it: " + ghclient.Reason(err)
	}
	switch {
	case b.GetCommit().GetSHA() != it.SHA:
		return fmt.Sprintf("the branch moved to %s since the plan (planned %s)", short(b.GetCommit().GetSHA()), short(it.SHA))
	case b.GetProtected():
		return "the branch became protected since the plan"
	}
	return ""
}

func label(it *PlannedItem) string {
	if it.Kind == KindBranch {
		return "branch " + it.Branch
	}
	return fmt.Sprintf("%s #%d", it.Kind.Noun(), it.Number)
}

func (e *Executor) logf(format string, args ...any) {
	if e.Logf != nil {
		e.Logf(format, args...)
	}
}

// do sends one call. Removing a label that is already gone and deleting a
// ref that no longer exists count as done: the state the call wanted is
// there.
func (e *Executor) do(ctx context.Context, c Call) ExecutedCall {
	ec := ExecutedCall{Call: c}
	var body any
	if c.Body != nil {
		body = c.Body
	}
	req, err := e.GitHub.NewRequest(c.Method, strings.TrimPrefix(c.Path, "/"), body)
	if err != nil {
		ec.Error = fmt.Sprintf("failed to build request: %v", err)
		return ec
	}
	resp, err := e.GitHub.Do(ctx, req, nil)
	if resp != nil {
		ec.Status = resp.StatusCode
	}
	if err != nil {
		status := ghclient.StatusCode(err)
		if status != 0 {
			ec.Status = status
		}
		// Gone already: a removed label (404) or a ref that no longer exists
		// (422 "Reference does not exist"; a protected or default branch
		// also answers 422, which stays an error).
		if c.Method == http.MethodDelete && (status == http.StatusNotFound ||
			(status == http.StatusUnprocessableEntity && strings.Contains(c.Path, "/git/refs/") && strings.Contains(err.Error(), "does not exist"))) {
			return ec
		}
		ec.Error = err.Error()
	}
	return ec
}
