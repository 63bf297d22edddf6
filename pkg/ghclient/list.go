package ghclient

import (
	"context"
	"fmt"

	"github.com/google/go-github/v62/github"
)

// PerPage is the page size ListAll asks for (GitHub's maximum).
const PerPage = 100

// ListAll calls list for page 1, 2, ... (per_page 100) following
// resp.NextPage until it is 0, and returns every item.
//
// On failure it returns the items collected so far together with a
// *PartialError naming the failed page, so callers can report a partial
// result instead of an empty one. Cancelling ctx stops before the next page.
//
//	issues, err := ghclient.ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
//		return c.Issues.ListByRepo(ctx, owner, repo, &github.IssueListByRepoOptions{State: "open", ListOptions: opt})
//	})
func ListAll[T any](ctx context.Context, list func(opt github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	var all []T
	opt := github.ListOptions{Page: 1, PerPage: PerPage}
	for {
		if err := ctx.Err(); err != nil {
			return all, &PartialError{Page: opt.Page, Collected: len(all), Err: err}
		}
		items, resp, err := list(opt)
		if err != nil {
			return all, &PartialError{Page: opt.Page, Collected: len(all), Err: err}
		}
		all = append(all, items...)
		if resp == nil || resp.NextPage == 0 {
			return all, nil
		}
		if resp.NextPage <= opt.Page {
			// A Link header pointing backwards would loop forever.
			return all, &PartialError{Page: resp.NextPage, Collected: len(all),
				Err: fmt.Errorf("failed to paginate: next page %d does not follow page %d", resp.NextPage, opt.Page)}
		}
		opt.Page = resp.NextPage
	}
}
