package ghclient

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-github/v62/github"
)

// pagedIssues serves total issues with Link pagination like GitHub; pages in
// failPages answer 404 instead.
func pagedIssues(total int, failPages map[int]int, hits *counter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hits.hit(r)
		q := r.URL.Query()
		per, _ := strconv.Atoi(q.Get("per_page"))
		if per == 0 {
			per = 30
		}
		page, _ := strconv.Atoi(q.Get("page"))
		if page == 0 {
			page = 1
		}
		if status, ok := failPages[page]; ok {
			writeJSON(w, status, map[string]string{"message": http.StatusText(status)})
			return
		}
		last := (total + per - 1) / per
		if page < last {
			base := "http://" + r.Host + r.URL.Path
			w.Header().Set("Link", fmt.Sprintf(`<%s?per_page=%d&page=%d>; rel="next", <%s?per_page=%d&page=%d>; rel="last"`, base, per, page+1, base, per, last))
		}
		var items []map[string]any
		for i := (page-1)*per + 1; i <= min(page*per, total); i++ {
			items = append(items, map[string]any{"number": i})
		}
		if items == nil {
			items = []map[string]any{}
		}
		writeJSON(w, 200, items)
	}
}

func listIssues(ctx context.Context, c *Client) ([]*github.Issue, error) {
	return ListAll(ctx, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
		return c.Issues.ListByRepo(ctx, "o", "r", &github.IssueListByRepoOptions{State: "all", ListOptions: opt})
	})
}

func numbers(issues []*github.Issue) []int {
	out := make([]int, len(issues))
	for i, is := range issues {
		out[i] = is.GetNumber()
	}
	return out
}

func seq(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestListAll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		total     int
		fail      map[int]int
		want      []int
		wantPages int
		wantErr   int // status of the failed page, 0 = success
		errPage   int
	}{
		{"empty", 0, nil, []int{}, 1, 0, 0},
		{"one_page", 42, nil, seq(1, 42), 1, 0, 0},
		{"exactly_one_full_page", 100, nil, seq(1, 100), 1, 0, 0},
		{"three_pages", 250, nil, seq(1, 250), 3, 0, 0},
		{"second_page_fails_partial", 250, map[int]int{2: 404}, seq(1, 100), 2, 404, 2},
		{"first_page_fails", 250, map[int]int{1: 403}, []int{}, 1, 403, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits counter
			c, _, _ := newTestClient(t, pagedIssues(tt.total, tt.fail, &hits), nil)
			got, err := listIssues(context.Background(), c)
			if diff := cmp.Diff(tt.want, numbers(got)); diff != "" {
				t.Errorf("numbers mismatch (-want +got):\n%s", diff)
			}
			if n := hits.get("GET /repos/o/r/issues"); n != tt.wantPages {
				t.Errorf("pages requested = %d, want %d", n, tt.wantPages)
			}
			if tt.wantErr == 0 {
				if err != nil {
					t.Fatalf("ListAll() error = %v", err)
				}
				return
			}
			var pe *PartialError
			if !errors.As(err, &pe) || pe.Page != tt.errPage || pe.Collected != len(tt.want) {
				t.Fatalf("ListAll() error = %#v, want *PartialError{Page: %d, Collected: %d}", err, tt.errPage, len(tt.want))
			}
			if StatusCode(err) != tt.wantErr {
				t.Errorf("StatusCode(err) = %d, want %d", StatusCode(err), tt.wantErr)
			}
		})
	}
}

func TestListAll_perPage100(t *testing.T) {
	t.Parallel()
	var seen []github.ListOptions
	_, err := ListAll(context.Background(), func(opt github.ListOptions) ([]int, *github.Response, error) {
		seen = append(seen, opt)
		next := 0
		if opt.Page < 3 {
			next = opt.Page + 1
		}
		return []int{opt.Page}, &github.Response{NextPage: next}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []github.ListOptions{{Page: 1, PerPage: 100}, {Page: 2, PerPage: 100}, {Page: 3, PerPage: 100}}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("options mismatch (-want +got):\n%s", diff)
	}
}

func TestListAll_backwardsNextPageStops(t *testing.T) {
	t.Parallel()
	calls := 0
	got, err := ListAll(context.Background(), func(opt github.ListOptions) ([]int, *github.Response, error) {
		calls++
		return []int{opt.Page}, &github.Response{NextPage: 1}, nil
	})
	var pe *PartialError
	if !errors.As(err, &pe) || calls != 1 || len(got) != 1 {
		t.Errorf("ListAll() = %v, %v after %d calls; want 1 item and a *PartialError", got, err, calls)
	}
}

func TestListAll_rateLimitStopIsPartial(t *testing.T) {
	t.Parallel()
	stop := &RateLimitStopError{Resource: "core"}
	got, err := ListAll(context.Background(), func(opt github.ListOptions) ([]int, *github.Response, error) {
		if opt.Page == 2 {
			return nil, nil, fmt.Errorf("GET x: %w", stop)
		}
		return []int{1, 2}, &github.Response{NextPage: 2}, nil
	})
	if !IsRateLimitStop(err) || len(got) != 2 {
		t.Errorf("ListAll() = %v, %v; want the first page and a rate-limit stop", got, err)
	}
}

func TestListAll_cancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	got, err := ListAll(ctx, func(opt github.ListOptions) ([]int, *github.Response, error) {
		cancel()
		return []int{opt.Page}, &github.Response{NextPage: opt.Page + 1}, nil
	})
	if !errors.Is(err, context.Canceled) || len(got) != 1 {
		t.Errorf("ListAll() = %v, %v; want 1 item and context.Canceled", got, err)
	}
}

func TestListPages_capAndStop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		total     int
		maxPages  int
		stopAfter int // visit returns false after this many pages (0: never)
		want      []int
		wantPages int
		wantMore  bool
	}{
		{name: "cap_below_the_pages", total: 450, maxPages: 2, want: seq(1, 200), wantPages: 2, wantMore: true},
		{name: "cap_equal_to_the_pages", total: 200, maxPages: 2, want: seq(1, 200), wantPages: 2},
		{name: "cap_above_the_pages", total: 150, maxPages: 10, want: seq(1, 150), wantPages: 2},
		{name: "no_cap", total: 350, want: seq(1, 350), wantPages: 4},
		{name: "visit_stops", total: 450, stopAfter: 1, want: seq(1, 100), wantPages: 1, wantMore: true},
		{name: "visit_stops_on_the_last_page", total: 100, stopAfter: 1, want: seq(1, 100), wantPages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var hits counter
			c, _, _ := newTestClient(t, pagedIssues(tt.total, nil, &hits), nil)
			var got []*github.Issue
			pages := 0
			more, err := EachPage(context.Background(), tt.maxPages, func(opt github.ListOptions) ([]*github.Issue, *github.Response, error) {
				return c.Issues.ListByRepo(context.Background(), "o", "r", &github.IssueListByRepoOptions{ListOptions: opt})
			}, func(items []*github.Issue, _ *github.Response) bool {
				got = append(got, items...)
				pages++
				return tt.stopAfter == 0 || pages < tt.stopAfter
			})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, numbers(got)); diff != "" {
				t.Errorf("numbers mismatch (-want +got):\n%s", diff)
			}
			if n := hits.get("GET /repos/o/r/issues"); n != tt.wantPages || more != tt.wantMore {
				t.Errorf("pages requested = %d, more = %v; want %d, %v", n, more, tt.wantPages, tt.wantMore)
			}
		})
	}
}
