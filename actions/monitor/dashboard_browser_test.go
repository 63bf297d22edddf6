package monitor

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/sparesparrow/ecosystem-actions/actions/fixer"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// chromiumPath finds Debian's chromium; with CI=true a missing browser is a
// failure, otherwise the test is skipped saying why.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (apt-get install -y chromium); CI=true requires the browser test")
	}
	t.Skip("skipping the browser test: chromium is not installed (apt-get install -y chromium)")
	return ""
}

// artifactDir is $TEST_ARTIFACTS/monitor-dashboard when set (the
// screenshots are kept there), else a temp dir that is logged.
func artifactDir(t *testing.T) string {
	if d := os.Getenv("TEST_ARTIFACTS"); d != "" {
		dir := filepath.Join(d, "monitor-dashboard")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	return t.TempDir()
}

// browser is one headless chromium with its script errors collected.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	jsErrors []string
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true), chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	ctx, cancelTimeout := context.WithTimeout(ctx, 120*time.Second)
	t.Cleanup(cancelTimeout)
	b := &browser{ctx: ctx}
	if err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			b.jsErrors = append(b.jsErrors, ev.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if string(ev.Type) == "error" {
				b.jsErrors = append(b.jsErrors, "console.error")
			}
		}
	}); err != nil {
		t.Fatalf("failed to start chromium: %v", err)
	}
	return b
}

func evalJS[T any](t *testing.T, b *browser, what, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("%s: %s: %v", what, expr, err)
	}
	return v
}

// viewport is a screen the dashboard is checked at.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var viewports = []viewport{{"desktop", 1366, 900, false}, {"phone", 390, 844, true}}

func (b *browser) open(t *testing.T, vp viewport, path string) {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	vopts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(1)}
	if vp.mobile {
		vopts = append(vopts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	if err := chromedp.Do(b.ctx,
		chromedp.EmulateViewport(vp.width, vp.height, vopts...),
		chromedp.Navigate("file://"+abs),
		chromedp.WaitVisible(chromedp.CSS("#domains")),
	); err != nil {
		t.Fatalf("%s: %v", vp.name, err)
	}
}

// screenshot keeps the whole page, or for a long one (the 520-domain
// table) the first screen, as a test artifact.
func (b *browser) screenshot(t *testing.T, name string, full bool) {
	t.Helper()
	act := chromedp.CaptureScreenshot()
	if full {
		act = chromedp.FullScreenshot(80)
	}
	shot, err := chromedp.Run(b.ctx, act)
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	ext := ".png"
	if full {
		ext = ".jpg"
	}
	path := filepath.Join(artifactDir(t), name+ext)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// pageFacts is what a person sees, read from the rendered page.
type pageFacts struct {
	Rows       []rowFact `json:"rows"`
	FirstCard  string    `json:"firstCard"`
	NextStep   string    `json:"nextStep"`
	Causes     []string  `json:"causes"`
	CauseRows  []string  `json:"causeRows"`
	Charts     []chart   `json:"charts"`
	ScrollW    int       `json:"scrollW"`
	ClientW    int       `json:"clientW"`
	Injected   bool      `json:"injected"`
	Headings   []int     `json:"headings"`
	H1         int       `json:"h1"`
	LowContast []string  `json:"lowContrast"`
	Cards      int       `json:"cards"`
	Wide       []string  `json:"wide"`
	// ScoreVisible: the worst domain's score is on screen without
	// scrolling sideways.
	ScoreVisible bool `json:"scoreVisible"`
}

type rowFact struct {
	Name, Band, Score, CI string
}

type chart struct {
	Label  string   `json:"label"`
	XTicks []string `json:"xticks"`
	Texts  []string `json:"texts"`
	Bars   int      `json:"bars"`
	Dots   int      `json:"dots"`
}

// factsJS reads the facts in the page, the way a person would see them:
// only visible text, charts by their accessible name and the labels drawn
// on them, and the WCAG contrast ratio of every visible text against the
// background it is drawn on.
const factsJS = `(() => {
  const vis = e => { const r = e.getBoundingClientRect(); const s = getComputedStyle(e); return r.width > 0 && r.height > 0 && s.visibility !== "hidden" && s.display !== "none"; };
  const rows = [...document.querySelectorAll("#domains tbody tr")].filter(vis).map(r => ({Name: r.cells[0].innerText.trim(), Band: r.cells[1].innerText.trim(), Score: r.cells[2].innerText.trim(), CI: r.cells[4].innerText.trim()}));
  const groups = [...document.querySelectorAll("#failures tbody tr")];
  const causeRows = groups.filter(r => vis(r.querySelector("td.cause code") || r)).filter(r => r.querySelector("td.cause code")).map(r => r.cells[0].innerText.trim() + " / " + r.cells[1].innerText.trim());
  const causes = groups.map(r => r.querySelector("td.cause code")).filter(e => e && vis(e)).map(e => e.innerText.trim());
  const charts = [...document.querySelectorAll("svg.chart")].map(s => {
    const ids = (s.getAttribute("aria-labelledby") || "").split(/\s+/);
    const label = ids.map(id => { const e = document.getElementById(id); return e ? e.textContent : ""; }).join(" ").trim();
    return {label, xticks: [...s.querySelectorAll("text.xtick")].map(t => t.textContent.trim()), texts: [...s.querySelectorAll("text")].map(t => t.textContent.trim()),
      bars: s.querySelectorAll("rect.bar").length, dots: s.querySelectorAll("circle.dot").length};
  });
  const lum = c => { const m = c.match(/[\d.]+/g); if (!m) return null; const [r, g, b, a] = m.map(Number); if (a === 0) return null;
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bgOf = e => { for (let n = e; n; n = n.parentElement) { if (n instanceof SVGElement && n.ownerSVGElement) return "rgb(255, 255, 255)";
    const c = getComputedStyle(n).backgroundColor; if (c && !/rgba\(\d+, \d+, \d+, 0\)|transparent/.test(c)) return c; } return "rgb(255, 255, 255)"; };
  const low = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const t = walker.currentNode; const e = t.parentElement;
    if (!t.textContent.trim() || !e || seen.has(e) || e.closest("title, desc, script, style")) continue;
    seen.add(e);
    if (!vis(e)) continue;
    const s = getComputedStyle(e);
    const fg = lum(e instanceof SVGElement ? s.fill : s.color), bg = lum(bgOf(e));
    if (fg === null || bg === null) continue;
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const px = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const need = (px >= 24 || (bold && px >= 18.66)) ? 3 : 4.5;
    if (ratio < need) low.push(e.tagName + " '" + t.textContent.trim().slice(0, 40) + "' " + ratio.toFixed(2) + " < " + need);
  }
  const cw = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > cw + 1 && !(e.parentElement && e.parentElement.closest(".table-wrap")) && !e.closest("details:not([open])"))
    .slice(0, 5).map(e => e.tagName + "." + e.className + " " + Math.round(e.getBoundingClientRect().right) + "px");
  const firstScore = document.querySelector("#domains tbody tr td:nth-child(3)");
  const scoreVisible = !!firstScore && vis(firstScore) && firstScore.getBoundingClientRect().right <= cw;
  const firstCard = document.querySelector(".card h3");
  return {rows, firstCard: firstCard ? firstCard.innerText.trim() : "", nextStep: (document.getElementById("next-step") || {}).innerText || "",
    causes, causeRows, charts,
    scrollW: document.documentElement.scrollWidth, clientW: document.documentElement.clientWidth,
    injected: document.querySelectorAll("img, iframe, object, embed").length > 0 || document.scripts.length !== 1,
    headings: [...document.querySelectorAll("h1,h2,h3,h4,h5,h6")].map(h => +h.tagName[1]),
    h1: document.querySelectorAll("h1").length, wide, scoreVisible, lowContrast: low.slice(0, 20), cards: document.querySelectorAll(".card").length};
})()`

var dateTick = regexp.MustCompile(`^\d{1,2} [A-Z][a-z]{2}( \d\d:\d\d)?$`)

// checkPage asserts what a person sees on any dashboard: the worst domain
// first (bands in order, the lowest score first within a band), a next step
// naming the worst domain that needs action, every chart with a text
// alternative and dates on its time axis, no horizontal scrolling, no
// injected markup, headings in order, and text contrast of WCAG 2 AA.
func checkPage(t *testing.T, vp string, f pageFacts) {
	t.Helper()
	if len(f.Rows) == 0 {
		t.Fatalf("%s: no domain rows", vp)
	}
	rank := func(r rowFact) int {
		if n, ok := bandRank[r.Band]; ok {
			return n
		}
		t.Errorf("%s: row %s shows band %q", vp, r.Name, r.Band)
		return 9
	}
	for i := 1; i < len(f.Rows); i++ {
		a, b := f.Rows[i-1], f.Rows[i]
		ra, rb := rank(a), rank(b)
		var sa, sb int
		_, ea := fmt.Sscan(a.Score, &sa)
		_, eb := fmt.Sscan(b.Score, &sb)
		switch {
		case ra > rb:
			t.Errorf("%s: %s (%s) listed before %s (%s): not worst first", vp, a.Name, a.Band, b.Name, b.Band)
		case ra == rb && ea == nil && eb == nil && sa > sb:
			t.Errorf("%s: %s (score %d) listed before %s (score %d) in band %s", vp, a.Name, sa, b.Name, sb, a.Band)
		}
		if (a.CI != "no data" && !strings.HasSuffix(a.CI, "%")) || strings.TrimSpace(a.Score) == "0" && a.Band == BandUnknown {
			t.Errorf("%s: row %s shows CI %q, score %q: values need units and missing data must not read 0", vp, a.Name, a.CI, a.Score)
		}
	}
	if worst := f.Rows[0]; (worst.Band == BandCritical || worst.Band == BandWarning) && !strings.Contains(f.NextStep, worst.Name) {
		t.Errorf("%s: the next step %q does not name the worst domain %s", vp, f.NextStep, worst.Name)
	}
	if !f.ScoreVisible {
		t.Errorf("%s: the worst domain's score is off screen: scroll sideways to see it", vp)
	}
	if f.FirstCard != f.Rows[0].Name {
		t.Errorf("%s: first card %q, first row %q: the cards are not worst first", vp, f.FirstCard, f.Rows[0].Name)
	}
	for _, c := range f.Charts {
		if c.Label == "" {
			t.Errorf("%s: a chart has no text alternative", vp)
		}
		dates := 0
		for _, x := range c.XTicks {
			if dateTick.MatchString(x) {
				dates++
			}
		}
		if dates < 2 && !(c.Bars == 1 && dates == 1) {
			t.Errorf("%s: chart %q has time labels %v, want dates on its axis", vp, c.Label, c.XTicks)
		}
	}
	if f.ScrollW > f.ClientW {
		t.Errorf("%s: page is %dpx wide in a %dpx viewport (horizontal scrolling): %v", vp, f.ScrollW, f.ClientW, f.Wide)
	}
	if f.Injected {
		t.Errorf("%s: the page holds an img, iframe or a script other than its own", vp)
	}
	if f.H1 != 1 {
		t.Errorf("%s: %d h1 headings, want 1", vp, f.H1)
	}
	for i := 1; i < len(f.Headings); i++ {
		if f.Headings[i] > f.Headings[i-1]+1 {
			t.Errorf("%s: heading h%d follows h%d (a level skipped)", vp, f.Headings[i], f.Headings[i-1])
			break
		}
	}
	for _, l := range f.LowContast {
		t.Errorf("%s: contrast below WCAG AA: %s", vp, l)
	}
}

func (b *browser) facts(t *testing.T, vp string) pageFacts {
	t.Helper()
	return evalJS[pageFacts](t, b, vp, factsJS)
}

func (b *browser) checkNoScriptErrors(t *testing.T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.jsErrors) > 0 {
		t.Errorf("script errors: %v", b.jsErrors)
	}
}

// TestDashboardExampleInBrowser: the chain on the example ecosystem — the
// monitor, then the fixer on its report, then the monitor re-rendering the
// pages with the fixer's report (merge_reports + fixer_report, as the
// workflow's last step does) — opened from file:// in headless chromium at
// desktop and phone widths.
func TestDashboardExampleInBrowser(t *testing.T) {
	t.Parallel()
	b := startBrowser(t)
	f, err := emulator.LoadFixture(exampleFixture)
	if err != nil {
		t.Fatal(err)
	}
	// Untrusted text must show as text, not markup.
	for i := range f.Repositories {
		if f.Repositories[i].Name == "openssl-tools" {
			f.Repositories[i].Issues = append(f.Repositories[i].Issues, emulator.Issue{Number: 9001,
				Title: `<script>alert("x")</script><img src=x onerror=alert(1)>`, User: "oss-fan42", Labels: []string{"critical"},
				CreatedAt: f.ReferenceTime.Add(-time.Hour)})
		}
	}
	e := newEnv(t, f, emulator.Options{}, "")
	var domains []ghname.Repo
	for _, r := range f.Repositories {
		domains = append(domains, ghname.Repo{Owner: r.Owner, Name: r.Name})
	}
	out := t.TempDir()
	hist := filepath.Join(out, "history.json")
	cfg := Config{Domains: domains, Now: f.ReferenceTime, OutputDir: filepath.Join(out, "monitor"), Window: 7 * 24 * time.Hour, HistoryFile: hist}
	// Two earlier runs for the trend lines, then this one.
	for _, back := range []time.Duration{48 * time.Hour, 20 * time.Hour, 0} {
		cfg.Now = f.ReferenceTime.Add(-back)
		if _, err := Run(context.Background(), cfg, e.deps()); err != nil {
			t.Fatal(err)
		}
	}
	monitorReport := filepath.Join(cfg.OutputDir, ReportFile)
	fx, err := fixer.Run(context.Background(), fixer.Config{ReportPath: monitorReport, OutputDir: filepath.Join(out, "fixer"), Now: f.ReferenceTime},
		fixer.Deps{API: fixer.GitHubAPI{Client: e.client.Client}})
	if err != nil {
		t.Fatal(err)
	}
	// The last step: re-render the pages with the fixer's root causes.
	pages := Config{MergeReports: []string{monitorReport}, FixerReports: []string{fx.JSONPath}, OutputDir: filepath.Join(out, "pages"), HistoryFile: hist}
	res, err := Run(context.Background(), pages, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(res.PagesPath, DashboardFile)
	for _, vp := range viewports {
		b.open(t, vp, index)
		facts := b.facts(t, vp.name)
		b.screenshot(t, "example-"+vp.name, true)
		checkPage(t, vp.name, facts)
		if len(facts.Rows) != len(res.Report.Domains) {
			t.Errorf("%s: %d rows, want %d domains", vp.name, len(facts.Rows), len(res.Report.Domains))
		}
		// A root cause is visible for each red default branch, the fixer's
		// for openssl-tools' CI (the linker error of its newest failure).
		if !containsMatch(facts.CauseRows, "sparesparrow/openssl-tools / CI") {
			t.Errorf("%s: no visible root cause for openssl-tools / CI; rows with causes: %v", vp.name, facts.CauseRows)
		}
		if !containsMatch(facts.Causes, "undefined reference") && !containsMatch(facts.Causes, "implicit declaration") {
			t.Errorf("%s: the linker or compiler error of openssl-tools is not shown: %v", vp.name, facts.Causes)
		}
		for name, d := range res.Report.Domains {
			for _, w := range d.Workflows {
				if w.FailingSince != nil && !containsMatch(facts.CauseRows, name+" / "+w.Workflow) {
					t.Logf("%s: %s / %s is red without a classified cause", vp.name, name, w.Workflow)
				}
			}
		}
		// The trend shows dates, thresholds and the current value.
		trends := 0
		for _, c := range facts.Charts {
			if strings.HasPrefix(c.Label, "Health score of") && c.Dots > 0 {
				trends++
				if !containsMatch(c.Texts, "healthy ≥ 80") || !containsMatch(c.Texts, "warning ≥ 60") {
					t.Errorf("%s: trend %q does not label its thresholds: %v", vp.name, c.Label, c.Texts)
				}
				if c.Dots != 3 {
					t.Errorf("%s: trend %q has %d points, want 3 runs", vp.name, c.Label, c.Dots)
				}
			}
		}
		if trends < 4 {
			t.Errorf("%s: %d score trends with points, want one per readable domain", vp.name, trends)
		}
		// Missing data is drawn as missing: the unreadable domain has no
		// score and no CI figure, not zeros.
		for _, r := range facts.Rows {
			if r.Name == "sparesparrow/private-sandbox" && (r.Score != "no score" || r.CI != "no data") {
				t.Errorf("%s: unreadable domain shows score %q, CI %q; want no score and no data", vp.name, r.Score, r.CI)
			}
		}
	}
	// Sorting and filtering work in the page.
	b.open(t, viewports[0], index)
	names := evalJS[[]string](t, b, "sort", `(() => { const btn = [...document.querySelectorAll("#domains th button")].find(x => x.textContent.startsWith("Domain")); btn.click();
		return [...document.querySelectorAll("#domains tbody tr")].map(r => r.cells[0].innerText.trim()); })()`)
	for i := 1; i < len(names); i++ {
		if strings.ToLower(names[i-1]) > strings.ToLower(names[i]) {
			t.Errorf("after sorting by domain: %v", names)
			break
		}
	}
	shown := evalJS[string](t, b, "filter", `(() => { const f = document.getElementById("filter"); f.value = "fips"; f.dispatchEvent(new Event("input"));
		return document.getElementById("shown").textContent; })()`)
	if shown != fmt.Sprintf("1 of %d domains shown", len(res.Report.Domains)) {
		t.Errorf("filtering for fips: %q", shown)
	}
	b.checkNoScriptErrors(t)
}

// largeReport is the report of a generated ecosystem of n domains, made
// without HTTP (through the emulator it takes minutes under -race): each
// fixture repository becomes the DomainData the collector would read, is
// scored by Assess, and the shard-merge path (merge_reports) renders it
// with a history of earlier runs. The collector itself is tested against
// the emulator elsewhere; this test is about the page.
func largeReport(t *testing.T, n int) *Result {
	t.Helper()
	f := genFixture(genOptions{Domains: n, Owner: "bigorg"})
	// The generated logs are a few distinct texts: classify each once.
	fixerClassify := FixerClassifier()
	seen := map[string]*Analysis{}
	classify := func(ctx context.Context, log io.Reader) (*Analysis, error) {
		data, err := io.ReadAll(log)
		if err != nil {
			return nil, err
		}
		if a, ok := seen[string(data)]; ok {
			return a, nil
		}
		a, err := fixerClassify(ctx, bytes.NewReader(data))
		seen[string(data)] = a
		return a, err
	}
	dir := t.TempDir()
	hist := filepath.Join(dir, "history.json")
	set := Settings{Window: 7 * 24 * time.Hour, Recent: 4 * time.Hour}
	var reportPath string
	for _, back := range []time.Duration{16 * time.Hour, 8 * time.Hour, 0} {
		now := genNow.Add(-back)
		in := reportInput{Now: now, Domains: map[string]DomainReport{}, API: map[string]any{},
			Settings: Echo{WindowHours: set.Window.Hours(), RecentHours: set.Recent.Hours(), Bands: DefaultHealthConfig().Bands, Weights: DefaultHealthConfig().Weights}}
		for _, r := range f.Repositories {
			d := fixtureDomainData(t, r, classify, now, set.Window)
			a := Assess(d, DefaultHealthConfig(), set, now)
			in.Domains[d.Name] = DomainReportFrom(a, d)
			in.Failures = append(in.Failures, a.Failures...)
		}
		rep := buildReport(in)
		reportPath = filepath.Join(dir, fmt.Sprintf("run-%d", back/time.Hour), ReportFile)
		if err := report.WriteJSON(reportPath, rep); err != nil {
			t.Fatal(err)
		}
		if back > 0 { // earlier runs only feed the history
			h, err := LoadHistory(hist)
			if err != nil {
				t.Fatal(err)
			}
			h.Append(rep, DefaultHistorySize)
			writeJSON(t, hist, h)
		}
	}
	res, err := Run(context.Background(), Config{MergeReports: []string{reportPath}, OutputDir: filepath.Join(dir, "pages"), HistoryFile: hist}, Deps{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// fixtureDomainData is what the collector reads for a fixture repository
// within the window: its runs (newest first) with every job, the failed jobs
// of the latest attempts classified, its events and open items.
func fixtureDomainData(t *testing.T, r emulator.Repository, classify Classifier, now time.Time, window time.Duration) DomainData {
	t.Helper()
	d := DomainData{Name: r.FullName(), EventsKnown: true, RunsKnown: true, OpenKnown: true,
		Meta: RepoMeta{DefaultBranch: r.DefaultBranch, PushedAt: r.PushedAt, HTMLURL: "https://github.com/" + r.FullName(), OwnerType: "Organization"}}
	start := now.Add(-window)
	for _, e := range r.Events {
		if !e.CreatedAt.After(now) && !e.CreatedAt.Before(start) {
			d.Events = append(d.Events, Event{Type: e.Type, CreatedAt: e.CreatedAt})
		}
	}
	names := map[int64]string{}
	for _, w := range r.Workflows {
		names[w.ID] = w.Name
	}
	for _, run := range r.Runs {
		if run.CreatedAt.After(now) || run.CreatedAt.Before(start) {
			continue
		}
		wr := WorkflowRun{ID: run.ID, WorkflowID: run.WorkflowID, Name: names[run.WorkflowID], HeadBranch: run.HeadBranch, HeadSHA: run.HeadSHA,
			Event: run.Event, Status: "completed", Conclusion: run.Conclusion, Attempt: max(run.RunAttempt, 1), CreatedAt: run.CreatedAt,
			StartedAt: run.CreatedAt, UpdatedAt: run.UpdatedAt, HTMLURL: fmt.Sprintf("https://github.com/%s/actions/runs/%d", r.FullName(), run.ID), JobsKnown: true}
		last := 1
		for _, j := range run.Jobs {
			last = max(last, j.RunAttempt, 1)
		}
		for _, j := range run.Jobs {
			job := Job{ID: j.ID, Name: j.Name, Attempt: max(j.RunAttempt, 1), Conclusion: j.Conclusion, CreatedAt: run.CreatedAt, StartedAt: j.StartedAt,
				HTMLURL: fmt.Sprintf("https://github.com/%s/actions/runs/%d/job/%d", r.FullName(), run.ID, j.ID)}
			for _, st := range j.Steps {
				if st.Conclusion == "failure" && job.FailedStep == "" {
					job.FailedStep = st.Name
				}
			}
			if isFailure(j.Conclusion) && job.Attempt == last {
				a, err := classify(context.Background(), strings.NewReader(j.Log))
				if err != nil {
					t.Fatal(err)
				}
				job.Analysis = a
			}
			wr.Jobs = append(wr.Jobs, job)
		}
		d.Runs = append(d.Runs, wr)
	}
	sort.SliceStable(d.Runs, func(i, j int) bool { return newer(d.Runs[i], d.Runs[j]) })
	for _, p := range r.Pulls {
		d.Open = append(d.Open, Item{Number: p.Number, Title: p.Title, IsPull: true, Draft: p.Draft, Labels: p.Labels, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt})
	}
	for _, is := range r.Issues {
		d.Open = append(d.Open, Item{Number: is.Number, Title: is.Title, Labels: is.Labels, CreatedAt: is.CreatedAt, UpdatedAt: is.CreatedAt})
	}
	return d
}

// TestDashboardLargeEcosystemInBrowser: 520 generated domains. The page is
// the sortable, filterable table of every domain plus cards for the worst,
// it weighs less than 300 KB, and reads the same at both widths.
func TestDashboardLargeEcosystemInBrowser(t *testing.T) {
	t.Parallel()
	b := startBrowser(t)
	res := largeReport(t, 520)
	index := filepath.Join(res.PagesPath, DashboardFile)
	st, err := os.Stat(index)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("index.html for %d domains: %d bytes", len(res.Report.Domains), st.Size())
	if st.Size() >= 300_000 {
		t.Errorf("index.html is %d bytes for %d domains, want < 300 KB", st.Size(), len(res.Report.Domains))
	}
	for _, vp := range viewports {
		b.open(t, vp, index)
		facts := b.facts(t, vp.name)
		b.screenshot(t, "large-"+vp.name, false)
		checkPage(t, vp.name, facts)
		if len(facts.Rows) != 520 {
			t.Errorf("%s: %d rows, want 520", vp.name, len(facts.Rows))
		}
		if facts.Cards == 0 || facts.Cards > MaxLargeCards {
			t.Errorf("%s: %d cards, want 1..%d for a large ecosystem", vp.name, facts.Cards, MaxLargeCards)
		}
		if len(facts.Causes) == 0 {
			t.Errorf("%s: no root cause visible in the failure groups", vp.name)
		}
	}
	shown := evalJS[string](t, b, "filter", `(() => { const s = document.getElementById("band"); s.value = "critical"; s.dispatchEvent(new Event("change"));
		return document.getElementById("shown").textContent; })()`)
	if want := fmt.Sprintf("%d of 520 domains shown", res.Report.Summary.CriticalDomains); shown != want {
		t.Errorf("band filter critical: %q, want %q", shown, want)
	}
	// Sorting by score puts the lowest first, no score last.
	scores := evalJS[[]string](t, b, "sort", `(() => { const btn = [...document.querySelectorAll("#domains th button")].find(x => x.textContent === "Score");
		document.getElementById("band").value = ""; document.getElementById("band").dispatchEvent(new Event("change")); btn.click();
		return [...document.querySelectorAll("#domains tbody tr")].map(r => r.cells[2].innerText.trim()); })()`)
	prev := -1
	for _, sc := range scores {
		var v int
		if _, err := fmt.Sscan(sc, &v); err != nil {
			continue
		}
		if v < prev {
			t.Errorf("after sorting by score, %d follows %d", v, prev)
			break
		}
		prev = v
	}
	b.checkNoScriptErrors(t)
}

func containsMatch(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
