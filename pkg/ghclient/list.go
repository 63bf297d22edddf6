package ghclient

import (
	"context"
	"fmt"

	"github.com/google/go-github/v62/github"
)

// PerPage is the page size ListAll asks for (GitHub's maximum).
const PerPage = 100

// EachPage is the one paginator: it calls list for page 1, 2, ...
// (per_page 100) following resp.NextPage (GitHub's Link header) and hands
// each page to visit, until the last page, until maxPages pages were read
// (0: no cap) or until visit returns false. more reports that the cap or
// visit stopped it while GitHub had more pages.
//
// A failed page (or a cancelled ctx, checked before each page) is returned
// as a *PartialError naming the page; the pages before it were visited. A
// Link header pointing backwards is an error too (it would loop forever).
// https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api
func EachPage[T any](ctx context.Context, maxPages int, list func(opt github.ListOptions) ([]T, *github.Response, error),
	visit func(items []T, resp *github.Response) bool) (more bool, err error) {
	opt := github.ListOptions{Page: 1, PerPage: PerPage}
	collected := 0
	for pages := 0; ; pages++ {
		if maxPages > 0 && pages >= maxPages {
			return true, nil
		}
		if err := ctx.Err(); err != nil {
			return false, &PartialError{Page: opt.Page, Collected: collected, Err: err}
		}
		items, resp, err := list(opt)
		if err != nil {
			return false, &PartialError{Page: opt.Page, Collected: collected, Err: err}
		}
		collected += len(items)
		next := 0
		if resp != nil {
			next = resp.NextPage
		}
		if !visit(items, resp) {
			return next != 0, nil
		}
		if next == 0 {
			return false, nil
		}
		if next <= opt.Page {
			return false, &PartialError{Page: next, Collected: collected,
				Err: fmt.Errorf("failed to paginate: next page %d does not follow page %d", next, opt.Page)}
		}
		opt.Page = next
	}
}

// ListPages returns the items of at most maxPages pages (0: all); more
// reports pages left beyond the cap. On failure it returns the items
// collected so far with the *PartialError (see EachPage).
func ListPages[T any](ctx context.Context, maxPages int, list func(opt github.ListOptions) ([]T, *github.Response, error)) (items []T, more bool, err error) {
	more, err = EachPage(ctx, maxPages, list, func(page []T, _ *github.Response) bool {
		items = append(items, page...)
		return true
	})
	return items, more, err
}

// ListAll calls list for page 1, 2, ... (per_page 100) following
// resp.NextPage until it is 0, and returns every item (ListPages without a
// cap).
//
// On failure it returns the items collected so far together with a
// *PartialError naming the failed page, so callers can report a partial
// result instead of an empty one. Cancelling ctx stops before the next page.
//
//	issues, err := ghclient.ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
//		return c.Issues.ListByRepo(ctx, owner, repo, &github.IssueListByRepoOptions{State: "open", ListOptions: opt})
//	})
func ListAll[T any](ctx context.Context, list func(opt github.ListOptions) ([]T, *github.Response, error)) ([]T, error) {
	items, _, err := ListPages(ctx, 0, list)
	return items, err
}
