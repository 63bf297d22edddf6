package monitor

import (
	"strings"
	"testing"
	"time"
)

func TestRenderingEscapesUntrustedText(t *testing.T) {
	t.Parallel()
	evil := `<img src=x onerror=alert(1)> @octocat | ::error::boom [x](javascript:alert(1))`
	r := buildReport(reportInput{
		Now: testNow,
		Domains: map[string]DomainReport{"o/a": {
			HealthScore: intp(40), Band: BandCritical, URL: "javascript:alert(1)",
			Findings:        []Finding{{Severity: SeverityCritical, Message: "open critical alert #1: " + evil}},
			IssuesDetected:  []string{evil},
			Recommendations: []string{"o/a: " + evil},
		}},
		Failures: []Failure{{Domain: "o/a", Workflow: evil, Job: evil, Step: evil, Conclusion: "failure", HeadBranch: "x`y", RunID: 1,
			URL: "https://github.com/o/a/actions/runs/1) [click](https://evil", CreatedAt: testNow.Add(-time.Hour),
			Analysis: &Analysis{Category: "build", RootCause: evil}}},
	})
	md := RenderMarkdown(r)
	// Raw text may only appear inside the root-cause code span, where it
	// renders literally.
	span := "`<img src=x onerror=alert(1)> @" + "\u200d" + "octocat \\| ::error::boom [x](javascript:alert(1))`"
	if !strings.Contains(md, span) {
		t.Errorf("root cause is not a code span %s:\n%s", span, md)
	}
	outside := strings.Replace(md, span, "", 1)
	for _, bad := range []string{"<img", "@octocat", "](javascript:", "](https://evil"} {
		if strings.Contains(outside, bad) {
			t.Errorf("markdown contains %q outside code:\n%s", bad, md)
		}
	}
	html, err := RenderDashboard(Pages{Report: r}, GroupFailures(r, FixerReports{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<img", `href="javascript:`, "onerror=alert(1)>"} {
		if strings.Contains(string(html), bad) {
			t.Errorf("dashboard contains %q", bad)
		}
	}
	if !strings.Contains(string(html), "&lt;img src=x onerror=alert(1)&gt;") {
		t.Error("dashboard does not show the untrusted text as text")
	}
}

func TestHistoryKeepsLastEntriesAndComputesDelta(t *testing.T) {
	t.Parallel()
	h := &History{}
	for i := 0; i < 5; i++ {
		r := buildReport(reportInput{Now: testNow.Add(time.Duration(i) * time.Hour),
			Domains: map[string]DomainReport{"o/a": {HealthScore: intp(50 + i*10), Band: BandCritical}}})
		h.Append(r, 3)
	}
	if len(h.Entries) != 3 || !h.Entries[0].Timestamp.Equal(testNow.Add(2*time.Hour)) {
		t.Fatalf("entries = %+v, want the last 3", h.Entries)
	}
	r := buildReport(reportInput{Now: testNow.Add(5 * time.Hour), History: h,
		Domains: map[string]DomainReport{"o/a": {HealthScore: intp(85), Band: BandHealthy}, "o/b": {Band: BandUnknown}}})
	d := r.Delta
	if d == nil || *d.Domains["o/a"].ScoreChange != -5 || !d.Domains["o/a"].BandChanged || d.NewDomains[0] != "o/b" || d.HealthyChange != 1 {
		t.Errorf("delta = %+v", d)
	}
}
