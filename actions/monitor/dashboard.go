package monitor

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

// Dashboard file names under pages_content/.
const (
	DashboardFile = "index.html"
	DataFile      = "data.json"
)

// DashboardData is pages_content/data.json: the report and the history the
// trend charts are drawn from.
type DashboardData struct {
	Report  Report         `json:"report"`
	History []HistoryEntry `json:"history"`
}

// WritePages writes pages_content/: the two reports, data.json and the
// static dashboard index.html (no scripts, no external resources).
func WritePages(dir string, r Report, markdown string, h *History) error {
	var entries []HistoryEntry
	if h != nil {
		entries = h.Entries
	}
	html, err := RenderDashboard(r, entries)
	if err != nil {
		return err
	}
	if err := report.WriteJSON(filepath.Join(dir, ReportFile), r); err != nil {
		return fmt.Errorf("failed to write the pages report: %w", err)
	}
	if err := report.WriteFile(filepath.Join(dir, SummaryFile), []byte(markdown)); err != nil {
		return fmt.Errorf("failed to write the pages summary: %w", err)
	}
	if err := report.WriteJSON(filepath.Join(dir, DataFile), DashboardData{Report: r, History: nonNil(entries)}); err != nil {
		return fmt.Errorf("failed to write the dashboard data: %w", err)
	}
	if err := report.WriteFile(filepath.Join(dir, DashboardFile), html); err != nil {
		return fmt.Errorf("failed to write the dashboard: %w", err)
	}
	return nil
}

type cardView struct {
	Name, URL, Band, Score, Delta, Confidence string
	Components                                []componentView
	Findings                                  []Finding
	Trend                                     trendView
	Error                                     string
}

type componentView struct{ Name, Value, Score, Detail string }

type trendView struct {
	Label    string
	Points   string // polyline points
	Dots     []dotView
	Width    int
	Height   int
	Empty    bool
	Healthy  float64 // y of the healthy threshold line
	Warning  float64
	Scores   string
	LastText string
}

type dotView struct {
	X, Y  float64
	Title string
}

type failureView struct {
	Domain, Workflow, Job, Step, Conclusion, Branch, Cause, Line, URL, RunText, When string
}

type dashboardView struct {
	Generated, Window, Recent, AlertLevel string
	Summary                               Summary
	Average                               string
	Partial                               bool
	Missing, MissingReason                string
	Cards                                 []cardView
	Failures                              []failureView
	Recommendations                       []string
	MoreFailures                          int
}

// MaxDashboardFailures caps the dashboard's failure table; data.json has
// every failure.
const MaxDashboardFailures = 200

const trendW, trendH = 280, 64

// trend draws a domain's score over the history (plus the current run) as
// SVG coordinates. Runs without a score leave a gap in the dots.
func trend(name string, r Report, entries []HistoryEntry) trendView {
	type pt struct {
		t     time.Time
		score int
	}
	var pts []pt
	for _, e := range entries {
		if p, ok := e.Domains[name]; ok && p.Score != nil && !e.Timestamp.Equal(r.Timestamp) {
			pts = append(pts, pt{e.Timestamp, *p.Score})
		}
	}
	if s := r.Domains[name].HealthScore; s != nil {
		pts = append(pts, pt{r.Timestamp, *s})
	}
	tv := trendView{Width: trendW, Height: trendH,
		Healthy: yFor(r.Settings.Bands.Healthy), Warning: yFor(r.Settings.Bands.Warning)}
	if len(pts) == 0 {
		tv.Empty = true
		tv.Label = "No score history for " + name
		return tv
	}
	var coords, scores []string
	for i, p := range pts {
		x := 4.0
		if len(pts) > 1 {
			x = 4 + float64(i)*float64(trendW-8)/float64(len(pts)-1)
		}
		y := yFor(p.score)
		coords = append(coords, fmt.Sprintf("%.1f,%.1f", x, y))
		scores = append(scores, fmt.Sprint(p.score))
		tv.Dots = append(tv.Dots, dotView{X: round1(x), Y: round1(y), Title: fmt.Sprintf("%s: %d", p.t.Format("2006-01-02 15:04"), p.score)})
	}
	tv.Points = strings.Join(coords, " ")
	tv.Scores = strings.Join(scores, ", ")
	tv.Label = fmt.Sprintf("Health score trend for %s over %d runs: %s", name, len(pts), tv.Scores)
	return tv
}

func yFor(score int) float64 { return round1(4 + float64(100-score)*float64(trendH-8)/100) }

// RenderDashboard renders index.html with html/template (every value
// escaped for its context).
func RenderDashboard(r Report, entries []HistoryEntry) ([]byte, error) {
	v := dashboardView{
		Generated: r.Timestamp.Format("2006-01-02 15:04 UTC"), Window: hoursText(r.Settings.WindowHours),
		Recent: hoursText(r.Settings.RecentHours), AlertLevel: r.Summary.AlertLevel, Summary: r.Summary,
		Average: "n/a", Partial: r.Partial, Missing: strings.Join(r.Missing, ", "), MissingReason: r.MissingReason,
		Recommendations: r.Recommendations,
	}
	if r.Summary.AverageScore != nil {
		v.Average = fmt.Sprintf("%.1f", *r.Summary.AverageScore)
	}
	for _, name := range sortedNames(r.Domains) {
		d := r.Domains[name]
		c := cardView{Name: name, URL: safeURL(d.URL), Band: d.Band, Score: scoreText(d.HealthScore),
			Delta: deltaText(r.Delta, name), Confidence: fmt.Sprintf("%.0f%%", d.Confidence*100),
			Findings: d.Findings, Trend: trend(name, r, entries), Error: d.Error}
		for _, cn := range ComponentNames {
			comp, ok := d.Components[cn]
			if !ok {
				continue
			}
			c.Components = append(c.Components, componentView{Name: strings.ReplaceAll(cn, "_", " "),
				Value: fmt.Sprintf("%g", comp.Value), Score: fmt.Sprint(comp.Score), Detail: comp.Detail})
		}
		v.Cards = append(v.Cards, c)
	}
	shown := r.Failures
	if len(shown) > MaxDashboardFailures {
		shown = shown[:MaxDashboardFailures]
		v.MoreFailures = len(r.Failures) - len(shown)
	}
	for _, f := range shown {
		fv := failureView{Domain: f.Domain, Workflow: f.Workflow, Job: f.Job, Step: f.Step, Conclusion: f.Conclusion,
			Branch: f.HeadBranch, URL: safeURL(f.URL), RunText: fmt.Sprintf("#%d", f.RunID), When: f.CreatedAt.Format("2006-01-02 15:04")}
		if f.Analysis != nil {
			fv.Cause = f.Analysis.Category
			fv.Line = f.Analysis.RootCause
		}
		v.Failures = append(v.Failures, fv)
	}
	var buf bytes.Buffer
	if err := dashboardTemplate.Execute(&buf, v); err != nil {
		return nil, fmt.Errorf("failed to render the dashboard: %w", err)
	}
	return buf.Bytes(), nil
}

var dashboardTemplate = template.Must(template.New("dashboard").Funcs(template.FuncMap{
	"safeURL": func(s string) template.URL { return template.URL(s) }, // already checked by safeURL()
}).Parse(dashboardHTML))

const dashboardHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Ecosystem health – {{.Generated}}</title>
<style>
:root { --fg:#1b1f24; --muted:#4a525c; --bg:#f6f8fa; --card:#ffffff; --line:#d0d7de;
  --healthy:#116329; --healthy-bg:#dafbe1; --warning:#7a4a00; --warning-bg:#fff1c2;
  --critical:#a40e26; --critical-bg:#ffe1e4; --other:#3d444d; --other-bg:#eaeef2; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; color:var(--fg); background:var(--bg); }
header, main { max-width:1200px; margin:0 auto; padding:1rem; }
h1 { font-size:1.6rem; margin:.2rem 0; }
h2 { font-size:1.3rem; margin:1.5rem 0 .5rem; }
h3 { font-size:1.05rem; margin:0; overflow-wrap:anywhere; }
a { color:#0550ae; }
.meta { color:var(--muted); margin:0; }
.stats { display:flex; flex-wrap:wrap; gap:.5rem; padding:0; list-style:none; }
.stats li { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:.4rem .7rem; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(300px,1fr)); gap:1rem; padding:0; list-style:none; }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:1rem; min-width:0; }
.card-head { display:flex; justify-content:space-between; align-items:baseline; gap:.5rem; }
.score { font-size:2rem; font-weight:700; }
.badge { display:inline-block; border-radius:999px; padding:0 .6rem; font-weight:600; font-size:.9rem; }
.band-healthy { color:var(--healthy); background:var(--healthy-bg); }
.band-warning { color:var(--warning); background:var(--warning-bg); }
.band-critical { color:var(--critical); background:var(--critical-bg); }
.band-archived, .band-unknown { color:var(--other); background:var(--other-bg); }
svg.trend { width:100%; height:auto; max-width:100%; display:block; margin:.5rem 0; }
.comp { width:100%; border-collapse:collapse; font-size:.9rem; }
.comp td, .comp th { padding:.15rem .3rem; text-align:left; border-bottom:1px solid var(--line); }
.findings { padding-left:1.1rem; margin:.5rem 0 0; font-size:.9rem; }
.table-wrap { overflow-x:auto; background:var(--card); border:1px solid var(--line); border-radius:8px; }
table.failures { border-collapse:collapse; width:100%; font-size:.9rem; }
table.failures th, table.failures td { padding:.4rem .5rem; border-bottom:1px solid var(--line); text-align:left; vertical-align:top; }
table.failures code { white-space:pre-wrap; overflow-wrap:anywhere; }
.warning-box { border:2px solid var(--warning); background:var(--warning-bg); color:var(--fg); padding:.6rem; border-radius:6px; }
@media (max-width:600px) { body { font-size:15px; } .cards { grid-template-columns:1fr; } header, main { padding:.6rem; } }
</style>
</head>
<body>
<header>
<h1>Ecosystem health</h1>
<p class="meta">Generated {{.Generated}} · window {{.Window}} · recent activity = last {{.Recent}} · alert level <strong>{{.AlertLevel}}</strong></p>
</header>
<main>
{{if .Partial}}<p class="warning-box" role="alert"><strong>Partial report:</strong> {{.MissingReason}}. Not read: {{.Missing}}.</p>{{end}}
<section aria-labelledby="summary-h">
<h2 id="summary-h">Summary</h2>
<ul class="stats">
<li><strong>{{.Summary.TotalDomains}}</strong> domains</li>
<li><strong>{{.Summary.HealthyDomains}}</strong> healthy</li>
<li><strong>{{.Summary.WarningDomains}}</strong> warning</li>
<li><strong>{{.Summary.CriticalDomains}}</strong> critical</li>
<li><strong>{{.Summary.ArchivedDomains}}</strong> archived</li>
<li>average score <strong>{{.Average}}</strong></li>
<li><strong>{{.Summary.TotalEvents}}</strong> events</li>
<li><strong>{{.Summary.TotalFailures}}</strong> failures</li>
</ul>
</section>
<section aria-labelledby="domains-h">
<h2 id="domains-h">Domains</h2>
<ul class="cards">
{{range .Cards}}<li class="card" data-domain="{{.Name}}">
<div class="card-head">
<h3>{{if .URL}}<a href="{{safeURL .URL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</h3>
<span class="score" aria-label="health score {{.Score}}">{{.Score}}</span>
</div>
<p class="meta"><span class="badge band-{{.Band}}">{{.Band}}</span> · change {{.Delta}} · confidence {{.Confidence}}</p>
{{if .Error}}<p>Could not be read: {{.Error}}</p>{{end}}
{{with .Trend}}{{if .Empty}}<p class="meta">{{.Label}}.</p>{{else}}<svg class="trend" viewBox="0 0 {{.Width}} {{.Height}}" role="img" aria-label="{{.Label}}" xmlns="http://www.w3.org/2000/svg">
<title>{{.Label}}</title>
<rect x="0" y="0" width="{{.Width}}" height="{{.Height}}" fill="#ffffff" stroke="#d0d7de"/>
<line x1="0" x2="{{.Width}}" y1="{{.Healthy}}" y2="{{.Healthy}}" stroke="#116329" stroke-dasharray="4 3"/>
<line x1="0" x2="{{.Width}}" y1="{{.Warning}}" y2="{{.Warning}}" stroke="#a40e26" stroke-dasharray="4 3"/>
<polyline points="{{.Points}}" fill="none" stroke="#0550ae" stroke-width="2"/>
{{range .Dots}}<circle cx="{{.X}}" cy="{{.Y}}" r="3" fill="#0550ae"><title>{{.Title}}</title></circle>{{end}}
</svg>{{end}}{{end}}
{{if .Components}}<table class="comp"><caption class="meta">Components</caption>
<thead><tr><th scope="col">Component</th><th scope="col">Value</th><th scope="col">Score</th></tr></thead>
<tbody>{{range .Components}}<tr title="{{.Detail}}"><td>{{.Name}}</td><td>{{.Value}}</td><td>{{.Score}}</td></tr>{{end}}</tbody>
</table>{{end}}
{{if .Findings}}<ul class="findings">{{range .Findings}}<li><strong>{{.Severity}}</strong> {{.Message}}</li>{{end}}</ul>{{end}}
</li>
{{end}}</ul>
</section>
<section aria-labelledby="failures-h">
<h2 id="failures-h">Failures</h2>
{{if .Failures}}<div class="table-wrap"><table class="failures">
<thead><tr><th scope="col">Domain</th><th scope="col">Workflow</th><th scope="col">Job</th><th scope="col">Step</th><th scope="col">Conclusion</th><th scope="col">Branch</th><th scope="col">Root cause</th><th scope="col">Run</th></tr></thead>
<tbody>
{{range .Failures}}<tr class="failure"><td>{{.Domain}}</td><td>{{.Workflow}}</td><td>{{.Job}}</td><td>{{.Step}}</td><td>{{.Conclusion}}</td><td><code>{{.Branch}}</code></td><td>{{if .Cause}}{{.Cause}}{{if .Line}}: <code>{{.Line}}</code>{{end}}{{else}}–{{end}}</td><td>{{if .URL}}<a href="{{safeURL .URL}}">{{.RunText}}</a>{{else}}{{.RunText}}{{end}} <span class="meta">{{.When}}</span></td></tr>
{{end}}</tbody>
</table></div>{{if .MoreFailures}}<p class="meta">{{.MoreFailures}} more failures are in data.json.</p>{{end}}{{else}}<p>No failed runs in the window.</p>{{end}}
</section>
{{if .Recommendations}}<section aria-labelledby="rec-h">
<h2 id="rec-h">Recommendations</h2>
<ul>{{range .Recommendations}}<li>{{.}}</li>{{end}}</ul>
</section>{{end}}
<footer><p class="meta">Reports: <a href="ecosystem_analysis.json">ecosystem_analysis.json</a> · <a href="ecosystem_summary.md">ecosystem_summary.md</a> · <a href="data.json">data.json</a> (report and history)</p></footer>
</main>
</body>
</html>
`
