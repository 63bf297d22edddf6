package monitor

// dashboardScript sorts and filters the dashboard's tables. The page reads
// whole without it (the tables come sorted worst first); the filter form is
// shown only when the script runs. A cell's data-v is its sort key ("" sorts
// last), else its text.
const dashboardScript = `(function () {
  "use strict";
  function key(row, col, numeric) {
    var cell = row.cells[col];
    if (!cell) return null;
    var v = cell.getAttribute("data-v"), t = cell.textContent.trim();
    if (v !== null) return v === "" ? null : parseFloat(v);
    if (!numeric) return t.toLowerCase();
    var n = parseFloat(t);
    return isNaN(n) ? null : n;
  }
  function compare(a, b, asc) {
    if (a === b) return 0;
    if (a === null) return 1;
    if (b === null) return -1;
    return (a < b ? -1 : 1) * (asc ? 1 : -1);
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    var body = table.tBodies[0];
    Array.prototype.forEach.call(body.rows, function (r, i) { r.setAttribute("data-i", i); });
    Array.prototype.forEach.call(table.querySelectorAll("th button[data-col]"), function (button) {
      button.addEventListener("click", function () {
        var th = button.parentNode, col = +button.getAttribute("data-col"), numeric = th.hasAttribute("data-num");
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(table.querySelectorAll("th[aria-sort]"), function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) { return compare(key(a, col, numeric), key(b, col, numeric), asc) || (+a.getAttribute("data-i") - +b.getAttribute("data-i")); });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });
  var form = document.getElementById("controls");
  var table = document.getElementById("domains");
  if (!form || !table) return;
  form.hidden = false;
  var text = document.getElementById("filter"), band = document.getElementById("band"), shown = document.getElementById("shown");
  var rows = Array.prototype.slice.call(table.tBodies[0].rows);
  function apply() {
    var q = text.value.trim().toLowerCase(), b = band.value, n = 0;
    rows.forEach(function (r) {
      var ok = (!q || r.cells[0].textContent.toLowerCase().indexOf(q) >= 0) && (!b || r.cells[1].textContent.trim() === b);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + rows.length + " domains shown";
  }
  text.addEventListener("input", apply);
  band.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  apply();
})();`

const dashboardHTML = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{.CSP}}">
<title>Ecosystem health: {{.AlertText}}</title>
<style>
:root{--fg:#1f2328;--muted:#59636e;--bg:#f6f8fa;--card:#fff;--line:#d1d9e0;--link:#0550ae;
--healthy:#116329;--healthy-bg:#dafbe1;--warning:#7a4a00;--warning-bg:#fff1c2;--critical:#a40e26;--critical-bg:#ffe1e4;--other:#3d444d;--other-bg:#eaeef2}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg);overflow-wrap:break-word}
header,main,footer{max-width:1200px;margin:0 auto;padding:.75rem 1rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;margin:1.6rem 0 .5rem}h3{font-size:1.1rem;margin:0;overflow-wrap:anywhere}h4{font-size:1rem;margin:1rem 0 .3rem}
a{color:var(--link)}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.4rem;z-index:2}
.meta{color:var(--muted);margin:0;overflow-wrap:anywhere}
.status{border:2px solid var(--line);border-radius:8px;padding:.8rem 1rem;background:var(--card)}
.status h2{margin:0 0 .3rem}
.status-critical{border-color:var(--critical)}.status-critical h2{color:var(--critical)}
.status-warning{border-color:var(--warning)}.status-warning h2{color:var(--warning)}
.status-none{border-color:var(--healthy)}.status-none h2{color:var(--healthy)}
.next{font-size:1.05rem;margin:.3rem 0;overflow-wrap:anywhere}
.stats{display:flex;flex-wrap:wrap;gap:.4rem;padding:0;margin:.5rem 0 0;list-style:none}
.stats li{border:1px solid var(--line);border-radius:6px;padding:.15rem .55rem;background:var(--bg)}
.badge{display:inline-block;border-radius:999px;padding:0 .55rem;font-weight:600;font-size:.9rem;white-space:nowrap}
.band-healthy{color:var(--healthy);background:var(--healthy-bg)}.band-warning{color:var(--warning);background:var(--warning-bg)}
.band-critical{color:var(--critical);background:var(--critical-bg)}.band-archived,.band-unknown{color:var(--other);background:var(--other-bg)}
.B{display:inline-block;border-radius:999px;padding:0 .55rem;font-weight:600;font-size:.9rem}.B.h{color:var(--healthy);background:var(--healthy-bg)}
.B.w{color:var(--warning);background:var(--warning-bg)}.B.c{color:var(--critical);background:var(--critical-bg)}.B.a,.B.u{color:var(--other);background:var(--other-bg)}
#domains tbody th{white-space:nowrap}
#domains td:nth-child(3),#domains td:nth-child(5),#domains td:nth-child(6),#domains td:nth-child(8),#domains td:nth-child(9),#domains thead th[data-num]{text-align:right;white-space:nowrap}
.table-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:8px;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9rem}
caption{text-align:left;padding:.4rem .5rem;color:var(--muted)}
th,td{padding:.35rem .5rem;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{background:var(--bg);white-space:nowrap}
th button{font:inherit;font-weight:700;color:var(--fg);background:none;border:0;padding:0;cursor:pointer;text-decoration:underline dotted}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
td.num,th.num{text-align:right;white-space:nowrap}
.na{color:var(--muted);font-style:italic}
td.cause{min-width:16rem;max-width:28rem}td.fix{min-width:12rem;max-width:24rem}
.red{color:var(--critical);font-weight:600}
code{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85rem}
.controls{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.4rem 0}
.controls input,.controls select{font:inherit;padding:.2rem .4rem;border:1px solid var(--muted);border-radius:4px;background:#fff;color:var(--fg)}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,460px),1fr));gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;min-width:0}
.card-head{display:flex;justify-content:space-between;align-items:baseline;gap:.5rem;flex-wrap:wrap}
.score{font-size:1.8rem;font-weight:700}.score small{font-size:.9rem;font-weight:400;color:var(--muted)}
.headline{font-weight:600;margin:.4rem 0;overflow-wrap:anywhere}
figure{margin:.6rem 0}figcaption{font-size:.8rem;color:var(--muted)}
svg.chart{width:100%;height:auto;display:block}
svg .plot{fill:#fff;stroke:#d1d9e0}svg .grid{stroke:#eaeef2}
svg text{font:11px system-ui,sans-serif;fill:#59636e}
svg .th{stroke-dasharray:4 3;stroke-width:1.2}svg .th-healthy{stroke:#116329}svg .th-warning{stroke:#7a4a00}
svg text.thl-healthy{fill:#116329}svg text.thl-warning{fill:#7a4a00}
svg .line{fill:none;stroke:#0550ae;stroke-width:2}svg .dot{fill:#0550ae}
svg .bar{fill:#9ec5fe}svg .bar-fail{fill:#a40e26}
svg text.cur{font-weight:700;fill:#1f2328;font-size:11px}svg text.miss{fill:#59636e;font-size:11px}
.comp td:first-child{white-space:nowrap}
.findings{padding-left:1.1rem;margin:.4rem 0;font-size:.9rem}.findings li{overflow-wrap:anywhere}
details{margin:.5rem 0}summary{cursor:pointer;color:var(--link)}
.trend-worse{color:var(--critical)}.trend-better{color:var(--healthy)}.trend-steady,.trend-unknown{color:var(--muted)}
.warning-box{border:2px solid var(--warning);background:var(--warning-bg);padding:.6rem;border-radius:6px}
@media (max-width:640px){body{font-size:15px}header,main,footer{padding:.5rem}.cards{grid-template-columns:1fr}.card{padding:.7rem}
.score{font-size:1.5rem}th,td{padding:.3rem .35rem}
#domains tbody th{max-width:9.5rem;white-space:normal}#domains .B{font-size:.8rem;padding:0 .35rem}
#domains th:nth-child(4),#domains td:nth-child(4),#domains th:nth-child(6),#domains td:nth-child(6),#domains th:nth-child(9),#domains td:nth-child(9){display:none}}
</style>
</head>
<body>
<a class="skip" href="#main">Skip to the dashboard</a>
<header>
<h1>Ecosystem health</h1>
<p class="meta">Generated <time datetime="{{.GeneratedISO}}">{{.Generated}}</time> · window {{.Window}} · recent activity = the last {{.Recent}}</p>
</header>
<main id="main">
<section class="status status-{{.AlertLevel}}" aria-labelledby="status-h">
<h2 id="status-h">{{.AlertText}}</h2>
{{if .NextStep}}<p class="next" id="next-step"><strong>Do first:</strong> {{.NextStep}}</p>{{else}}<p class="next" id="next-step">Nothing needs doing: every domain is healthy.</p>{{end}}
<ul class="stats" aria-label="Counts">
<li><strong>{{.Summary.TotalDomains}}</strong> domains</li>
<li><strong>{{.Summary.CriticalDomains}}</strong> critical</li>
<li><strong>{{.Summary.WarningDomains}}</strong> warning</li>
<li><strong>{{.Summary.UnknownDomains}}</strong> unknown</li>
<li><strong>{{.Summary.HealthyDomains}}</strong> healthy</li>
<li><strong>{{.Summary.ArchivedDomains}}</strong> archived</li>
<li>average score <strong>{{.Average}}</strong> of 100</li>
<li><strong>{{.Summary.TotalFailures}}</strong> failed jobs in {{.Window}}</li>
<li>alert level <strong>{{.AlertLevel}}</strong></li>
</ul>
</section>
{{if .Partial}}<p class="warning-box" role="alert"><strong>Partial report:</strong> {{.MissingReason}}. Not read: {{.Missing}}.</p>{{end}}

<section aria-labelledby="domains-h">
<h2 id="domains-h">Domains, worst first</h2>
<form id="controls" class="controls" hidden role="search" aria-label="Filter the domains">
<label for="filter">Filter by name</label> <input id="filter" type="search" autocomplete="off">
<label for="band">Band</label> <select id="band"><option value="">all</option><option>critical</option><option>warning</option><option>unknown</option><option>healthy</option><option>archived</option></select>
<output id="shown" for="filter band" aria-live="polite"></output>
</form>
<p class="meta">Score from 0 to 100. Select a column heading to sort. Missing data reads “no data”, never 0.</p>
<div class="table-wrap"><table class="sortable" id="domains">
<caption>{{len .Rows}} domains</caption>
<thead><tr>
<th scope="col" aria-sort="none"><button type="button" data-col="0">Domain</button></th>
<th scope="col" aria-sort="ascending"><button type="button" data-col="1">Band</button></th>
<th scope="col" data-num aria-sort="none"><button type="button" data-col="2">Score</button></th>
<th scope="col" aria-sort="none"><button type="button" data-col="3">Change since the last run</button></th>
<th scope="col" data-num aria-sort="none"><button type="button" data-col="4">CI success</button></th>
<th scope="col" data-num aria-sort="none"><button type="button" data-col="5">Failing in a row</button></th>
<th scope="col" aria-sort="none"><button type="button" data-col="6">Default branch red since</button></th>
<th scope="col" data-num aria-sort="none"><button type="button" data-col="7">Failed runs</button></th>
<th scope="col" aria-sort="none"><button type="button" data-col="8">Last activity</button></th>
</tr></thead>
<tbody>
{{range .Rows}}<tr><th scope="row">{{if .URL}}<a href="{{safeURL .URL}}">{{.Repo.Owner}}/<wbr>{{.Repo.Name}}</a>{{else}}{{.Repo.Owner}}/<wbr>{{.Repo.Name}}{{end}}<td data-v="{{.BandRank}}"><b class="B {{.BandClass}}">{{.Band}}</b><td{{if not .ScoreSort}} class="na"{{end}}>{{.Score}}<td data-v="{{.ChangeSort}}">{{.Change}}<td{{if not .CISort}} class="na"{{end}}>{{.CI}}<td{{if not .StreakSort}} class="na"{{end}}>{{.Streak}}{{if .RedSince}}<td data-v="{{.RedSort}}" class="red">{{.RedSince}}{{else}}<td data-v="" class="na">not red{{end}}<td>{{.Failures}}<td data-v="{{.LastS}}"{{if not .LastS}} class="na"{{end}}>{{.Last}}
{{end}}</tbody></table></div>
</section>

<section aria-labelledby="cards-h">
<h2 id="cards-h">{{if .Large}}The {{len .Cards}} worst domains in detail{{else}}Each domain{{end}}</h2>
{{if .HiddenCards}}<p class="meta">{{.HiddenCards}} more domains need action: they are in the table above and in data.json.</p>{{end}}
<div class="cards">
{{range .Cards}}<article class="card" id="{{.Anchor}}" data-domain="{{.Name}}" aria-labelledby="{{.Anchor}}-h">
<div class="card-head">
<h3 id="{{.Anchor}}-h">{{if .URL}}<a href="{{safeURL .URL}}">{{.Name}}</a>{{else}}{{.Name}}{{end}}</h3>
<p class="score" aria-label="health score {{.Score}} of 100">{{.Score}} <small>/ 100</small></p>
</div>
<p class="meta"><span class="badge band-{{.Band}}">{{.Band}}</span> · {{.Change}} · confidence {{.Confidence}}</p>
{{if .Headline}}<p class="headline">{{.Headline}}</p>{{end}}
{{if .Range}}<p class="meta">{{.Range}}</p>{{end}}
{{template "chart" .Trend}}
{{template "chart" .CI}}
{{if .Workflows}}<h4>Workflows with failures</h4>
<div class="table-wrap"><table><thead><tr><th scope="col">Workflow</th><th scope="col" class="num">Failure rate</th><th scope="col" class="num">Run time p50</th><th scope="col">Trend</th></tr></thead>
<tbody>{{range .Workflows}}<tr><th scope="row">{{.Workflow}}{{if .Red}}<br><span class="red">{{.Red}}</span>{{end}}</th><td class="num">{{.Rate}} of {{.Runs}}</td><td class="num">{{.P50}}</td><td class="trend-{{.TrendClass}}">{{.TrendText}}</td></tr>{{end}}</tbody></table></div>
{{if .MoreWorkflows}}<p class="meta">{{.MoreWorkflows}} more workflows in data.json.</p>{{end}}{{end}}
{{if .Components}}<h4>Score components</h4>
<table class="comp"><thead><tr><th scope="col">Component</th><th scope="col">Measured</th><th scope="col" class="num">Score</th></tr></thead>
<tbody>{{range .Components}}<tr><td>{{.Name}}</td><td>{{.Value}}<br><span class="meta">{{.Detail}}</span></td><td class="num">{{.Score}}</td></tr>{{end}}
{{range .Missing}}<tr><td>{{.}}</td><td class="na" colspan="2">no data (left out of the score)</td></tr>{{end}}</tbody></table>{{end}}
{{if .Findings}}<h4>Findings</h4><ul class="findings">{{range .Findings}}<li><strong>{{.Severity}}</strong> {{.Text}}</li>{{end}}</ul>{{end}}
{{if and .Signals (not .Compact)}}<details><summary>Activity signals: {{.SignalsRead}} read, {{.SignalsUnread}} not readable</summary>
<div class="table-wrap"><table><thead><tr><th scope="col">Signal</th><th scope="col" class="num">In the window</th><th scope="col">Source, or why not read</th></tr></thead>
<tbody>{{range .Signals}}<tr><td>{{.Name}}</td><td class="num{{if eq .Value "not read"}} na{{end}}">{{.Value}}</td><td>{{.Source}}{{if .Why}}: {{.Why}}{{end}}</td></tr>{{end}}</tbody></table></div></details>{{end}}
</article>
{{end}}</div>
</section>

<section aria-labelledby="failures-h">
<h2 id="failures-h">Failures by domain and workflow</h2>
{{if .FixerFiles}}<p class="meta">Root causes and fixes from the fixer's report ({{.FixerFiles}}), else from the monitor's own log analysis. {{.ClassifiedGroups}} of {{len .Groups}} groups have one.</p>{{else}}<p class="meta">No fixer report was read{{if .FixerMissing}} ({{.FixerMissing}} not found){{end}}: root causes come from the monitor's own log analysis (analyze_failures) where it ran. {{.ClassifiedGroups}} of {{len .Groups}} groups have one.</p>{{end}}
{{if .Groups}}<p class="meta">Worst domain first, then the newest failure first.</p>
<div class="table-wrap"><table class="sortable" id="failures">
<caption>{{.Groups0}} groups</caption>
<thead><tr>
<th scope="col" aria-sort="none"><button type="button" data-col="0">Domain</button></th>
<th scope="col" aria-sort="none"><button type="button" data-col="1">Workflow</button></th>
<th scope="col" class="num" aria-sort="none"><button type="button" data-col="2">Failures</button></th>
<th scope="col" aria-sort="none"><button type="button" data-col="3">First seen</button></th>
<th scope="col" aria-sort="none"><button type="button" data-col="4">Last seen</button></th>
<th scope="col">Newest failure</th><th scope="col">Root cause</th><th scope="col">Suggested fix</th>
</tr></thead>
<tbody>
{{range $i, $g := .Groups}}<tr class="group" data-i="{{$i}}"><td>{{$g.Domain}}</td><td>{{$g.Workflow}}</td><td class="num" data-v="{{$g.CountSort}}">{{$g.Count}}</td><td>{{$g.First}}</td><td data-v="{{$g.LastSort}}">{{$g.Last}}</td>
<td>{{if $g.URL}}<a href="{{safeURL $g.URL}}">{{if $g.Job}}{{$g.Job}}{{else}}run{{end}}</a>{{else}}{{$g.Job}}{{end}}{{if $g.Where}} · {{$g.Where}}{{end}} · {{$g.Conclusion}}{{if $g.Branches}} · <code>{{$g.Branches}}</code>{{end}}{{if $g.Note}}<br><span class="meta">{{$g.Note}}</span>{{end}}</td>
<td class="cause">{{if $g.HasCause}}<strong>{{$g.Category}}</strong>: <code>{{$g.Cause}}</code><br><span class="meta">{{$g.CauseSource}}</span>{{else}}<span class="na">not classified</span>{{end}}</td>
<td class="fix">{{if $g.Fix}}{{$g.Fix}}{{else}}<span class="na">none</span>{{end}}{{if $g.PR}}<br><a href="{{safeURL $g.PR}}">the fixer's pull request</a>{{end}}</td></tr>
{{end}}</tbody></table></div>{{if .MoreGroups}}<p class="meta">{{.MoreGroups}} more groups are in data.json.</p>{{end}}{{else}}<p>No failed runs in the window.</p>{{end}}
</section>

<section aria-labelledby="ci-h">
<h2 id="ci-h">CI across the ecosystem</h2>
<p class="meta">Workflows with failures in the window, worst first: failure rate, run time and queue time as GitHub's Actions metrics count them, time to recovery of the default branch (first failure to the next green run), and the trend of the newer half of the window against the older.</p>
{{if .Workflows}}<div class="table-wrap"><table class="sortable" id="workflows">
<thead><tr>
<th scope="col" aria-sort="none"><button type="button" data-col="0">Domain</button></th>
<th scope="col" aria-sort="none"><button type="button" data-col="1">Workflow</button></th>
<th scope="col" class="num" aria-sort="none"><button type="button" data-col="2">Failure rate</button></th>
<th scope="col" class="num" aria-sort="none"><button type="button" data-col="3">Run time p50 (p95)</button></th>
<th scope="col" class="num" aria-sort="none"><button type="button" data-col="4">Queue p50</button></th>
<th scope="col" class="num" aria-sort="none"><button type="button" data-col="5">Time to recovery p50</button></th>
<th scope="col">Trend</th>
</tr></thead>
<tbody>
{{range $i, $w := .Workflows}}<tr data-i="{{$i}}"><td>{{$w.Domain}}</td><td>{{$w.Workflow}}{{if $w.Red}}<br><span class="red">{{$w.Red}}</span>{{end}}</td><td class="num" data-v="{{$w.RateSort}}">{{$w.Rate}}<br><span class="meta">{{$w.Runs}}</span></td><td class="num" data-v="{{$w.P50Sort}}">{{$w.P50}} ({{$w.P95}})</td><td class="num" data-v="{{$w.QueueSort}}">{{$w.Queue}}</td><td class="num" data-v="{{$w.TTRSort}}">{{$w.TTR}}</td><td class="trend-{{$w.TrendClass}}">{{$w.TrendText}}</td></tr>
{{end}}</tbody></table></div>{{if .MoreWorkflows}}<p class="meta">{{.MoreWorkflows}} more workflows are in data.json.</p>{{end}}{{else}}<p>No workflow failed in the window.</p>{{end}}
</section>
</main>
<footer><p class="meta">Reports: <a href="ecosystem_analysis.json">ecosystem_analysis.json</a> · <a href="ecosystem_summary.md">ecosystem_summary.md</a> · <a href="data.json">data.json</a> (report, history, failure groups)</p></footer>
<script>{{.Script}}</script>
</body>
</html>
{{define "chart"}}<figure>
{{if .Empty}}<p class="na" role="note">{{.EmptyText}}.</p>{{else}}<svg class="chart" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-labelledby="{{.ID}}-t {{.ID}}-d" xmlns="http://www.w3.org/2000/svg">
<title id="{{.ID}}-t">{{.Title}}</title><desc id="{{.ID}}-d">{{.Desc}}</desc>
{{$c := .}}<rect class="plot" x="{{.PlotX0}}" y="{{.PlotY0}}" width="{{sub .PlotX1 .PlotX0}}" height="{{sub .PlotY1 .PlotY0}}"/>
{{range .YTicks}}<line class="grid" x1="{{$c.PlotX0}}" x2="{{$c.PlotX1}}" y1="{{.Y}}" y2="{{.Y}}"/><text x="{{$c.PlotX0}}" y="{{.Y}}" dx="-4" dy="0.35em" text-anchor="end">{{.Label}}</text>
{{end}}{{range .Thresholds}}<line class="th {{.Class}}" x1="{{$c.PlotX0}}" x2="{{$c.PlotX1}}" y1="{{.Y}}" y2="{{.Y}}"/><text class="thl-{{slice .Class 3}}" x="{{$c.PlotX0}}" y="{{.Y}}" dx="3" dy="-3">{{.Label}}</text>
{{end}}{{range .XTicks}}<line class="grid" x1="{{.X}}" x2="{{.X}}" y1="{{$c.PlotY1}}" y2="{{$c.PlotY1}}"/><text class="xtick" x="{{.X}}" y="{{$c.PlotY1}}" dy="14" text-anchor="{{.Anchor}}">{{.Label}}</text>
{{end}}{{range .Bars}}<rect class="bar" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Title}}</title></rect>{{if .FH}}<rect class="bar-fail" x="{{.X}}" y="{{.FY}}" width="{{.W}}" height="{{.FH}}"><title>{{.Title}}</title></rect>{{end}}
{{end}}{{range .Segments}}<polyline class="line" points="{{.}}"/>
{{end}}{{range .Dots}}<circle class="dot" cx="{{.X}}" cy="{{.Y}}" r="3"><title>{{.Title}}</title></circle>{{end}}
{{range .Missing}}<text class="miss" x="{{.X}}" y="{{$c.PlotY1}}" dy="-3" text-anchor="middle">×<title>{{.Label}}</title></text>{{end}}
{{with .Current}}<text class="cur" x="{{.X}}" y="{{.Y}}">{{.Label}}</text>{{end}}
</svg>{{end}}
<figcaption>{{.Title}}: {{.YUnit}} by {{.XAxisLabel}}.</figcaption>
</figure>{{end}}`
