package fixer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// BranchPrefix starts the name of every branch the fixer pushes.
const BranchPrefix = "ecosystem-actions/fix-"

// PullRequest is the pull request that carries a workflow patch.
type PullRequest = contract.PullRequest

// PullRequestAPI is the optional part of API that opens pull requests.
type PullRequestAPI interface {
	WorkflowSource
	// DefaultBranch returns the repository's default branch and its head.
	DefaultBranch(ctx context.Context, repository string) (name, sha string, err error)
	// OpenPull returns the open pull request from head, or nil.
	OpenPull(ctx context.Context, repository, head string) (*PullRequest, error)
	// CreateBranch creates refs/heads/branch at sha; an existing branch is
	// not an error (exists reports it).
	CreateBranch(ctx context.Context, repository, branch, sha string) (exists bool, err error)
	// PutFile writes a file on a branch; blobSHA is the SHA of the version
	// it replaces.
	PutFile(ctx context.Context, repository, branch, path, message string, content []byte, blobSHA string) error
	// CreatePull opens a pull request from head into base.
	CreatePull(ctx context.Context, repository, head, base, title, body string) (*PullRequest, error)
}

// FixFingerprint identifies a workflow fix: the repository, the workflow
// path, the fixes and the fingerprints of the failures they answer. The
// same failures recurring give the same fingerprint, hence the same branch.
func FixFingerprint(repository, path string, reqs []PatchRequest, findings []classify.Finding) string {
	var parts []string
	for _, r := range reqs {
		parts = append(parts, fmt.Sprintf("fix:%s|%s|%s|%d", r.Fix, r.Job, r.Permission, r.TimeoutMinutes))
	}
	for _, f := range findings {
		if f.Fix != "" {
			parts = append(parts, "finding:"+f.Fingerprint)
		}
	}
	sort.Strings(parts)
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n%s", strings.ToLower(repository), path, strings.Join(slicesCompact(parts), "\n"))
	return hex.EncodeToString(h.Sum(nil))
}

func slicesCompact(ss []string) []string {
	var out []string
	for i, s := range ss {
		if i == 0 || s != ss[i-1] {
			out = append(out, s)
		}
	}
	return out
}

// openPullRequest pushes the patched workflow to a branch named from the
// fix fingerprint and opens a pull request into the default branch. When
// an open pull request from that branch exists it is returned untouched.
// A failed read or write returns an *IncompleteError that says what was
// not done and what was (a branch created, with its undo); a default
// branch that needs none of the fixes returns ErrNoFix.
func openPullRequest(ctx context.Context, api PullRequestAPI, repository, path string, reqs []PatchRequest, findings []classify.Finding, logf func(string, ...any)) (*PullRequest, error) {
	branch := BranchPrefix + FixFingerprint(repository, path, reqs, findings)[:12]
	notDone := func(format string, args ...any) error {
		return &IncompleteError{NotDone: []string{fmt.Sprintf(format, args...)}}
	}
	nothing := fmt.Sprintf("no branch pushed and no pull request opened for %s in %s", path, repository)
	if pr, err := api.OpenPull(ctx, repository, branch); err != nil {
		return nil, notDone("%s: looking for an open pull request from %s failed: %v", nothing, branch, err)
	} else if pr != nil {
		logf("pull request #%d from %s is already open; nothing changed", pr.Number, branch)
		return pr, nil
	}
	base, baseSHA, err := api.DefaultBranch(ctx, repository)
	if err != nil {
		return nil, notDone("%s: reading the default branch failed: %v", nothing, err)
	}
	// The pull request goes into the default branch: patch its version.
	src, blob, err := api.FileContents(ctx, repository, path, base)
	if err != nil {
		return nil, notDone("%s: reading %s on %s failed: %v", nothing, path, base, err)
	}
	res, err := PatchWorkflow(path, src, reqs)
	if err != nil {
		return nil, notDone("%s: the version on %s cannot be patched: %v", nothing, base, err)
	}
	if !res.Changed() {
		return nil, fmt.Errorf("%s on %s needs none of these fixes: %w", path, base, ErrNoFix)
	}
	exists, err := api.CreateBranch(ctx, repository, branch, baseSHA)
	if err != nil {
		return nil, notDone("%s: creating branch %s at %s failed: %v", nothing, branch, baseSHA, err)
	}
	undo := fmt.Sprintf("branch %s was created in %s (undo: git push origin --delete %s)", branch, repository, branch)
	if exists {
		// A previous run pushed the branch but its pull request was
		// closed or never opened: write over the branch's version.
		undo = fmt.Sprintf("branch %s of %s (from an earlier run) is unchanged", branch, repository)
		if _, blob, err = api.FileContents(ctx, repository, path, branch); err != nil {
			return nil, notDone("the patch of %s was not pushed and no pull request was opened: reading it on %s failed: %v; %s", path, branch, err, undo)
		}
		logf("reusing branch %s in %s", branch, repository)
	} else {
		logf("created %s", undo)
	}
	msg := "Fix " + path + ": " + strings.Join(res.Applied, "; ")
	if err := api.PutFile(ctx, repository, branch, path, report.Clip(msg, 200), res.Patched, blob); err != nil {
		return nil, notDone("the patch of %s was not pushed to %s and no pull request was opened: %v%s; %s", path, branch, err, workflowsHint(path, err), undo)
	}
	pr, err := api.CreatePull(ctx, repository, branch, base, "Fix CI: "+report.Clip(strings.Join(res.Applied, "; "), 200), pullBody(path, res, findings))
	if err != nil {
		return nil, notDone("no pull request was opened from %s into %s: %v; the patch of %s is on branch %s (re-run to open it, or undo: git push origin --delete %s)",
			branch, base, err, path, branch, branch)
	}
	pr.Created = true
	logf("opened pull request #%d in %s (undo: close it and delete branch %s)", pr.Number, repository, branch)
	return pr, nil
}

// workflowsHint explains GitHub's 404 for a write under .github/workflows:
// it is how GitHub refuses a token without the workflows permission (an
// App token without workflows: write, a personal token without the
// workflow scope, and any GITHUB_TOKEN, which cannot have it).
func workflowsHint(path string, err error) string {
	var ge *github.ErrorResponse
	if !strings.HasPrefix(path, ".github/workflows/") || !errors.As(err, &ge) || ge.Response == nil || ge.Response.StatusCode != http.StatusNotFound {
		return ""
	}
	return " (GitHub answers 404 to a write under .github/workflows from a token without the workflows permission; a GITHUB_TOKEN never has it: give github_token a GitHub App installation token with workflows: write, or a personal token with the workflow scope)"
}

// pullBody lists the failures and the fix. Log text is untrusted: it is
// escaped and its @mentions neutralised.
func pullBody(path string, res *PatchResult, findings []classify.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "The fixer found failures in CI that %s can prevent:\n\n", report.Code(path))
	seen := map[string]bool{}
	for _, f := range findings {
		if f.Fix == "" || seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		where := report.Markdown(f.Source)
		if f.Job != "" {
			where = report.Code(report.NeutralizeMentions(f.Job, nil)) + " (" + where + ")"
		}
		fmt.Fprintf(&b, "- **%s** in %s, line %d: %s\n", report.Markdown(f.Title), where, f.Line,
			report.Code(report.NeutralizeMentions(report.Clip(f.Text, 200), nil)))
	}
	b.WriteString("\nChanges:\n\n")
	for _, a := range res.Applied {
		fmt.Fprintf(&b, "- %s\n", report.Markdown(a))
	}
	b.WriteString("\n```diff\n" + fence(res.Diff) + "```\n\nOpened by action-fixer (ecosystem-actions).\n")
	return b.String()
}

// DefaultBranch returns the default branch and its head commit.
// https://docs.github.com/rest/repos/repos#get-a-repository
func (g GitHubAPI) DefaultBranch(ctx context.Context, repository string) (string, string, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return "", "", err
	}
	repo, _, err := g.Client.Repositories.Get(ctx, owner, name)
	if err != nil {
		return "", "", err
	}
	ref, _, err := g.Client.Git.GetRef(ctx, owner, name, "heads/"+repo.GetDefaultBranch())
	if err != nil {
		return "", "", err
	}
	return repo.GetDefaultBranch(), ref.GetObject().GetSHA(), nil
}

// OpenPull finds the open pull request from a branch of the repository.
// https://docs.github.com/rest/pulls/pulls#list-pull-requests
func (g GitHubAPI) OpenPull(ctx context.Context, repository, head string) (*PullRequest, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, err
	}
	prs, _, err := g.Client.PullRequests.List(ctx, owner, name, &github.PullRequestListOptions{State: "open", Head: owner + ":" + head})
	if err != nil {
		return nil, err
	}
	for _, p := range prs {
		if p.GetHead().GetRef() == head {
			return toPullRequest(repository, p), nil
		}
	}
	return nil, nil
}

// CreateBranch creates a branch at sha.
// https://docs.github.com/rest/git/refs#create-a-reference
func (g GitHubAPI) CreateBranch(ctx context.Context, repository, branch, sha string) (bool, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return false, err
	}
	_, resp, err := g.Client.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/" + branch), Object: &github.GitObject{SHA: github.String(sha)}})
	var ge *github.ErrorResponse
	if err != nil && resp != nil && resp.StatusCode == http.StatusUnprocessableEntity && errors.As(err, &ge) && strings.Contains(ge.Message, "already exists") {
		return true, nil
	}
	return false, err
}

// PutFile writes a file on a branch.
// https://docs.github.com/rest/repos/contents#create-or-update-file-contents
func (g GitHubAPI) PutFile(ctx context.Context, repository, branch, path, message string, content []byte, blobSHA string) error {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return err
	}
	opts := &github.RepositoryContentFileOptions{Message: github.String(message), Content: content, Branch: github.String(branch)}
	if blobSHA != "" {
		opts.SHA = github.String(blobSHA)
	}
	_, _, err = g.Client.Repositories.UpdateFile(ctx, owner, name, path, opts)
	return err
}

// CreatePull opens a pull request.
// https://docs.github.com/rest/pulls/pulls#create-a-pull-request
func (g GitHubAPI) CreatePull(ctx context.Context, repository, head, base, title, body string) (*PullRequest, error) {
	owner, name, err := splitRepo(repository)
	if err != nil {
		return nil, err
	}
	p, _, err := g.Client.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{Title: github.String(title), Head: github.String(head),
		Base: github.String(base), Body: github.String(body), MaintainerCanModify: github.Bool(true)})
	if err != nil {
		return nil, err
	}
	return toPullRequest(repository, p), nil
}

func toPullRequest(repository string, p *github.PullRequest) *PullRequest {
	return &PullRequest{Repository: repository, Number: p.GetNumber(), URL: p.GetHTMLURL(), Branch: p.GetHead().GetRef(), Base: p.GetBase().GetRef()}
}
