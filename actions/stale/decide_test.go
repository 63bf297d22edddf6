package stale

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testRepo is the repository of the decision tests' items ("o/r").
var testRepo = ghname.Repo{Owner: "o", Name: "r"}

func daysAgo(d float64) time.Time { return testNow.Add(-time.Duration(d * float64(Day))) }

func pr(n int, created float64, acts ...Activity) *Item {
	return &Item{Kind: KindPR, Repo: testRepo, Number: n, Title: "PR", Author: "alice", CreatedAt: daysAgo(created),
		UpdatedAt: daysAgo(created), Read: true, Activities: acts, Branch: "feature", SHA: "abc1234567"}
}

func comment(actor string, ago float64, body string, id int64) Activity {
	return Activity{Kind: ActComment, Actor: actor, At: daysAgo(ago), Body: body, CommentID: id}
}

func labeled(actor string, ago float64, label string) Activity {
	return Activity{Kind: ActLabeled, Actor: actor, At: daysAgo(ago), Label: label}
}

func warning(ago float64, id int64) Activity {
	return comment("github-actions[bot]", ago, MarkerWarning+"\nstale!", id)
}

func decideOne(t *testing.T, p Policy, it *Item) *PlannedItem {
	t.Helper()
	p.self = "github-actions[bot]"
	rs := &RepoState{Repo: testRepo, DefaultBranch: "main", Policy: p, Items: []*Item{it}}
	plan, err := Decide(testNow, []*RepoState{rs}, 100, false)
	if err != nil {
		t.Fatalf("Decide: %v", err)
	}
	return plan.Items[0]
}

func calls(pi *PlannedItem) []string {
	var out []string
	for _, c := range pi.Calls {
		out = append(out, c.String())
	}
	return out
}

func TestDecideIssueLike(t *testing.T) {
	t.Parallel()
	closing := DefaultPolicy()
	closing.ClosePRs = true
	withLabel := func(it *Item, l ...string) *Item { it.Labels = l; return it }
	cases := []struct {
		name      string
		policy    Policy
		item      *Item
		want      Decision
		wantCalls []string
		reason    string
	}{
		{name: "fresh_pr_is_left_alone", policy: DefaultPolicy(), item: pr(1, 5), want: DecisionNone},
		{name: "inactive_30_days_is_warned", policy: DefaultPolicy(), item: pr(1, 30),
			want: DecisionWarn, wantCalls: []string{"POST /repos/o/r/issues/1/comments", "POST /repos/o/r/issues/1/labels"}},
		{name: "29_9_days_is_not_yet_stale", policy: DefaultPolicy(), item: pr(1, 29.9), want: DecisionNone},
		{name: "fractional_threshold_half_day", policy: func() Policy { p := DefaultPolicy(); p.DaysUntilStale = 12 * time.Hour; return p }(),
			item: pr(1, 0.6), want: DecisionWarn, wantCalls: []string{"POST /repos/o/r/issues/1/comments", "POST /repos/o/r/issues/1/labels"}},
		{name: "fractional_threshold_not_reached", policy: func() Policy { p := DefaultPolicy(); p.DaysUntilStale = 12 * time.Hour; return p }(),
			item: pr(1, 0.4), want: DecisionNone},
		{name: "human_comment_resets_activity", policy: DefaultPolicy(),
			item: pr(1, 90, comment("bob", 10, "ping", 5)), want: DecisionNone, reason: "comment by bob"},
		{name: "commit_resets_activity", policy: DefaultPolicy(),
			item: pr(1, 90, Activity{Kind: ActCommit, Actor: "dependabot[bot]", At: daysAgo(3)}), want: DecisionNone, reason: "commit by dependabot[bot]"},
		{name: "bot_comment_is_not_activity", policy: DefaultPolicy(),
			item: pr(1, 90, comment("dependabot[bot]", 1, "rebased", 5), comment("renovate[bot]", 1, "x", 6)), want: DecisionWarn},
		{name: "ignored_actor_is_not_activity", policy: func() Policy { p := DefaultPolicy(); p.IgnoreActors = []string{"ci-user"}; return p }(),
			item: pr(1, 90, comment("ci-user", 1, "coverage 80%", 5)), want: DecisionWarn},
		{name: "own_label_is_not_activity", policy: DefaultPolicy(),
			item: pr(1, 90, labeled("github-actions[bot]", 1, "triage")), want: DecisionWarn},
		{name: "human_label_change_is_activity", policy: DefaultPolicy(),
			item: pr(1, 90, labeled("bob", 1, "triage")), want: DecisionNone},
		{name: "warned_waits_for_the_grace_period", policy: closing,
			item: withLabel(pr(1, 90, warning(6.9, 7), labeled("github-actions[bot]", 6.9, "stale")), "stale"), want: DecisionNone, reason: "will be closed on 2026-03-01"},
		{name: "close_counts_from_warning_not_updated_at", policy: closing,
			item: func() *Item {
				it := withLabel(pr(1, 90, warning(7, 7), labeled("github-actions[bot]", 7, "stale")), "stale")
				it.UpdatedAt = daysAgo(0.1) // our own label edit bumped updated_at
				return it
			}(),
			want: DecisionClose, wantCalls: []string{"POST /repos/o/r/issues/1/comments", "PATCH /repos/o/r/issues/1"}},
		{name: "close_grace_uses_later_label_event", policy: closing,
			item: withLabel(pr(1, 90, warning(8, 7), labeled("github-actions[bot]", 6, "stale")), "stale"), want: DecisionNone},
		{name: "closing_off_by_default", policy: DefaultPolicy(),
			item: withLabel(pr(1, 90, warning(20, 7)), "stale"), want: DecisionNone, reason: "close_prs: false"},
		{name: "empty_close_message_closes_without_comment", policy: func() Policy { p := closing; p.CloseMessage = ""; return p }(),
			item: withLabel(pr(1, 90, warning(8, 7)), "stale"),
			want: DecisionClose, wantCalls: []string{"PATCH /repos/o/r/issues/1"}},
		{name: "close_comment_already_posted_only_patches", policy: closing,
			item: withLabel(pr(1, 90, warning(8, 7), comment("github-actions[bot]", 0.5, MarkerClose+"\nbye", 8)), "stale"),
			want: DecisionClose, wantCalls: []string{"PATCH /repos/o/r/issues/1"}},
		{name: "human_comment_after_warning_unstales", policy: closing,
			item: withLabel(pr(1, 90, warning(8, 7), comment("bob", 2, "still working on it", 9)), "stale"),
			want: DecisionUnstale, wantCalls: []string{"DELETE /repos/o/r/issues/1/labels/stale", "PATCH /repos/o/r/issues/comments/7"}},
		{name: "human_removed_label_resolves_marker", policy: closing,
			item: pr(1, 90, warning(8, 7), Activity{Kind: ActUnlabeled, Actor: "bob", At: daysAgo(2), Label: "stale"}),
			want: DecisionUnstale, wantCalls: []string{"PATCH /repos/o/r/issues/comments/7"}},
		{name: "own_unlabel_whose_resolve_failed_finishes_unstale", policy: closing,
			item: pr(1, 90, warning(8, 7), Activity{Kind: ActUnlabeled, Actor: "github-actions[bot]", At: daysAgo(2), Label: "stale"}),
			want: DecisionUnstale, wantCalls: []string{"PATCH /repos/o/r/issues/comments/7"}},
		{name: "bot_comment_after_warning_does_not_unstale", policy: closing,
			item: withLabel(pr(1, 90, warning(8, 7), comment("codecov[bot]", 2, "report", 9)), "stale"), want: DecisionClose},
		{name: "marker_without_label_adds_only_the_label", policy: closing,
			item: pr(1, 90, warning(1, 7)), want: DecisionWarn, wantCalls: []string{"POST /repos/o/r/issues/1/labels"}},
		{name: "label_without_marker_posts_only_the_comment", policy: closing,
			item: withLabel(pr(1, 3), "stale"), want: DecisionWarn, wantCalls: []string{"POST /repos/o/r/issues/1/comments"}},
		{name: "marker_from_a_human_is_not_trusted", policy: closing,
			item: pr(1, 90, comment("mallory", 60, MarkerWarning, 7)), want: DecisionWarn, wantCalls: []string{"POST /repos/o/r/issues/1/comments", "POST /repos/o/r/issues/1/labels"}},
		{name: "resolved_marker_is_history", policy: closing,
			item: pr(1, 90, comment("github-actions[bot]", 60, MarkerResolved, 7), comment("bob", 50, "hi", 8)), want: DecisionWarn},
		{name: "exempt_label", policy: func() Policy { p := DefaultPolicy(); p.ExemptLabels = []string{"pinned"}; return p }(),
			item: withLabel(pr(1, 90), "Pinned"), want: DecisionSkipExempt, reason: "exempt label"},
		{name: "exempt_milestone", policy: func() Policy { p := DefaultPolicy(); p.ExemptMilestones = []string{"v2"}; return p }(),
			item: func() *Item { it := pr(1, 90); it.Milestone = "v2"; return it }(), want: DecisionSkipExempt},
		{name: "exempt_assignee", policy: func() Policy { p := DefaultPolicy(); p.ExemptAssignees = []string{"carol"}; return p }(),
			item: func() *Item { it := pr(1, 90); it.Assignees = []string{"dave", "carol"}; return it }(), want: DecisionSkipExempt},
		{name: "exempt_author", policy: func() Policy { p := DefaultPolicy(); p.ExemptAuthors = []string{"alice"}; return p }(),
			item: pr(1, 90), want: DecisionSkipExempt},
		{name: "draft_exempt_by_default", policy: DefaultPolicy(),
			item: func() *Item { it := pr(1, 90); it.Draft = true; return it }(), want: DecisionSkipExempt, reason: "draft"},
		{name: "draft_not_exempt_when_off", policy: func() Policy { p := DefaultPolicy(); p.ExemptDraftPR = false; return p }(),
			item: func() *Item { it := pr(1, 90); it.Draft = true; return it }(), want: DecisionWarn},
		{name: "any_of_labels_missing", policy: func() Policy { p := DefaultPolicy(); p.AnyOfLabels = []string{"a", "b"}; return p }(),
			item: withLabel(pr(1, 90), "c"), want: DecisionSkipExempt},
		{name: "any_of_labels_present", policy: func() Policy { p := DefaultPolicy(); p.AnyOfLabels = []string{"a", "b"}; return p }(),
			item: withLabel(pr(1, 90), "b"), want: DecisionWarn},
		{name: "only_labels_needs_all", policy: func() Policy { p := DefaultPolicy(); p.OnlyLabels = []string{"a", "b"}; return p }(),
			item: withLabel(pr(1, 90), "a"), want: DecisionSkipExempt},
		{name: "updated_at_older_than_threshold_needs_no_read", policy: DefaultPolicy(),
			item: func() *Item { it := pr(1, 90); it.Read, it.UpdatedAt = false, daysAgo(31); return it }(), want: DecisionWarn,
			reason: "updated_at"},
		{name: "update_no_entry_explains_is_activity", policy: DefaultPolicy(),
			item: func() *Item {
				it := pr(1, 90, comment("bob", 40, "hi", 5))
				it.Evidence, it.UpdatedAt = EvidenceTimeline, daysAgo(2) // an edit of the description
				return it
			}(), want: DecisionNone, reason: "does not show"},
		{name: "update_a_bot_explains_is_not_activity", policy: DefaultPolicy(),
			item: func() *Item {
				it := pr(1, 90, comment("bob", 40, "hi", 5), comment("codecov[bot]", 2, "report", 6))
				it.Evidence, it.UpdatedAt = EvidenceTimeline, daysAgo(2)
				return it
			}(), want: DecisionWarn},
		{name: "unexplained_update_after_warning_unstales", policy: closing,
			item: func() *Item {
				it := withLabel(pr(1, 90, warning(8, 7), labeled("github-actions[bot]", 8, "stale")), "stale")
				it.Evidence, it.UpdatedAt = EvidenceTimeline, daysAgo(1)
				return it
			}(), want: DecisionUnstale, wantCalls: []string{"DELETE /repos/o/r/issues/1/labels/stale", "PATCH /repos/o/r/issues/comments/7"}},
		{name: "own_label_without_visible_marker_is_the_warning", policy: closing,
			item: withLabel(pr(1, 90, labeled("github-actions[bot]", 8, "stale")), "stale"), want: DecisionClose},
		{name: "label_by_someone_else_is_no_warning", policy: closing,
			item: withLabel(pr(1, 90, labeled("other-bot[bot]", 8, "stale")), "stale"), want: DecisionWarn,
			wantCalls: []string{"POST /repos/o/r/issues/1/comments"}},
		{name: "reopened_after_warning_unstales", policy: closing,
			item: withLabel(pr(1, 90, warning(8, 7), labeled("github-actions[bot]", 8, "stale"), Activity{Kind: ActReopened, Actor: "ci-user[bot]", At: daysAgo(1)}), "stale"),
			want: DecisionUnstale},
		{name: "legacy_marker_at_the_end_is_not_trusted", policy: closing,
			item: pr(1, 90, comment("github-actions[bot]", 10, "stale!\n\n"+MarkerWarning, 7)), want: DecisionWarn,
			wantCalls: []string{"POST /repos/o/r/issues/1/comments", "POST /repos/o/r/issues/1/labels"}},
		{name: "not_read_means_too_young", policy: DefaultPolicy(),
			item: func() *Item { it := pr(1, 5); it.Read = false; return it }(), want: DecisionNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := decideOne(t, tc.policy, tc.item)
			if got.Decision != tc.want {
				t.Fatalf("decision = %s (%s), want %s", got.Decision, got.Reason, tc.want)
			}
			if tc.wantCalls != nil {
				if diff := cmp.Diff(tc.wantCalls, calls(got)); diff != "" {
					t.Errorf("calls (-want +got):\n%s", diff)
				}
			}
			if tc.reason != "" && !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("reason %q does not contain %q", got.Reason, tc.reason)
			}
			// Every close says how to undo it.
			if got.Decision == DecisionClose {
				want := ReopenCommand("", "o/r", tc.item.Kind, tc.item.Number, tc.policy.StaleLabel)
				if got.Restore != want || !strings.Contains(got.Calls[len(got.Calls)-1].Summary, want) {
					t.Errorf("close: restore %q, summary %q; want %q in both", got.Restore, got.Calls[len(got.Calls)-1].Summary, want)
				}
			}
		})
	}
}

func TestWarningCommentCarriesMarkerAndEscapedTitle(t *testing.T) {
	t.Parallel()
	it := pr(4, 40)
	it.Title = "fix @admin <script>"
	p := DefaultPolicy()
	p.StalePRMessage = "{{.Title}} by {{.Author}}: {{.Days}} days, closes {{.CloseDate}}"
	got := decideOne(t, p, it)
	body := got.Calls[0].Body.(map[string]any)["body"].(string)
	if !strings.HasPrefix(body, MarkerWarning+"\n") {
		t.Errorf("body %q does not open with the marker", body)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "@admin") {
		t.Errorf("title not escaped: %q", body)
	}
	if !strings.Contains(body, "40 days, closes 2026-03-08") {
		t.Errorf("body %q lacks the rendered days/close date", body)
	}
}

func branchState(items ...*Item) *RepoState {
	p := DefaultPolicy()
	p.DeleteBranches = true
	return &RepoState{Repo: testRepo, DefaultBranch: "main", Policy: p, Items: items,
		OpenPRRefs: map[string][]int{"o:feature-pr": {3}, "o:release-base": {4}}}
}

func branch(name string, ago float64) *Item {
	return &Item{Kind: KindBranch, Repo: testRepo, Branch: name, SHA: "sha-" + name, Author: "alice", CommitDate: daysAgo(ago), Read: true}
}

func TestDecideBranches(t *testing.T) {
	t.Parallel()
	tracked := func(rs *RepoState, name, sha string, warnedAgo float64) *RepoState {
		if rs.Tracking == nil {
			rs.Tracking = &TrackingIssue{Number: 9}
		}
		rs.Tracking.State.Branches = append(rs.Tracking.State.Branches, trackedBranch{Name: name, SHA: sha, WarnedAt: daysAgo(warnedAgo)})
		return rs
	}
	cases := []struct {
		name  string
		state *RepoState
		want  Decision
		calls []string
	}{
		{name: "old_branch_is_warned", state: branchState(branch("old", 40)), want: DecisionWarn},
		{name: "young_branch_is_left", state: branchState(branch("young", 3)), want: DecisionNone},
		{name: "default_branch_never", state: branchState(branch("main", 400)), want: DecisionSkipSafety},
		{name: "protected_never", state: branchState(func() *Item { b := branch("prod", 400); b.Protected = true; return b }()), want: DecisionSkipSafety},
		{name: "open_pr_head_never", state: branchState(branch("feature-pr", 400)), want: DecisionSkipSafety},
		{name: "open_pr_base_never", state: branchState(branch("release-base", 400)), want: DecisionSkipSafety},
		{name: "fork_pr_same_name_does_not_protect", state: func() *RepoState {
			rs := branchState(branch("patch-1", 400))
			rs.OpenPRRefs["forker:patch-1"] = []int{8}
			return rs
		}(), want: DecisionWarn},
		{name: "fork_repository_never", state: func() *RepoState { rs := branchState(branch("x", 400)); rs.Fork = true; return rs }(), want: DecisionSkipSafety},
		{name: "exempt_pattern", state: branchState(branch("release/1.0", 400)), want: DecisionSkipExempt},
		{name: "warned_waits", state: tracked(branchState(branch("old", 40)), "old", "sha-old", 6), want: DecisionNone},
		{name: "warned_and_due_is_deleted", state: tracked(branchState(branch("old", 40)), "old", "sha-old", 7), want: DecisionDelete,
			calls: []string{"DELETE /repos/o/r/git/refs/heads/old"}},
		{name: "slash_branch_path_kept", state: tracked(branchState(branch("user/x y", 40)), "user/x y", "sha-user/x y", 8), want: DecisionDelete,
			calls: []string{"DELETE /repos/o/r/git/refs/heads/user/x%20y"}},
		{name: "new_commit_unstales", state: tracked(branchState(branch("old", 40)), "old", "other", 8), want: DecisionUnstale},
		{name: "deleting_off_never_deletes", state: func() *RepoState {
			rs := tracked(branchState(branch("old", 40)), "old", "sha-old", 70)
			rs.Policy.DeleteBranches = false
			return rs
		}(), want: DecisionNone},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			plan, err := Decide(testNow, []*RepoState{tc.state}, 100, false)
			if err != nil {
				t.Fatal(err)
			}
			got := plan.Items[0]
			if got.Decision != tc.want {
				t.Fatalf("decision = %s (%s), want %s", got.Decision, got.Reason, tc.want)
			}
			if tc.calls != nil {
				if diff := cmp.Diff(tc.calls, calls(got)); diff != "" {
					t.Errorf("calls (-want +got):\n%s", diff)
				}
			}
			if got.Decision == DecisionDelete && !strings.HasPrefix(got.Restore, "gh api repos/o/r/git/refs -f ref=refs/heads/") {
				t.Errorf("restore command %q", got.Restore)
			}
		})
	}
}

func TestTrackingIssueBody(t *testing.T) {
	t.Parallel()
	odd := branch("a`b|@x", 45)
	odd.SHA, odd.Author = "0123456789abcdef", "@evil"
	rs := branchState(branch("old", 40), branch("gone-soon", 50), odd)
	rs.Tracking = &TrackingIssue{Number: 9, State: trackingState{Branches: []trackedBranch{{Name: "gone-soon", SHA: "sha-gone-soon", WarnedAt: daysAgo(8)}}}}
	plan, err := Decide(testNow, []*RepoState{rs}, 100, false)
	if err != nil {
		t.Fatal(err)
	}
	tr := plan.Tracking[0]
	if tr.Call == nil || tr.Call.String() != "PATCH /repos/o/r/issues/9" {
		t.Fatalf("tracking call = %+v", tr.Call)
	}
	body := tr.Call.Body.(map[string]any)["body"].(string)
	st, err := parseTracking(body)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range st.Branches {
		names = append(names, b.Name)
	}
	if diff := cmp.Diff([]string{"a`b|@x", "old"}, names); diff != "" {
		t.Errorf("tracked (-want +got):\n%s", diff)
	}
	if len(st.Deleted) != 1 || st.Deleted[0].Name != "gone-soon" || !strings.Contains(st.Deleted[0].Restore, "sha=sha-gone-soon") {
		t.Errorf("deleted = %+v", st.Deleted)
	}
	visible := report.RemoveHiddenJSON(body, stateBlock)
	visible = strings.ReplaceAll(visible, "``a`b\\|@x``", "")
	if strings.Contains(visible, "@x") || strings.Contains(visible, "@evil") {
		t.Errorf("live mention outside code spans:\n%s", body)
	}
	if !strings.HasPrefix(body, MarkerBranches) {
		t.Errorf("body lacks the marker")
	}
}

func TestBudgetTakesOldestFirst(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	rs := &RepoState{Repo: testRepo, DefaultBranch: "main", Policy: p,
		Items: []*Item{pr(1, 40), pr(2, 100), pr(3, 60), branch("b1", 90), branch("b2", 35)}}
	rs.Items[3].Repo, rs.Items[4].Repo = testRepo, testRepo
	plan, err := Decide(testNow, []*RepoState{rs}, 5, false)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Decision{}
	for _, it := range plan.Items {
		key := it.Branch
		if it.Kind != KindBranch {
			key = "#" + string(rune('0'+it.Number))
		}
		got[key] = it.Decision
	}
	// Oldest first: #2 (100d, 2 writes), b1 (90d, tracking issue 1), #3
	// (60d, 2 writes) = 5; b2 rides on the tracking update already paid.
	want := map[string]Decision{"#2": DecisionWarn, "b1": DecisionWarn, "#3": DecisionWarn, "#1": DecisionSkipBudget, "b2": DecisionWarn}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decisions (-want +got):\n%s", diff)
	}
	if !plan.Budget.Exhausted || plan.Budget.Deferred != 1 || plan.Budget.Planned != 5 {
		t.Errorf("budget = %+v", plan.Budget)
	}
	if n := len(plan.Calls()); n != 5 {
		t.Errorf("planned calls = %d, want 5", n)
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func(*Policy)
		want   []string // settings reported
	}{
		{name: "defaults_are_valid", mutate: func(*Policy) {}},
		{name: "zero_days_allowed", mutate: func(p *Policy) { p.DaysUntilStale, p.DaysUntilClose = 0, 0 }},
		{name: "negative_days", mutate: func(p *Policy) { p.DaysUntilStale = -Day }, want: []string{"days_until_stale"}},
		{name: "bad_bot_login", mutate: func(p *Policy) { p.BotLogin = "../user" }, want: []string{"bot_login"}},
		{name: "bad_exempt_author", mutate: func(p *Policy) { p.ExemptAuthors = []string{"a b"} }, want: []string{"exempt_authors"}},
		{name: "bad_alert_label", mutate: func(p *Policy) { p.AlertLabel = "a,b" }, want: []string{"alert_label"}},
		{name: "negative_close", mutate: func(p *Policy) { p.DaysUntilClose = -Day }, want: []string{"days_until_close"}},
		{name: "bad_label", mutate: func(p *Policy) { p.StaleLabel = " stale" }, want: []string{"stale_label"}},
		{name: "long_exempt_label", mutate: func(p *Policy) { p.ExemptLabels = []string{strings.Repeat("x", 51)} }, want: []string{"exempt_labels"}},
		{name: "bad_glob", mutate: func(p *Policy) { p.ExemptBranchPatterns = []string{"release/["} }, want: []string{"exempt_branch_patterns"}},
		{name: "unknown_placeholder", mutate: func(p *Policy) { p.StalePRMessage = "hi {{.Autor}}" }, want: []string{"stale_pr_message"}},
		{name: "unknown_root_placeholder", mutate: func(p *Policy) { p.StaleBranchMessage = "{{range .Labels}}{{end}}{{$.Nope}}" }, want: []string{"stale_branch_message"}},
		{name: "broken_template", mutate: func(p *Policy) { p.CloseMessage = "{{.Days" }, want: []string{"close_message"}},
		{name: "empty_warning_messages", mutate: func(p *Policy) { p.StalePRMessage, p.StaleIssueMessage = "", " " },
			want: []string{"stale_pr_message", "stale_issue_message"}},
		{name: "empty_close_and_branch_messages_and_patterns_allowed", mutate: func(p *Policy) {
			p.CloseMessage, p.StaleBranchMessage, p.ExemptBranchPatterns, p.IgnoreActors = "", "", nil, nil
		}},
		{name: "several_at_once", mutate: func(p *Policy) { p.DaysUntilStale = -1; p.OperationsPerRun = -2 }, want: []string{"days_until_stale", "operations_per_run"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := DefaultPolicy()
			tc.mutate(&p)
			err := p.Validate("inputs")
			var got []string
			for _, e := range unwrapJoin(err) {
				var pe *config.SettingError
				if !errors.As(e, &pe) {
					t.Fatalf("error %v is not a *config.SettingError", e)
				}
				got = append(got, pe.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("settings (-want +got):\n%s\nerror: %v", diff, err)
			}
		})
	}
}

func TestUnknownPlaceholderMessageListsAllowed(t *testing.T) {
	t.Parallel()
	_, err := ParseMessage("stale_pr_message", "{{.Autor}}")
	if err == nil || !strings.Contains(err.Error(), "{{.Autor}}") || !strings.Contains(err.Error(), "{{.Author}}") {
		t.Fatalf("err = %v", err)
	}
}

func unwrapJoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}
