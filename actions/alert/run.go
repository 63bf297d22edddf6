package alert

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/dispatch"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	redaction "github.com/sparesparrow/ecosystem-actions/pkg/redact"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// ProducerAction is the action named as the producer of the result.
const ProducerAction = "action-alert"

// File names written to Config.OutputDir.
const (
	ResultsFile = "alert_results.json"
	SummaryFile = "alert_summary.md"
)

// Deps are the run's side effects.
type Deps struct {
	// GitHub is the API client (pkg/ghclient's embedded go-github client).
	GitHub *github.Client
	// HTTPClient sends webhooks (default: a client with a 30s timeout).
	HTTPClient *http.Client
	// Sleep waits between webhook retries (default: a timer).
	Sleep func(context.Context, time.Duration) error
	// TLSConfig, when set, is used for SMTP TLS (tests trust their own CA).
	TLSConfig *tls.Config
	// Logf prints a log line; the runner's Infof escapes every argument.
	Logf func(format string, args ...any)
	// Stats returns the API accounting for the report.
	Stats func() any
	// Redactor redacts every webhook message and e-mail before a payload
	// is built or signed (default: pkg/redact's rules alone); pass the
	// run's (runner.Run.Redactor) so values the run masked are found too.
	// Issue and comment bodies are redacted by the GitHub client
	// (pkg/ghclient RedactBodies).
	Redactor *redaction.Redactor
}

// Delivery is one delivery of one alert on one channel.
type Delivery struct {
	Channel     string     `json:"channel"`
	Target      string     `json:"target"`
	Status      string     `json:"status"` // delivered, failed, planned, skipped
	Error       string     `json:"error,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	// ResponseSeconds is the alert response time: from the problem's first
	// sighting to this delivery.
	ResponseSeconds *float64 `json:"response_seconds,omitempty"`
}

// AlertResult is what happened to one alert in this run.
type AlertResult struct {
	Fingerprint string     `json:"fingerprint"`
	Type        Type       `json:"type"`
	Level       Level      `json:"level"`
	Title       string     `json:"title"`
	Scope       string     `json:"domain"`
	Source      Kind       `json:"source"`
	Problem     string     `json:"problem"`
	Action      string     `json:"action"`
	Reason      string     `json:"reason,omitempty"`
	Notify      string     `json:"notify,omitempty"`
	Commented   bool       `json:"commented"`
	Issue       int        `json:"issue,omitempty"`
	IssueURL    string     `json:"issue_url,omitempty"`
	FirstSeen   time.Time  `json:"first_seen,omitzero"`
	LastSeen    time.Time  `json:"last_seen,omitzero"`
	Occurrences int        `json:"occurrences"`
	MissedRuns  int        `json:"missed_runs"`
	Deliveries  []Delivery `json:"deliveries"`
	// ResponseSeconds is the alert response time of this run's first
	// delivery (nil when nothing was delivered).
	ResponseSeconds *float64 `json:"response_seconds,omitempty"`
	Errors          []string `json:"errors,omitempty"`

	summary string
	state   State
	dry     bool
}

func (r *AlertResult) setState(st State) {
	r.state = st
	r.FirstSeen, r.LastSeen, r.Occurrences, r.MissedRuns = st.FirstSeen, st.LastSeen, st.Occurrences, st.MissedRuns
}

func (r *AlertResult) fail(msg string) {
	r.Errors = append(r.Errors, msg)
	if r.Action == "" {
		r.Action = ActionFailed
	}
}

func (r *AlertResult) addDelivery(d Delivery) {
	if d.Status == "delivered" && d.DeliveredAt != nil && !r.FirstSeen.IsZero() {
		s := d.DeliveredAt.Sub(r.FirstSeen).Seconds()
		d.ResponseSeconds = &s
		if r.ResponseSeconds == nil || s < *r.ResponseSeconds {
			r.ResponseSeconds = &s
		}
	}
	r.Deliveries = append(r.Deliveries, d)
}

func (r *AlertResult) issueDelivered(at time.Time) {
	if r.dry {
		r.addDelivery(Delivery{Channel: ChannelIssue, Target: fmt.Sprintf("#%d", r.Issue), Status: "planned"})
		return
	}
	t := at.UTC()
	r.addDelivery(Delivery{Channel: ChannelIssue, Target: fmt.Sprintf("#%d", r.Issue), Status: "delivered", DeliveredAt: &t})
}

// DispatchResult is one per-target dispatch result (pkg/dispatch) with
// the fingerprints of the alerts its one aggregated event carried.
type DispatchResult struct {
	dispatch.Result
	Alerts []string `json:"alerts,omitempty"`
}

// IssueNumbers are the issue numbers per action (the issues output).
type IssueNumbers struct {
	Created    []int `json:"created"`
	Updated    []int `json:"updated"`
	Commented  []int `json:"commented"`
	Closed     []int `json:"closed"`
	Reopened   []int `json:"reopened"`
	Duplicates []int `json:"duplicates"`
	Failed     int   `json:"failed"`
}

// ReportInfo describes one input report.
type ReportInfo struct {
	Path    string    `json:"path"`
	Kind    Kind      `json:"kind"`
	Time    time.Time `json:"timestamp,omitzero"`
	Partial bool      `json:"partial,omitempty"`
}

// ResponseTime summarises the alert response times of this run.
type ResponseTime struct {
	Alerts     int      `json:"alerts"`
	MinSeconds *float64 `json:"min_seconds,omitempty"`
	MaxSeconds *float64 `json:"max_seconds,omitempty"`
	AvgSeconds *float64 `json:"avg_seconds,omitempty"`
}

// Result is alert_results.json.
type Result struct {
	contract.Envelope
	Timestamp     time.Time        `json:"timestamp"`
	Repository    string           `json:"repository"`
	RunID         int64            `json:"run_id"`
	RunURL        string           `json:"run_url,omitempty"`
	DryRun        bool             `json:"dry_run"`
	AlertType     Type             `json:"alert_type"`
	MinLevel      Level            `json:"min_level"`
	Channels      []string         `json:"channels"`
	Reports       []ReportInfo     `json:"reports"`
	AlertCount    int              `json:"alert_count"`
	MaxLevel      Level            `json:"max_level"`
	BelowMinLevel int              `json:"below_min_level"`
	Complete      bool             `json:"complete"`
	Issues        IssueNumbers     `json:"issues"`
	Alerts        []*AlertResult   `json:"alerts"`
	Dispatches    []DispatchResult `json:"dispatches"`
	Webhooks      []WebhookResult  `json:"webhooks"`
	ResponseTime  ResponseTime     `json:"response_time"`
	Calls         []Call           `json:"calls"`
	Errors        []string         `json:"errors"`
	API           any              `json:"api,omitempty"`
	Files         []string         `json:"-"`

	text Text // how Summary renders untrusted text
}

// OutputNames are the action outputs, always all written.
var OutputNames = []string{"issues", "dispatches", "webhooks", "alert_count", "max_level"}

// Outputs returns every declared output (empty values when r is nil).
func (r *Result) Outputs() map[string]any {
	out := map[string]any{"issues": emptyIssues(), "dispatches": []DispatchResult{}, "webhooks": []WebhookResult{},
		"alert_count": "0", "max_level": string(LevelNone)}
	if r == nil {
		return out
	}
	out["issues"], out["dispatches"], out["webhooks"] = r.Issues, r.Dispatches, r.Webhooks
	out["alert_count"], out["max_level"] = fmt.Sprint(r.AlertCount), string(r.MaxLevel)
	return out
}

func emptyIssues() IssueNumbers {
	return IssueNumbers{Created: []int{}, Updated: []int{}, Commented: []int{}, Closed: []int{}, Reopened: []int{}, Duplicates: []int{}}
}

// IncompleteError means some writes or deliveries failed; the result says
// exactly which.
type IncompleteError struct {
	Failed int
	First  string
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("%d write(s) or deliveries failed (first: %s); see %s for what was and was not delivered", e.Failed, e.First, ResultsFile)
}

// ErrIncomplete is matched by errors.Is for an *IncompleteError.
var ErrIncomplete = errors.New("alert run incomplete")

// Is makes errors.Is(err, ErrIncomplete) true.
func (e *IncompleteError) Is(target error) bool { return target == ErrIncomplete }

type runState struct {
	cfg   Config
	deps  Deps
	now   time.Time
	text  Text
	built Built
	res   *Result
	byFP  map[string]*AlertResult
}

func (rs *runState) addCall(c Call) { rs.res.Calls = append(rs.res.Calls, c) }

func (rs *runState) resultFor(fp string) *AlertResult { return rs.byFP[fp] }

func (rs *runState) issueNumbers(kind string, n int) {
	if rs.cfg.DryRun || n == 0 {
		return
	}
	is := &rs.res.Issues
	add := func(list *[]int) {
		for _, x := range *list {
			if x == n {
				return
			}
		}
		*list = append(*list, n)
	}
	switch kind {
	case "created":
		add(&is.Created)
	case "updated":
		add(&is.Updated)
	case "commented":
		add(&is.Commented)
	case "closed":
		add(&is.Closed)
	case "reopened":
		add(&is.Reopened)
	case "duplicates":
		add(&is.Duplicates)
	}
}

func (rs *runState) logf(format string, args ...any) {
	if rs.deps.Logf != nil {
		rs.deps.Logf(format, args...)
	}
}

// Prepare validates the configuration and loads and builds the alerts: every
// input error surfaces here, before any request.
func Prepare(cfg *Config) ([]Report, Built, error) {
	if err := cfg.Validate(); err != nil {
		return nil, Built{}, err
	}
	reports, err := LoadReports(cfg.Reports, cfg.BaseDir)
	if err != nil {
		return nil, Built{}, err
	}
	built, err := Build(reports, BuildOptions{Type: cfg.Type, MinLevel: cfg.MinLevel, DefaultDomain: cfg.Repository})
	if err != nil {
		return nil, Built{}, err
	}
	return reports, built, nil
}

// Run turns the reports into alerts and delivers them on the configured
// channels. Bad input returns an error before any request. Afterwards one
// failing write or target never stops the others: the result lists every
// call and delivery, the result files are written, and an *IncompleteError
// says the run must exit non-zero.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	reports, built, err := Prepare(&cfg)
	if err != nil {
		return nil, err
	}
	if deps.GitHub == nil && (cfg.has(ChannelIssue) || cfg.has(ChannelRepositoryDispatch) || cfg.has(ChannelWorkflowDispatch)) {
		return nil, errors.New("alert: Deps.GitHub is required for the issue and dispatch channels")
	}
	rs := &runState{cfg: cfg, deps: deps, now: cfg.Now.UTC().Truncate(time.Second), text: Text{Mention: cfg.Mention}, built: built, byFP: map[string]*AlertResult{}}
	res := &Result{text: Text{Mention: cfg.Mention}, Envelope: contract.NewEnvelope(contract.KindAlert, contract.Producer{Action: ProducerAction, Version: cfg.Version, RunURL: cfg.RunURL}, rs.now),
		Timestamp: rs.now, Repository: cfg.Repository, RunID: cfg.RunID, RunURL: cfg.RunURL,
		DryRun: cfg.DryRun, AlertType: cfg.Type, MinLevel: cfg.MinLevel, Channels: cfg.Channels, BelowMinLevel: built.BelowMinLevel,
		Issues: emptyIssues(), Alerts: []*AlertResult{}, Dispatches: []DispatchResult{}, Webhooks: []WebhookResult{}, Calls: []Call{}, Errors: []string{},
		MaxLevel: LevelNone}
	rs.res = res
	for _, r := range reports {
		ri := ReportInfo{Path: r.Name(), Kind: r.Kind, Time: r.Time}
		if r.Monitor != nil {
			ri.Partial = r.Monitor.Partial
		}
		res.Reports = append(res.Reports, ri)
	}
	for _, a := range built.Alerts {
		ar := &AlertResult{Fingerprint: a.Fingerprint, Type: a.Type, Level: a.Level, Title: a.Title, Scope: a.Scope, Source: a.Source,
			Problem: a.Problem, Deliveries: []Delivery{}, summary: a.Summary, dry: cfg.DryRun}
		res.Alerts = append(res.Alerts, ar)
		rs.byFP[a.Fingerprint] = ar
		res.MaxLevel = MaxLevel(res.MaxLevel, a.Level)
	}
	res.AlertCount = len(built.Alerts)

	var lc *lifecycle
	if cfg.has(ChannelIssue) {
		lc = rs.issues(ctx)
	} else {
		for _, ar := range res.Alerts {
			ar.Action, ar.Notify = ActionSkipped, NotifyFiring
			ar.setState(State{FirstSeen: firstSeen(built.Alerts, ar.Fingerprint, rs.now), LastSeen: rs.now, Occurrences: 1})
		}
	}
	rs.deliver(ctx, lc)
	rs.finish()
	if err := rs.write(); err != nil {
		res.Errors = append(res.Errors, err.Error())
		return res, err
	}
	failed, first := 0, ""
	for _, c := range res.Calls {
		if c.Status == "failed" {
			failed++
			if first == "" {
				first = fmt.Sprintf("%s %s on %s: %s", c.Channel, c.Action, c.Target, c.Error)
			}
		}
	}
	for _, e := range res.Errors {
		failed++
		if first == "" {
			first = e
		}
	}
	if failed > 0 {
		return res, &IncompleteError{Failed: failed, First: first}
	}
	return res, nil
}

func firstSeen(alerts []Alert, fp string, now time.Time) time.Time {
	for _, a := range alerts {
		if a.Fingerprint == fp && !a.DetectedAt.IsZero() && a.DetectedAt.Before(now) {
			return a.DetectedAt
		}
	}
	return now
}

// issues runs the issue lifecycle; it returns nil when the alert issues
// could not be listed (nothing is written then).
func (rs *runState) issues(ctx context.Context) *lifecycle {
	owner, repo, _ := strings.Cut(rs.cfg.Repository, "/")
	lc := &lifecycle{run: rs, gh: rs.deps.GitHub, owner: owner, repo: repo, created: map[string]*AlertResult{}, seen: map[string]bool{}}
	if err := lc.load(ctx); err != nil {
		msg := ghclient.Reason(err)
		rs.res.Errors = append(rs.res.Errors, msg)
		for _, ar := range rs.res.Alerts {
			ar.Action, ar.Notify = ActionFailed, NotifyFiring
			ar.Errors = append(ar.Errors, "alert issues could not be listed: "+msg)
			ar.setState(State{FirstSeen: firstSeen(rs.built.Alerts, ar.Fingerprint, rs.now), LastSeen: rs.now, Occurrences: 1})
		}
		rs.logf("could not list the alert issues: %s", msg)
		return nil
	}
	lc.canonicalize(ctx, nil)
	for _, a := range rs.built.Alerts {
		ar := rs.byFP[a.Fingerprint]
		lc.apply(ctx, a, ar)
		rs.logf("%s %s %s", ar.Action, ar.Level, a.Title)
	}
	// Two runs at once: list again and close the later of two open issues
	// for one fingerprint as a duplicate of the first.
	if len(lc.created) > 0 && !rs.cfg.DryRun {
		only := map[string]bool{}
		for fp := range lc.created {
			only[fp] = true
		}
		if err := lc.load(ctx); err != nil {
			rs.res.Errors = append(rs.res.Errors, "failed to check for duplicate alert issues: "+ghclient.Reason(err))
		} else {
			lc.canonicalize(ctx, only)
			// Re-attach canonical records for the rest.
			for fp, rec := range lc.canon {
				if !only[fp] {
					continue
				}
				if ar := rs.byFP[fp]; ar != nil && rec != nil && ar.Action == ActionDuplicate {
					ar.Issue, ar.IssueURL = rec.number, rec.url
				}
			}
		}
		lc.restoreRecords()
	}
	fps := make([]string, 0, len(lc.canon))
	for fp := range lc.canon {
		fps = append(fps, fp)
	}
	sort.Strings(fps)
	for _, fp := range fps {
		rec := lc.canon[fp]
		if rec == nil || lc.seen[fp] {
			continue
		}
		if rec.state != "open" {
			// Closed and not seen: deliver a resolution made in this run
			// (a re-run) again only if it was not delivered yet.
			if rec.hasState && rs.cfg.RunID != 0 && rec.st.NotifyRunID == rs.cfg.RunID && rec.st.Notify == NotifyResolved {
				ar := &AlertResult{Fingerprint: fp, Type: rec.st.Type, Level: rec.st.Level, Title: rec.title, Scope: rec.st.Scope,
					Source: rec.st.Source, Problem: rec.st.Problem, Action: ActionUnchanged, Notify: NotifyResolved, Issue: rec.number,
					IssueURL: rec.url, Deliveries: []Delivery{}, dry: rs.cfg.DryRun}
				ar.setState(rec.st)
				rs.res.Alerts = append(rs.res.Alerts, ar)
				rs.byFP[fp] = ar
			}
			continue
		}
		ar := lc.resolve(ctx, rec)
		ar.dry = rs.cfg.DryRun
		if ar.Deliveries == nil {
			ar.Deliveries = []Delivery{}
		}
		if ar.Action != ActionSkipped || ar.Reason != "" {
			rs.res.Alerts = append(rs.res.Alerts, ar)
			rs.byFP[fp] = ar
		}
		if ar.Action == ActionClosed && !rs.cfg.DryRun {
			rs.logf("%s #%d: %s; reopen with: gh issue reopen %d --repo %s", ar.Action, rec.number, ar.Reason, rec.number, rs.cfg.Repository)
		} else {
			rs.logf("%s #%d: %s", ar.Action, rec.number, ar.Reason)
		}
	}
	return lc
}

// restoreRecords makes sure canon points at records carrying this run's
// state for every fingerprint (a re-list replaced them with fresh copies;
// the fresh copies carry the same bodies, so nothing is lost).
func (l *lifecycle) restoreRecords() {
	for fp, recs := range l.all {
		if c := l.canon[fp]; c == nil {
			for _, r := range recs {
				if r.state == "open" {
					l.canon[fp] = r
					break
				}
			}
		}
	}
}

func (rs *runState) finish() {
	res := rs.res
	var secs []float64
	for _, ar := range res.Alerts {
		if ar.ResponseSeconds != nil {
			secs = append(secs, *ar.ResponseSeconds)
		}
		if ar.Action == ActionFailed {
			res.Issues.Failed++
		}
	}
	res.ResponseTime.Alerts = len(secs)
	if len(secs) > 0 {
		sort.Float64s(secs)
		sum := 0.0
		for _, s := range secs {
			sum += s
		}
		mn, mx, avg := secs[0], secs[len(secs)-1], sum/float64(len(secs))
		res.ResponseTime.MinSeconds, res.ResponseTime.MaxSeconds, res.ResponseTime.AvgSeconds = &mn, &mx, &avg
	}
	res.Complete = len(res.Errors) == 0
	for _, c := range res.Calls {
		if c.Status == "failed" {
			res.Complete = false
		}
	}
	if rs.deps.Stats != nil {
		res.API = rs.deps.Stats()
	}
}

func (rs *runState) write() error {
	if rs.cfg.OutputDir == "" {
		return nil
	}
	jp := filepath.Join(rs.cfg.OutputDir, ResultsFile)
	if err := report.WriteJSON(jp, rs.res); err != nil {
		return fmt.Errorf("failed to write %s: %w", jp, err)
	}
	mp := filepath.Join(rs.cfg.OutputDir, SummaryFile)
	if err := report.WriteFile(mp, []byte(rs.res.Markdown(rs.text))); err != nil {
		return fmt.Errorf("failed to write %s: %w", mp, err)
	}
	rs.res.Files = []string{jp, mp}
	return nil
}

// Summary is the job summary (alert_summary.md).
func (r *Result) Summary() string {
	if r == nil {
		return ""
	}
	return r.Markdown(r.text)
}

// ReportFiles are alert_results.json and alert_summary.md (none when no
// output directory was given).
func (r *Result) ReportFiles() []string {
	if r == nil {
		return nil
	}
	return r.Files
}

// Findings are the alerts that were not fully delivered, one per error,
// under the alert's domain.
func (r *Result) Findings() []contract.Finding {
	if r == nil {
		return nil
	}
	var out []contract.Finding
	for _, a := range r.Alerts {
		for _, e := range a.Errors {
			out = append(out, contract.Finding{Domain: a.Scope, Category: "delivery", Severity: contract.SeverityHigh,
				Title: "alert not fully delivered", Text: a.Title + ": " + e, Fingerprint: contract.FactFingerprint(a.Fingerprint, "delivery")})
		}
	}
	return out
}
