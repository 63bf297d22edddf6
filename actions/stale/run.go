package stale

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/sparesparrow/ecosystem-actions/pkg/config"
	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Config is one run: the policy from the inputs, the repositories, the mode.
type Config struct {
	Policy Policy
	// Repositories are the repositories to process, parsed at the edge
	// (ghname.ParseRepo; the runner's Repos input).
	Repositories []ghname.Repo
	DryRun       bool
	// OutputDir receives stale_analysis.json and stale_analysis.md ("" =
	// write nothing).
	OutputDir string
	// Repository is the repository running the action (GITHUB_REPOSITORY),
	// recorded in the report.
	Repository string
	// Host is the GitHub Enterprise Server host (ServerHost of
	// GITHUB_SERVER_URL; "" on github.com): restore commands name it.
	Host string
	// CursorFile keeps evidence between runs (CursorFile(cache_dir); ""
	// = none: every run reads everything it needs).
	CursorFile string
	// ContentPerHour is GitHub's hourly limit on content-creating requests
	// the run plans within (0 = GitHub's documented 500); NoContentLimit
	// plans without one (an instance without secondary limits).
	ContentPerHour int
	NoContentLimit bool
	// Now is the run's clock; every decision uses this one instant.
	Now time.Time
	// Version is the action's version and RunURL the workflow run it runs
	// in, recorded as the report's producer.
	Version, RunURL string
}

// Deps are the run's side effects.
type Deps struct {
	GitHub *github.Client
	// Stats returns the client's API accounting (ghclient.Client.Stats),
	// recorded in the report; nil for none.
	Stats func() any
	// Logf prints a progress line; its arguments are untrusted and must be
	// escaped by the implementation (runner.Run.Infof does).
	Logf func(format string, args ...any)
	// Clock is the time writes are recorded at in the cursor (default
	// time.Now); tests share the emulator's clock.
	Clock func() time.Time
}

// Result is what a run produced.
type Result struct {
	Plan     *Plan
	Analysis *Analysis
	Identity Identity
	// Files written (JSON, Markdown).
	Files []string
	// Warnings are problems worth an annotation that did not stop the run
	// (a bot_login mismatch, an unreadable cursor).
	Warnings []string
}

// ErrPartial marks a run that finished but could not process every
// repository; the report says which and why.
var ErrPartial = errors.New("some repositories were not processed")

// ErrWritesFailed marks a run in which writes failed: the report and
// PlannedItem.Error say which, and the step must fail.
var ErrWritesFailed = errors.New("some writes failed")

// reserve is how many requests a run keeps back for its tracking-issue
// writes and the checks before retrying a failed write.
func reserve(repos int) int { return 2*repos + 3 }

// Validate checks the run's settings (inputs and repositories) before
// anything is read or written.
func (c Config) Validate() error {
	var errs []error
	if err := c.Policy.Validate(""); err != nil {
		errs = append(errs, err)
	}
	if c.ContentPerHour < 0 {
		errs = append(errs, &config.SettingError{Source: config.InputSource, Name: "content_per_hour", Value: fmt.Sprint(c.ContentPerHour), Reason: "must be 0 (no limit) or more"})
	}
	if len(c.Repositories) == 0 {
		errs = append(errs, &config.SettingError{Source: config.InputSource, Name: "repositories", Value: "", Reason: "no repository to process (set repositories, or run in a repository)"})
	}
	for _, r := range c.Repositories {
		if reason := repoProblem(r); reason != "" {
			errs = append(errs, &config.SettingError{Source: config.InputSource, Name: "repositories", Value: r.String(), Reason: "must be owner/name: " + reason})
		}
	}
	return errors.Join(errs...)
}

// repoProblem says what makes r unusable to the run, or "". Names are
// checked against GitHub's rules where they are parsed (ghname.ParseRepo,
// the runner's Repos input); this catches what a library caller can still
// hand over: a Repo with a part missing, or a part holding the '/' that
// would make "owner/name" (how the plan, the report and the cursor name a
// repository) name another one.
func repoProblem(r ghname.Repo) string {
	switch {
	case r.Owner == "" && r.Name == "":
		return "the owner and the repository name are empty"
	case r.Owner == "":
		return "the owner is empty"
	case r.Name == "":
		return "the repository name is empty"
	case strings.Contains(r.Owner, "/") || strings.Contains(r.Name, "/"):
		return "the owner or the repository name holds a '/'"
	}
	return ""
}

// Run finds the token's identity, reads the budget, collects, then decides
// and acts item by item, oldest first, reading an item (when its list entry
// and the repository-wide listings cannot decide it) right before deciding
// it and writing right after, until the budget is spent; then it updates
// the tracking issues, saves the cursor and reports. Bad inputs and bad
// .github/ecosystem.yml files fail before any write. Repositories that
// cannot be read are reported and make Run return ErrPartial; failed writes
// make it return ErrWritesFailed; both after the report was written.
func Run(ctx context.Context, cfg Config, deps Deps) (*Result, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if deps.GitHub == nil {
		return nil, errors.New("failed to start: no GitHub client")
	}
	logf := deps.Logf
	if logf == nil {
		logf = func(string, ...any) {}
	}
	clock := deps.Clock
	if clock == nil {
		clock = time.Now
	}
	res := &Result{}
	id, err := ResolveIdentity(ctx, deps.GitHub, cfg.Policy.BotLogin)
	if err != nil {
		return nil, err
	}
	res.Identity = id
	if id.Mismatch != "" {
		res.Warnings = append(res.Warnings, id.Mismatch)
	}
	logf("token identity: %s (%s)", id.Login, id.Source)
	cursor, cerr := LoadCursor(cfg.CursorFile, id.Login)
	if cerr != nil {
		res.Warnings = append(res.Warnings, cerr.Error())
	}
	perHour := cfg.ContentPerHour
	switch {
	case cfg.NoContentLimit:
		perHour = -1
	case perHour == 0:
		perHour = contentPerHour
	}
	meter, err := NewMeter(ctx, deps.GitHub, reserve(len(cfg.Repositories)), cursor.ContentLeft(clock(), perHour))
	if err != nil {
		return nil, err
	}
	if meter.Disabled {
		// GitHub Enterprise Server with rate limiting off: no secondary
		// limits either.
		meter.Content, perHour = 1<<30, -1
	}
	logf("budget: %s", meter)
	pol := cfg.Policy
	pol.self = id.Login

	col := &Collector{GitHub: deps.GitHub, Now: cfg.Now, Logf: logf, Meter: meter, Cursor: cursor}
	states, repoErrs, err := col.Collect(ctx, pol, orderRepos(cfg.Repositories, cursor.Unfinished))
	if err != nil {
		return nil, err
	}
	var configErrs []error
	for _, e := range repoErrs {
		if e.Config {
			configErrs = append(configErrs, errors.New(e.Error))
		}
	}
	if len(configErrs) > 0 {
		return nil, fmt.Errorf("failed to read repository settings (nothing was written): %w", errors.Join(configErrs...))
	}
	for _, rs := range states {
		rs.Host = cfg.Host
	}
	listing, _ := meter.Used()

	pl := newPlanner(cfg.Now, cfg.Policy.OperationsPerRun, meter, cfg.DryRun)
	pl.logf = logf
	pl.read = func(ctx context.Context, rs *RepoState, it *Item, paid bool) error {
		if it.Kind == KindBranch {
			return col.readBranch(ctx, rs, it)
		}
		return col.readTimeline(ctx, rs, it, paid)
	}
	if !cfg.DryRun {
		pl.exec = &Executor{GitHub: deps.GitHub, Now: cfg.Now, Logf: logf, Meter: meter, Identity: id, Cursor: cursor, Clock: clock}
	}
	if err := pl.run(ctx, states); err != nil {
		return nil, err
	}
	plan := pl.plan
	if cfg.DryRun {
		for _, c := range plan.Calls() {
			logf("dry run: would %s (%s)", c.String(), c.Summary)
		}
	}
	if pl.exec != nil && pl.exec.mismatch != "" {
		res.Warnings = append(res.Warnings, pl.exec.mismatch)
	}

	// The budget's account.
	used, content := meter.Used()
	b := &plan.Budget
	b.RateLimit, b.RateRemaining, b.Requests, b.ContentWrites, b.Stopped = meter.Limit, meter.Remaining, used, content, meter.Stopped()
	b.RunsForPass = 1
	// What the deferred items need, at what deciding an item cost this run.
	perItem, perItemContent := 3.0, 2.0
	if pl.decided > 0 {
		perItem = float64(pl.itemRequests) / float64(pl.decided)
		perItemContent = float64(pl.itemContent) / float64(pl.decided)
	}
	b.DeferredRequests = pl.knownRequests + int(float64(pl.unread)*perItem+0.999)
	deferredContent := pl.knownContent + int(float64(pl.unread)*perItemContent+0.999)
	var unfinished []string
	for _, e := range repoErrs {
		if e.Deferred {
			unfinished = append(unfinished, e.Repository)
			b.DeferredRequests += 4 + listing/max(1, len(states))
		}
	}
	for _, rs := range states {
		if rs.Partial {
			unfinished = append(unfinished, rs.Repo.String())
		}
	}
	if b.Deferred > 0 || len(unfinished) > 0 {
		if per := meter.PerRun(); per > 0 {
			// Each further run lists again before it acts.
			room := max(1, per-listing)
			b.RunsForPass = 1 + (b.DeferredRequests+room-1)/room
			if c := deferredContent; c > 0 && perHour > 0 {
				b.RunsForPass = max(b.RunsForPass, 1+(c+perHour-1)/perHour)
			}
		} else {
			b.RunsForPass = 0 // unknown
		}
	}

	// The cursor: evidence of what was not written to, where to start.
	for _, rs := range states {
		if !rs.Partial {
			rs.cursor.prune(rs.Items)
		}
		for _, it := range rs.Items {
			if it.Kind != KindBranch && it.Read && (it.Evidence == EvidenceTimeline || it.Evidence == EvidenceListings) {
				rs.cursor.remember(rs.Policy, it)
			}
		}
	}
	for _, it := range plan.Items {
		if len(it.Executed) > 0 {
			if rs := stateOf(states, it.Repository); rs != nil {
				rs.cursor.forget(&Item{Kind: it.Kind, Number: it.Number})
			}
		}
	}
	if cursor != nil {
		cursor.Unfinished = unfinished
		if !cfg.DryRun {
			if err := cursor.Save(clock()); err != nil {
				res.Warnings = append(res.Warnings, err.Error())
			}
		}
	}

	var stats any
	if deps.Stats != nil {
		stats = deps.Stats()
	}
	a := Analyze(plan, states, repoErrs, cfg.Repository, stats)
	a.Envelope = contract.NewEnvelope(contract.KindStale, contract.Producer{Action: ProducerAction, Version: cfg.Version, RunURL: cfg.RunURL}, cfg.Now)
	a.Identity = id
	res.Plan, res.Analysis = plan, a
	if cfg.OutputDir != "" {
		jsonPath := filepath.Join(cfg.OutputDir, "stale_analysis.json")
		mdPath := filepath.Join(cfg.OutputDir, "stale_analysis.md")
		if err := report.WriteJSON(jsonPath, a); err != nil {
			return res, fmt.Errorf("failed to write the report: %w", err)
		}
		if err := report.WriteFile(mdPath, []byte(a.Markdown())); err != nil {
			return res, fmt.Errorf("failed to write the report: %w", err)
		}
		res.Files = []string{jsonPath, mdPath}
	}
	var errs []error
	if n := a.Summary.Failed; n > 0 && !cfg.DryRun {
		errs = append(errs, fmt.Errorf("%w: %d items not done (see the report)", ErrWritesFailed, n))
	}
	var notProcessed int
	for _, e := range repoErrs {
		if !e.Deferred {
			notProcessed++
		}
	}
	if notProcessed > 0 {
		errs = append(errs, fmt.Errorf("%w: %d of %d", ErrPartial, notProcessed, len(cfg.Repositories)))
	}
	return res, errors.Join(errs...)
}

func stateOf(states []*RepoState, repo string) *RepoState {
	for _, rs := range states {
		if rs.Repo.String() == repo {
			return rs
		}
	}
	return nil
}

// orderRepos puts the repositories the last run could not finish first, so
// consecutive runs cover every repository even when one run cannot.
// unfinished are "owner/name" as the cursor file keeps them, matched
// case-insensitively (GitHub's names are).
func orderRepos(repos []ghname.Repo, unfinished []string) []ghname.Repo {
	first := map[string]bool{}
	for _, r := range unfinished {
		first[strings.ToLower(r)] = true
	}
	out := make([]ghname.Repo, 0, len(repos))
	for _, r := range repos {
		if first[strings.ToLower(r.String())] {
			out = append(out, r)
		}
	}
	for _, r := range repos {
		if !first[strings.ToLower(r.String())] {
			out = append(out, r)
		}
	}
	return out
}

// planner decides and (unless planning only) acts item by item.
type planner struct {
	now     time.Time
	plan    *Plan
	opsLeft int
	meter   *Meter
	// read fetches an item's timeline or a branch's commit; paid says the
	// first request was already taken from the meter. nil: items are
	// decided as collected.
	read func(ctx context.Context, rs *RepoState, it *Item, paid bool) error
	// exec performs an item's calls right after its decision (nil: plan
	// only, a dry run or Decide).
	exec *Executor
	logf func(format string, args ...any)

	deferring bool
	// itemRequests and decided measure what deciding an item cost this run
	// (reads and writes), to estimate what the deferred ones need:
	// knownRequests/knownContent are the planned writes of deferred items
	// that were decided, unread the deferred items not read yet.
	itemRequests, itemContent, decided  int
	knownRequests, knownContent, unread int
	trackingPaid                        map[ghname.Repo]bool
	branches                            map[ghname.Repo][]*PlannedItem
	failedDelete                        map[ghname.Repo]map[string]bool
}

func newPlanner(now time.Time, ops int, m *Meter, dryRun bool) *planner {
	return &planner{now: now, plan: &Plan{GeneratedAt: now, DryRun: dryRun, Budget: Budget{Limit: ops}}, opsLeft: ops, meter: m,
		trackingPaid: map[ghname.Repo]bool{}, branches: map[ghname.Repo][]*PlannedItem{}, failedDelete: map[ghname.Repo]map[string]bool{},
		logf: func(string, ...any) {}}
}

type unit struct {
	rs  *RepoState
	it  *Item
	key time.Time
}

// orderKey: the oldest update first (for an item: updated_at, which only
// moves forward; for a branch: its last commit when known, else after
// every pull request and issue).
func orderKey(now time.Time, it *Item) time.Time {
	switch {
	case it.Kind != KindBranch:
		return it.UpdatedAt
	case !it.CommitDate.IsZero():
		return it.CommitDate
	}
	return now.Add(24 * time.Hour)
}

func (pl *planner) run(ctx context.Context, states []*RepoState) error {
	var units []unit
	for _, rs := range states {
		for _, it := range rs.Items {
			units = append(units, unit{rs: rs, it: it, key: orderKey(pl.now, it)})
		}
	}
	sort.SliceStable(units, func(i, j int) bool {
		a, b := units[i], units[j]
		if !a.key.Equal(b.key) {
			return a.key.Before(b.key)
		}
		if ra, rb := a.rs.Repo.String(), b.rs.Repo.String(); ra != rb {
			return ra < rb
		}
		if a.it.Kind != b.it.Kind {
			return kindOrder(a.it.Kind) < kindOrder(b.it.Kind)
		}
		if a.it.Number != b.it.Number {
			return a.it.Number < b.it.Number
		}
		return a.it.Branch < b.it.Branch
	})
	for _, u := range units {
		if err := ctx.Err(); err != nil {
			return err
		}
		pi, err := pl.one(ctx, u)
		if err != nil {
			return fmt.Errorf("failed to plan %s: %w", u.rs.Repo, err)
		}
		pl.plan.Items = append(pl.plan.Items, pi)
		if u.it.Kind == KindBranch {
			pl.branches[u.rs.Repo] = append(pl.branches[u.rs.Repo], pi)
		}
	}
	pl.tracking(ctx, states)
	sort.SliceStable(pl.plan.Items, func(i, j int) bool {
		a, b := pl.plan.Items[i], pl.plan.Items[j]
		if a.Repository != b.Repository {
			return repoIndex(states, a.Repository) < repoIndex(states, b.Repository)
		}
		if a.Kind != b.Kind {
			return kindOrder(a.Kind) < kindOrder(b.Kind)
		}
		if a.Number != b.Number {
			return a.Number < b.Number
		}
		return a.Branch < b.Branch
	})
	return nil
}

func repoIndex(states []*RepoState, repo string) int {
	for i, rs := range states {
		if rs.Repo.String() == repo {
			return i
		}
	}
	return len(states)
}

// maxWrites bounds an item's writes before it is read (warn, close: 2).
const maxWrites = 2

func (pl *planner) deferItem(pi *PlannedItem, why string, requests bool) *PlannedItem {
	if pi.Decision != DecisionSkipBudget {
		was := ""
		if pi.Decision != "" && pi.Decision != DecisionNone {
			was = fmt.Sprintf("; was: %s %s", pi.Decision, pi.Reason)
		}
		pi.Reason = "deferred: " + why + was
	}
	if n := len(pi.Calls); n > 0 || pi.writes() {
		pl.knownRequests += max(n, 1)
		pl.knownContent += max(n, 1)
	} else {
		pl.unread++
	}
	pi.Decision, pi.Calls = DecisionSkipBudget, nil
	pi.Stale = false
	pl.plan.Budget.Deferred++
	if requests {
		pl.plan.Budget.RequestsExhausted = true
	} else {
		pl.plan.Budget.Exhausted = true
	}
	pl.deferring = true
	return pi
}

func (pl *planner) one(ctx context.Context, u unit) (*PlannedItem, error) {
	rs, it := u.rs, u.it
	if it.needsRead {
		if pl.read == nil {
			return pl.decide(rs, it)
		}
		pi := newPlanned(pl.now, rs, it)
		pi.setActivity(pl.now, it.UpdatedAt)
		// Room for the read and, unless writes already stopped, for the
		// writes it may lead to. Once writes stopped (oldest first: no item
		// is written to before an older one), reads go on while requests
		// are left: their evidence goes into the cursor, so the next run
		// decides those items without reading them again.
		need := 1
		if it.Kind != KindBranch && !pl.deferring {
			need += maxWrites
		}
		if !pl.meter.Afford(need, 0) {
			return pl.deferItem(pi, pl.budgetWhy(true)+" (it needs a read first)", true), nil
		}
		if !pl.meter.Take(1, 0) {
			return pl.deferItem(pi, pl.budgetWhy(true), true), nil
		}
		pl.itemRequests++
		if err := pl.read(ctx, rs, it, true); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return pl.deferItem(pi, "the read stopped: "+err.Error(), true), nil
		}
		it.needsRead = false
	}
	pi, err := pl.decide(rs, it)
	if err != nil {
		return nil, err
	}
	if !pi.writes() {
		pl.decided++
		return pi, nil
	}
	writes := len(pi.Calls)
	requests, content := writes, 0
	for _, c := range pi.Calls {
		if contentCreating(c) {
			content++
		}
	}
	if pi.Decision == DecisionDelete {
		requests++ // the branch is read again right before it is deleted
	}
	needTracking := it.Kind == KindBranch && !pl.trackingPaid[rs.Repo]
	if needTracking {
		writes++
		requests++
		content++
	}
	if writes > 0 && pl.deferring {
		return pl.deferItem(pi, pl.budgetWhy(false)+" on older items", false), nil
	}
	if writes > pl.opsLeft {
		return pl.deferItem(pi, fmt.Sprintf("operations_per_run (%d) spent on older items", pl.plan.Budget.Limit), false), nil
	}
	if !pl.meter.Take(requests, content) {
		return pl.deferItem(pi, pl.budgetWhy(true), true), nil
	}
	pl.opsLeft -= writes
	pl.plan.Budget.Planned += writes
	pl.decided++
	pl.itemRequests += requests
	pl.itemContent += content
	if needTracking {
		pl.trackingPaid[rs.Repo] = true
	}
	if pl.exec != nil && len(pi.Calls) > 0 {
		pl.exec.Item(ctx, rs, pi)
		if pi.Error != "" && pi.Decision == DecisionDelete {
			if pl.failedDelete[rs.Repo] == nil {
				pl.failedDelete[rs.Repo] = map[string]bool{}
			}
			pl.failedDelete[rs.Repo][pi.Branch] = true
		}
	}
	return pi, nil
}

func (pl *planner) budgetWhy(requests bool) string {
	if why := pl.meter.Stopped(); why != "" {
		return "GitHub stopped the run (" + why + ")"
	}
	if requests {
		return "the request budget (rate limit) is spent"
	}
	return fmt.Sprintf("operations_per_run (%d) spent", pl.plan.Budget.Limit)
}

func (pl *planner) decide(rs *RepoState, it *Item) (*PlannedItem, error) {
	if it.Kind == KindBranch {
		return decideBranch(pl.now, rs, it), nil
	}
	return decideIssue(pl.now, rs, it)
}

// tracking builds, pays for and writes each repository's tracking issue.
func (pl *planner) tracking(ctx context.Context, states []*RepoState) {
	for _, rs := range states {
		t := trackingFor(rs, pl.branches[rs.Repo])
		if t == nil {
			continue
		}
		t.rebuild(pl.now, pl.failedDelete[rs.Repo])
		if t.Call != nil && !pl.trackingPaid[rs.Repo] {
			// Housekeeping only (branches gone): pay if there is room.
			if pl.opsLeft < 1 || !pl.meter.TakeReserve(1, 1) {
				t.Call = nil
				t.Decision = DecisionSkipBudget
				t.Reason = "deferred: " + pl.budgetWhy(pl.opsLeft >= 1)
				pl.plan.Budget.Exhausted = true
			} else {
				pl.opsLeft--
				pl.plan.Budget.Planned++
			}
		}
		pl.plan.Tracking = append(pl.plan.Tracking, t)
		if t.Call == nil || pl.exec == nil {
			continue
		}
		pl.exec.Tracking(ctx, rs, t)
	}
}

// Outputs are the action's JSON-array outputs (OutputNames), always all
// written ([] when empty or when the run failed).
func (r *Result) Outputs() map[string]any {
	out := map[string]any{}
	for _, n := range OutputNames {
		v := []Output{}
		if r != nil && r.Analysis != nil && r.Analysis.Outputs[n] != nil {
			v = r.Analysis.Outputs[n]
		}
		out[n] = v
	}
	return out
}

// Summary is the job summary (stale_analysis.md).
func (r *Result) Summary() string {
	if r == nil || r.Analysis == nil {
		return ""
	}
	return r.Analysis.Markdown()
}

// ReportFiles are stale_analysis.json and stale_analysis.md.
func (r *Result) ReportFiles() []string {
	if r == nil {
		return nil
	}
	return r.Files
}

// Findings are the repositories that could not be processed (the stale
// items themselves are in the report, not annotations).
func (r *Result) Findings() []contract.Finding {
	if r == nil || r.Analysis == nil {
		return nil
	}
	var out []contract.Finding
	for _, f := range r.Analysis.Findings {
		if f.Category == contract.CategoryMissingData {
			out = append(out, f)
		}
	}
	return out
}
