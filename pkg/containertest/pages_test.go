package containertest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sparesparrow/ecosystem-actions/pkg/contract"
)

// page has two rows in the shape action-monitor's dashboard writes them
// (actions/monitor/dashboard_html.go): one with the fixer's root cause
// (escaped as html/template escapes it), one not classified.
const page = `<table class="sortable" id="failures"><tbody>
<tr class="group" data-i="0"><td>eco/a</td><td>CI</td><td class="num" data-v="2">2 failed runs</td><td>25 Nov 00:53</td><td data-v="1">1 Dec 20:50</td>
<td><a href="https://github.com/eco/a/actions/runs/1/job/2">build</a> · step Compile · failure · <code>main</code></td>
<td class="cause"><strong>build</strong>: <code>x.c:3: undefined reference to &#39;f&#39; &lt;here&gt;</code><br><span class="meta">from the fixer&#39;s report</span></td>
<td class="fix">Link the library.<br><a href="https://github.com/eco/a/pull/9">the fixer&#39;s pull request</a></td></tr>
<tr class="group" data-i="1"><td>eco/b</td><td>Nightly</td><td class="num" data-v="1">1 failed run</td><td>29 Nov 17:27</td><td data-v="2">29 Nov 17:27</td>
<td>run · startup_failure</td>
<td class="cause"><span class="na">not classified</span></td>
<td class="fix"><span class="na">none</span></td></tr>
</tbody></table>`

func TestPageGroups(t *testing.T) {
	t.Parallel()
	want := []PageGroup{
		{Domain: "eco/a", Workflow: "CI", Category: "build", Cause: "x.c:3: undefined reference to 'f' <here>", Source: "from the fixer's report",
			Fix: "Link the library.  the fixer's pull request"},
		{Domain: "eco/b", Workflow: "Nightly", Fix: "none"},
	}
	if diff := cmp.Diff(want, PageGroups([]byte(page))); diff != "" {
		t.Errorf("PageGroups (-want +got):\n%s", diff)
	}
}

func TestFixerCausesShown(t *testing.T) {
	t.Parallel()
	finding := func(domain, workflow, category, text string) contract.Finding {
		return contract.Finding{Domain: domain, Workflow: workflow, Category: contract.Category(category), Text: text}
	}
	for _, tt := range []struct {
		name     string
		failures []contract.Finding
		shown    int
		err      string
	}{
		{"shown", []contract.Finding{finding("eco/a", "CI", "build", "##[error]x.c:3: undefined reference to 'f' <here>")}, 1, ""},
		{"another_cause", []contract.Finding{finding("eco/a", "CI", "build", "x.c:9: something else")}, 0, "is none of the fixer's"},
		{"not_shown", []contract.Finding{finding("eco/b", "Nightly", "workflow", "boom")}, 0, `the page shows "" (not classified)`},
		{"not_on_the_page", []contract.Finding{finding("eco/c", "CI", "build", "boom")}, 0, "none of the 2 groups"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			shown, err := FixerCausesShown([]byte(page), &contract.FailureAnalysis{Failures: tt.failures})
			if len(shown) != tt.shown || (tt.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Errorf("shown %d, err %v; want %d, an error with %q", len(shown), err, tt.shown, tt.err)
			}
		})
	}
}
