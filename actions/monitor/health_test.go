package monitor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sparesparrow/ecosystem-actions/pkg/config"
)

var testNow = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)

func ago(d time.Duration) time.Time { return testNow.Add(-d) }

func testSettings() Settings { return Settings{Window: 7 * 24 * time.Hour, Recent: 4 * time.Hour} }

func run(id int64, wf int64, branch, sha, conclusion string, age time.Duration, jobs ...Job) WorkflowRun {
	return WorkflowRun{ID: id, WorkflowID: wf, Name: "wf" + string(rune('0'+wf)), HeadBranch: branch, HeadSHA: sha,
		Status: "completed", Conclusion: conclusion, Attempt: 1, CreatedAt: ago(age), Jobs: jobs, JobsKnown: jobs != nil}
}

func TestDetectFlaky(t *testing.T) {
	t.Parallel()
	h := time.Hour
	tests := []struct {
		name     string
		runs     []WorkflowRun
		wantRuns []int64
		wantJobs []FlakyJob
		wantRate float64
	}{
		{
			name: "rerun_attempt_passed_is_flaky",
			runs: []WorkflowRun{run(1, 1, "main", "a", "success", h,
				Job{Name: "build", Attempt: 1, Conclusion: "failure"},
				Job{Name: "build", Attempt: 2, Conclusion: "success"},
				Job{Name: "lint", Attempt: 1, Conclusion: "success"})},
			wantRuns: []int64{1},
			wantJobs: []FlakyJob{{Workflow: "wf1", Job: "build", Count: 1}},
			wantRate: 1,
		},
		{
			name: "later_run_same_sha_passed_is_flaky",
			runs: []WorkflowRun{
				run(2, 1, "main", "a", "success", h),
				run(1, 1, "main", "a", "failure", 2*h, Job{Name: "test", Attempt: 1, Conclusion: "failure"}),
				run(3, 1, "main", "b", "failure", 3*h, Job{Name: "test", Attempt: 1, Conclusion: "failure"}),
			},
			wantRuns: []int64{1},
			wantJobs: []FlakyJob{{Workflow: "wf1", Job: "test", Count: 1}},
			wantRate: 0.333,
		},
		{
			name: "failure_after_success_is_not_flaky",
			runs: []WorkflowRun{
				run(2, 1, "main", "a", "failure", h),
				run(1, 1, "main", "a", "success", 2*h),
			},
			wantRate: 0,
		},
		{
			name: "other_workflow_same_sha_is_not_flaky",
			runs: []WorkflowRun{
				run(2, 2, "main", "a", "success", h),
				run(1, 1, "main", "a", "failure", 2*h),
			},
			wantRate: 0,
		},
		{
			name: "rerun_still_failing_is_failure",
			runs: []WorkflowRun{run(1, 1, "main", "a", "failure", h,
				Job{Name: "build", Attempt: 1, Conclusion: "failure"},
				Job{Name: "build", Attempt: 2, Conclusion: "failure"})},
			wantRate: 0,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := DetectFlaky(tc.runs)
			var ids []int64
			for id := range got.Runs {
				ids = append(ids, id)
			}
			if diff := cmp.Diff(tc.wantRuns, ids); diff != "" {
				t.Errorf("flaky runs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantJobs, got.Jobs); diff != "" {
				t.Errorf("flaky jobs (-want +got):\n%s", diff)
			}
			if got.Rate != tc.wantRate {
				t.Errorf("rate = %v, want %v", got.Rate, tc.wantRate)
			}
		})
	}
}

func TestAssess(t *testing.T) {
	t.Parallel()
	h := time.Hour
	day := 24 * h
	meta := RepoMeta{DefaultBranch: "main", PushedAt: ago(2 * h)}
	cfg := DefaultHealthConfig()
	tests := []struct {
		name      string
		data      DomainData
		wantScore *int
		wantBand  string
		wantConf  float64
		wantComps map[string]int // component → score
		wantMiss  []string
		wantFinds []string // substrings of findings, in order
	}{
		{
			name: "all_green",
			data: DomainData{Name: "o/a", Meta: meta, EventsKnown: true, RunsKnown: true, OpenKnown: true,
				Events: []Event{{Type: "PushEvent", CreatedAt: ago(h)}},
				Runs:   []WorkflowRun{run(1, 1, "main", "a", "success", h), run(2, 1, "main", "b", "success", 2*h)}},
			wantScore: intp(100), wantBand: BandHealthy, wantConf: 1,
			wantComps: map[string]int{"ci_success_rate": 100, "failure_streak": 100, "activity_recency": 100, "stale_pr_load": 100, "open_critical_alerts": 100},
		},
		{
			name: "missing_components_lower_confidence_not_score",
			data: DomainData{Name: "o/a", Meta: meta, EventsKnown: true,
				Events: []Event{{Type: "PushEvent", CreatedAt: ago(h)}}},
			wantScore: intp(100), wantBand: BandHealthy, wantConf: 0.15,
			wantComps: map[string]int{"activity_recency": 100},
			wantMiss:  []string{"ci_success_rate", "failure_streak", "stale_pr_load", "open_critical_alerts"},
		},
		{
			name: "failing_default_branch_is_critical",
			data: DomainData{Name: "o/a", Meta: meta, EventsKnown: true, RunsKnown: true, OpenKnown: true,
				Runs: []WorkflowRun{
					run(4, 1, "main", "d", "failure", h),
					run(3, 1, "main", "c", "timed_out", 2*h),
					run(2, 1, "main", "b", "startup_failure", 3*h),
					run(1, 1, "main", "a", "success", 4*day),
				},
				Open: []Item{{Number: 7, Title: "CI broken", Labels: []string{"Critical"}, CreatedAt: ago(day)}}},
			// ci 25, streak 40, activity 100 (pushed 2h ago), stale 100, alerts 50
			// (0.35*25+0.25*40+0.15*100+0.10*100+0.15*50)/1 = 51.25
			wantScore: intp(51), wantBand: BandCritical, wantConf: 1,
			wantComps: map[string]int{"ci_success_rate": 25, "failure_streak": 40, "activity_recency": 100, "stale_pr_load": 100, "open_critical_alerts": 50},
			wantFinds: []string{"CI success rate 25%", "3 consecutive failing runs on main (workflow wf1); its last green run 4d ago", "open critical alert #7: CI broken"},
		},
		{
			name: "stale_prs_warn",
			data: DomainData{Name: "o/a", Meta: RepoMeta{DefaultBranch: "main", PushedAt: ago(10 * day)}, OpenKnown: true,
				Open: []Item{
					{Number: 1, IsPull: true, CreatedAt: ago(40 * day), UpdatedAt: ago(20 * day)},
					{Number: 2, IsPull: true, CreatedAt: ago(40 * day), UpdatedAt: ago(30 * day)},
					{Number: 3, IsPull: true, CreatedAt: ago(2 * day)},
					{Number: 4, IsPull: true, Draft: true, CreatedAt: ago(90 * day)},
				}},
			// activity: since 240h; 100*(1-(236)/(716)) = 67.04 → 67; stale 1-2/3 → 33
			// (0.15*67 + 0.10*33 + 0.15*100) / 0.40 = 70.875
			wantScore: intp(71), wantBand: BandWarning, wantConf: 0.4,
			wantComps: map[string]int{"activity_recency": 67, "stale_pr_load": 33, "open_critical_alerts": 100},
			wantMiss:  []string{"ci_success_rate", "failure_streak"},
			wantFinds: []string{"2 of 3 open non-draft pull requests"},
		},
		{
			name:     "archived_is_not_unhealthy",
			data:     DomainData{Name: "o/a", Meta: RepoMeta{Archived: true, DefaultBranch: "main"}, RunsKnown: true, Runs: []WorkflowRun{run(1, 1, "main", "a", "failure", h)}},
			wantBand: BandArchived, wantConf: 0.6,
			wantComps: map[string]int{"ci_success_rate": 0, "failure_streak": 80},
			wantMiss:  []string{"activity_recency", "stale_pr_load", "open_critical_alerts"},
			wantFinds: []string{"repository is archived"},
		},
		{
			name:      "unreadable_domain",
			data:      DomainData{Name: "o/a", Error: "404 Not Found", Status: 404},
			wantBand:  BandUnknown,
			wantComps: map[string]int{},
			wantFinds: []string{"domain could not be read: 404 Not Found"},
		},
		{
			name: "flaky_runs_are_set_apart",
			data: DomainData{Name: "o/a", Meta: meta, RunsKnown: true,
				Runs: []WorkflowRun{
					run(2, 1, "main", "a", "success", h),
					run(1, 1, "main", "a", "failure", 2*h),
				}},
			wantScore: intp(100), wantBand: BandHealthy, wantConf: 0.75,
			wantComps: map[string]int{"ci_success_rate": 100, "failure_streak": 100, "activity_recency": 100},
			wantMiss:  []string{"stale_pr_load", "open_critical_alerts"},
			wantFinds: []string{"flaky jobs (rate 50%): wf1 / (unknown job) (1×)"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Assess(tc.data, cfg, testSettings(), testNow)
			if diff := cmp.Diff(tc.wantScore, got.Score); diff != "" {
				t.Errorf("score (-want +got):\n%s", diff)
			}
			if got.Band != tc.wantBand {
				t.Errorf("band = %q, want %q", got.Band, tc.wantBand)
			}
			if got.Confidence != tc.wantConf {
				t.Errorf("confidence = %v, want %v", got.Confidence, tc.wantConf)
			}
			comps := map[string]int{}
			for k, c := range got.Components {
				comps[k] = c.Score
			}
			if diff := cmp.Diff(tc.wantComps, comps); diff != "" {
				t.Errorf("components (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantMiss, got.Missing); diff != "" {
				t.Errorf("missing (-want +got):\n%s", diff)
			}
			if len(got.Findings) < len(tc.wantFinds) {
				t.Fatalf("findings = %+v, want at least %d", got.Findings, len(tc.wantFinds))
			}
			for i, want := range tc.wantFinds {
				if !strings.Contains(got.Findings[i].Message, want) {
					t.Errorf("finding[%d] = %q, want it to contain %q", i, got.Findings[i].Message, want)
				}
			}
		})
	}
}

func TestAssessEventTypesAndActivity(t *testing.T) {
	t.Parallel()
	d := DomainData{Name: "o/a", EventsKnown: true, Events: []Event{
		{Type: "PushEvent", CreatedAt: ago(time.Hour)},
		{Type: "PushEvent", CreatedAt: ago(5 * time.Hour)},
		{Type: "WatchEvent", CreatedAt: ago(3 * time.Hour)},
		{Type: "ForkEvent", CreatedAt: ago(10 * 24 * time.Hour)}, // outside the 7d window
		{Type: "DiscussionEvent", CreatedAt: ago(30 * time.Hour)},
		{Type: "PullRequestReviewThreadEvent", CreatedAt: ago(31 * time.Hour)},
		// The feed does not serve it (a webhook event): not counted.
		{Type: "CheckRunEvent", CreatedAt: ago(2 * time.Hour)},
	}}
	got := Assess(d, DefaultHealthConfig(), testSettings(), testNow)
	if got.TotalEvents != 5 || got.RecentActivity != 2 {
		t.Errorf("total=%d recent=%d, want 5 and 2", got.TotalEvents, got.RecentActivity)
	}
	if len(got.EventTypes) != len(SignalNames) || got.EventTypes["PushEvent"] != 2 || got.EventTypes["ForkEvent"] != 0 ||
		got.EventTypes["DiscussionEvent"] != 1 || got.EventTypes["PullRequestReviewThreadEvent"] != 1 || got.EventTypes["CheckRunEvent"] != 0 {
		t.Errorf("event_types = %v", got.EventTypes)
	}
	if s := got.Signals["DiscussionEvent"]; s.Value == nil || *s.Value != 1 || s.Source != "events" {
		t.Errorf("signals[DiscussionEvent] = %+v, want 1 from the events feed", s)
	}
	if got.LastActivity == nil || !got.LastActivity.Equal(ago(time.Hour)) {
		t.Errorf("last activity = %v", got.LastActivity)
	}
}

func TestParseHealthConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		yaml    string
		wantErr []string
		check   func(t *testing.T, c HealthConfig)
	}{
		{name: "empty_is_defaults", yaml: "", check: func(t *testing.T, c HealthConfig) {
			if diff := cmp.Diff(DefaultHealthConfig(), c); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		}},
		{name: "override_one_weight", yaml: "weights:\n  stale_pr_load: 0\nbands: {healthy: 90, warning: 70}\n", check: func(t *testing.T, c HealthConfig) {
			if c.Weights["stale_pr_load"] != 0 || c.Weights["ci_success_rate"] != 0.35 || c.Bands.Healthy != 90 {
				t.Errorf("got %+v", c)
			}
		}},
		{name: "unknown_weight_names_allowed", yaml: "weights:\n  ci_sucess_rate: 1\n",
			wantErr: []string{`invalid weight name value "ci_sucess_rate"`, "allowed: ci_success_rate, failure_streak, activity_recency, stale_pr_load, open_critical_alerts"}},
		{name: "unordered_thresholds", yaml: "bands: {healthy: 60, warning: 80}\n",
			wantErr: []string{`invalid bands value "healthy=60 warning=80"`, "0 < warning < healthy <= 100"}},
		{name: "negative_weight", yaml: "weights: {failure_streak: -1}\n", wantErr: []string{"weights.failure_streak", ">= 0"}},
		{name: "unknown_key", yaml: "weigths: {}\n", wantErr: []string{"health.yml", "weigths"}},
		{name: "all_zero", yaml: "weights: {ci_success_rate: 0, failure_streak: 0, activity_recency: 0, stale_pr_load: 0, open_critical_alerts: 0}\n",
			wantErr: []string{"at least one weight must be > 0"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseHealthConfig([]byte(tc.yaml), "health.yml")
			if len(tc.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not contain %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func TestHealthConfigErrorIsTyped(t *testing.T) {
	t.Parallel()
	_, err := ParseHealthConfig([]byte("weights: {nope: 1}"), "x")
	var ce *config.SettingError
	if !errors.As(err, &ce) || ce.Value != "nope" {
		t.Fatalf("error %v is not a *config.SettingError for nope", err)
	}
}

func intp(v int) *int { return &v }
