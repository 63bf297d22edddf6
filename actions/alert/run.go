package alert

import (
	"context"
	"crypto/rand"
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
	// Identity finds the login the token acts as (nil: AssumedLogin, the
	// GITHUB_TOKEN's github-actions[bot]).
	Identity IdentityFunc
	// Rand returns random bytes for the run's claim nonce (default
	// crypto/rand).
	Rand func([]byte)
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
	// Group is the id of the group (issue) the alert is listed in;
	// SuppressedBy the root causes that explain it (never announced alone).
	Group        string   `json:"group,omitempty"`
	SuppressedBy []string `json:"suppressed_by,omitempty"`

	summary string
	dry     bool
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

func (r *AlertResult) fromProblem(p *ProblemState, seen bool, now time.Time) {
	r.FirstSeen, r.MissedRuns = p.FirstSeen, p.Missed
	if seen {
		r.LastSeen, r.Occurrences = now, 1
	}
	r.SuppressedBy = p.SuppressedBy
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
	Groups        []*GroupResult   `json:"groups"`
	GroupBy       string           `json:"group_by"`
	FileIn        string           `json:"file_in"`
	Identity      *Identity        `json:"identity,omitempty"`
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
	// groupOf maps a notable alert to its group's result.
	groupOf map[string]*GroupResult
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

// Run turns the reports into alerts, groups them into issues and delivers
// what changed on the configured channels. Bad input returns an error before
// any request. Afterwards one failing write or target never stops the
// others: the result lists every call and delivery, the result files are
// written, and an *IncompleteError says the run must exit non-zero.
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
		Issues: emptyIssues(), Alerts: []*AlertResult{}, Groups: []*GroupResult{}, Dispatches: []DispatchResult{}, Webhooks: []WebhookResult{},
		Calls: []Call{}, Errors: []string{}, MaxLevel: LevelNone, GroupBy: cfg.GroupBy, FileIn: cfg.FileIn}
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
			Problem: a.Problem, Deliveries: []Delivery{}, summary: a.Summary, dry: cfg.DryRun, SuppressedBy: a.SuppressedBy}
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
			ar.Action = ActionSkipped
			if len(ar.SuppressedBy) == 0 {
				ar.Notify = NotifyFiring
			}
			ar.FirstSeen, ar.LastSeen, ar.Occurrences = firstSeen(built.Alerts, ar.Fingerprint, rs.now), rs.now, 1
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
	for _, g := range res.Groups {
		for _, e := range g.Errors {
			if first == "" {
				failed++
				first = e
			}
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

// sleep waits d (Deps.Sleep, default a timer).
func (rs *runState) sleep(ctx context.Context, d time.Duration) error {
	if rs.deps.Sleep != nil {
		return rs.deps.Sleep(ctx, d)
	}
	return ghclient.SleepContext(ctx, d)
}

// newClaimID names this run in claims: the run id and 8 random hex digits
// (two runs never share one, also with the same run id).
func (rs *runState) newClaimID() string {
	b := make([]byte, 4)
	if rs.deps.Rand != nil {
		rs.deps.Rand(b)
	} else {
		_, _ = rand.Read(b)
	}
	return fmt.Sprintf("run %d nonce %x", rs.cfg.RunID, b)
}

// issues runs the issue lifecycle: list the alert issues of every
// repository involved, group the alerts, and bring each group's issue up to
// date. It returns nil when the issues could not be listed (nothing is
// written then).
func (rs *runState) issues(ctx context.Context) *lifecycle {
	cfg := rs.cfg
	self := Identity{Login: AssumedLogin, Source: "assumed (the workflow's GITHUB_TOKEN)"}
	if rs.deps.Identity != nil {
		id, err := rs.deps.Identity(ctx)
		if err != nil {
			rs.failAll("could not read the token's identity: " + err.Error())
			return nil
		}
		if id.Login != "" {
			self = id
		}
	}
	rs.res.Identity = &self
	lc := &lifecycle{run: rs, gh: rs.deps.GitHub, self: self, trusted: map[string]bool{strings.ToLower(self.Login): true},
		claimID: rs.newClaimID(), recs: map[string][]*issueRec{}, held: map[string]bool{}, carried: map[string]time.Time{}}
	for _, a := range cfg.TrustedAuthors {
		lc.trusted[strings.ToLower(strings.TrimPrefix(a, "@"))] = true
	}
	groups := GroupAlerts(rs.built.Alerts, cfg.GroupBy, cfg.Label, cfg.FileIn, cfg.Repository)
	repos := []string{cfg.Repository}
	for _, g := range groups {
		repos = appendUnique(repos, g.Repo)
	}
	for _, repo := range repos {
		if err := lc.load(ctx, repo); err != nil {
			rs.failAll("alert issues could not be listed: " + ghclient.Reason(err))
			rs.logf("could not list the alert issues: %s", ghclient.Reason(err))
			return nil
		}
	}
	if lc.ignored > 0 {
		rs.logf("ignored %d issue(s) carrying the alert label and a marker that %s did not write (only the token's own issues are trusted)", lc.ignored, self.Login)
	}
	// Groups whose issue exists but that this run saw no problem of still
	// need a look: their problems may have cleared.
	known := map[string]bool{}
	for _, g := range groups {
		known[g.ID] = true
	}
	for _, repo := range repos {
		for _, r := range lc.recs[repo] {
			if r.gid == "" || known[r.gid] || !r.hasState || r.gs.Mode == groupEcosystem || !lc.mine(r) {
				continue // another grouping, label or place: retired below, not resolved
			}
			known[r.gid] = true
			groups = append(groups, &Group{ID: r.gid, Mode: r.gs.Mode, Key: r.gs.Key, Domain: anyScope(r.gs), Category: categoryOf(r.gs), Repo: repo})
		}
	}
	others := lc.otherModes()
	legacy := lc.matchLegacy(groups)
	covered := func(p *ProblemState) bool {
		return rs.built.Coverage.Kinds[p.Source] && (cfg.Type == TypeAuto || p.Type == cfg.Type) &&
			rs.built.Coverage.Covers(p.Source, p.Scope, p.Problem)
	}
	for _, g := range groups {
		gr := lc.process(ctx, processInput{group: g, legacy: legacy[g.ID], covered: covered})
		lc.groups = append(lc.groups, gr)
		rs.logf("%s %s: %s", gr.Action, nonEmpty(gr.Title, g.Key), nonEmpty(gr.Reason, strings.Join(gr.Errors, "; ")))
	}
	lc.retire(ctx, others)
	if cfg.FileIn == FileInDomain {
		lc.ecosystem(ctx)
	}
	rs.res.Groups = append(rs.res.Groups, lc.groups...)
	rs.problemResults(lc)
	return lc
}

func ownerOf(repo string) string { o, _, _ := strings.Cut(repo, "/"); return o }

// anyScope is the domain of a group state (its problems share it).
func anyScope(s GroupState) string {
	for _, fp := range s.fps() {
		if sc := s.Problems[fp].Scope; sc != "" {
			return sc
		}
	}
	k, _, _ := strings.Cut(s.Key, "|")
	return k
}

func categoryOf(s GroupState) string {
	_, c, _ := strings.Cut(s.Key, "|")
	return c
}

// ecosystem keeps the one ecosystem issue (file_in: domain) in the alert
// repository: one line per domain issue with open problems, linked.
func (l *lifecycle) ecosystem(ctx context.Context) {
	rs := l.run
	g := &Group{ID: GroupID(rs.cfg.Label, groupEcosystem, groupEcosystem), Mode: groupEcosystem, Key: groupEcosystem, Domain: "ecosystem", Repo: rs.cfg.Repository}
	processed := map[string]bool{}
	for _, gr := range l.groups {
		if gr.Action == ActionFailed || gr.Action == ActionMuted {
			continue
		}
		processed[gr.Group] = true
		if gr.Problems == 0 || gr.rec == nil {
			continue
		}
		level := gr.state.level()
		a := Alert{Fingerprint: gr.Group, Title: fmt.Sprintf("%s: %s", gr.group.Domain, plural(gr.Problems, "open problem", "open problems")),
			Level: level, Scope: gr.group.Domain, Source: KindMonitor, Problem: "group", Category: gr.Mode, RunURL: gr.IssueURL, DetectedAt: earliest(gr.state)}
		if gr.rec.number > 0 {
			a.Title = fmt.Sprintf("%s: %s (%s)", gr.group.Domain, plural(gr.Problems, "open problem", "open problems"), gr.rec.ref())
		}
		g.Alerts = append(g.Alerts, a)
	}
	sort.SliceStable(g.Alerts, func(i, j int) bool { return g.Alerts[i].Level.Rank() > g.Alerts[j].Level.Rank() })
	gr := l.process(ctx, processInput{group: g, resolveAfter: 1, covered: func(p *ProblemState) bool { return true }})
	_ = processed
	gr.notable = false // the domain issues announce; the ecosystem issue only links them
	l.groups = append(l.groups, gr)
	rs.logf("%s %s: %s", gr.Action, nonEmpty(gr.Title, "ecosystem"), nonEmpty(gr.Reason, strings.Join(gr.Errors, "; ")))
}

func earliest(s GroupState) time.Time {
	var t time.Time
	for _, p := range s.Problems {
		if p.Status != StatusResolved && (t.IsZero() || p.FirstSeen.Before(t)) {
			t = p.FirstSeen
		}
	}
	return t
}

// failAll marks every alert failed (the issues could not be handled).
func (rs *runState) failAll(msg string) {
	rs.res.Errors = append(rs.res.Errors, msg)
	for _, ar := range rs.res.Alerts {
		ar.Action = ActionFailed
		if len(ar.SuppressedBy) == 0 {
			ar.Notify = NotifyFiring
		}
		ar.Errors = append(ar.Errors, msg)
		ar.FirstSeen, ar.LastSeen, ar.Occurrences = firstSeen(rs.built.Alerts, ar.Fingerprint, rs.now), rs.now, 1
	}
}

// problemResults fills the per-alert results from the groups: each alert's
// issue, action and first sighting, plus a result for every problem the run
// did not see but whose state it changed (missed, cleared).
func (rs *runState) problemResults(lc *lifecycle) {
	for _, gr := range lc.groups {
		if gr.Mode == groupEcosystem {
			continue
		}
		about := map[string]bool{}
		for _, fp := range gr.About {
			about[fp] = true
		}
		for _, fp := range gr.state.fps() {
			p := gr.state.Problems[fp]
			ar := rs.byFP[fp]
			seen := ar != nil
			if ar == nil {
				if p.MissRun != rs.cfg.RunID && !about[fp] || p.Missed == 0 && !about[fp] {
					continue
				}
				ar = &AlertResult{Fingerprint: fp, Type: p.Type, Level: p.Level, Title: p.Title, Scope: p.Scope, Source: p.Source,
					Problem: p.Problem, Deliveries: []Delivery{}, dry: rs.cfg.DryRun}
				rs.res.Alerts = append(rs.res.Alerts, ar)
				rs.byFP[fp] = ar
			}
			ar.Group, ar.Issue, ar.IssueURL = gr.Group, gr.Issue, gr.IssueURL
			ar.fromProblem(p, seen, rs.now)
			ar.Action = gr.Action
			switch {
			case p.Status == StatusSuppressed:
				ar.Reason = "explained by " + strings.Join(p.SuppressedBy, ", ") + " (listed, not announced)"
			case !seen && p.Status == StatusResolved:
				ar.Action, ar.Reason = ActionClosed, fmt.Sprintf("cleared: not seen in %d covering run(s)", p.Missed)
			case !seen:
				ar.Action, ar.Reason = "missed", fmt.Sprintf("not seen in %d of %d run(s) needed to clear it", p.Missed, rs.cfg.ResolveAfter)
			}
			if about[fp] && gr.Notify != "" {
				ar.Notify = gr.Notify
			}
			if gr.Commented && about[fp] {
				ar.Commented = true
			}
			ar.Errors = append(ar.Errors, gr.Errors...)
			if gr.Action == ActionFailed {
				ar.Action = ActionFailed
			}
			if (gr.Action == ActionCreated || gr.Action == ActionChanged || gr.Action == ActionReopened || gr.Action == ActionClosed || gr.Action == ActionAdopted) && about[fp] {
				ar.issueDelivered(rs.now)
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

// Findings are what was not done, one per failure, each naming it: a group
// issue not (fully) written (its title and issue, and the write), a dispatch
// or webhook not delivered (channel, target, reason), any other run error.
// The runner annotates them (at most 10 errors per step, as GitHub shows).
func (r *Result) Findings() []contract.Finding {
	if r == nil {
		return nil
	}
	var out []contract.Finding
	add := func(domain, title, text, key string) {
		out = append(out, contract.Finding{Domain: domain, Category: "delivery", Severity: contract.SeverityHigh,
			Title: title, Text: text, Fingerprint: contract.FactFingerprint(key, "delivery")})
	}
	for _, g := range r.Groups {
		what := nonEmpty(g.Title, g.Key)
		if g.Issue > 0 {
			what = fmt.Sprintf("%s (%s#%d)", what, g.Repository, g.Issue)
		}
		for _, e := range g.Errors {
			add(r.Repository, "alert issue not fully written", what+": "+e, g.Group+e)
		}
	}
	for _, c := range r.Calls {
		if c.Status == "failed" && c.Channel != ChannelIssue {
			add(r.Repository, "alert not delivered", fmt.Sprintf("%s %s to %s: %s", c.Channel, c.Action, c.Target, c.Error), c.Channel+c.Target+c.Action)
		}
	}
	for _, e := range r.Errors {
		add(r.Repository, "alert run incomplete", e, e)
	}
	return out
}
