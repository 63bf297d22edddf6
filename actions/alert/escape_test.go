package alert

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
	"github.com/sparesparrow/ecosystem-actions/pkg/report"
)

const hostileFixer = `{"kind":"failure_analysis","schema_version":"1.1","producer":{"action":"action-fixer","version":"test"},
 "generated_at":"2026-11-20T11:00:00Z","summary":{},"analyses":[],"failures":[{"domain":"eco/app",
 "rule_id":"test.failed","title":"Tests failed @octocat <img src=x onerror=alert(1)>\n## injected heading",
 "category":"test","severity":"medium","pattern":"FAIL","line":3,
 "text":"FAIL: cc @mona and @eco/admins ` + "```" + ` </details> [click](javascript:alert(1))",
 "suggestions":["ping @mona | <b>bold</b>"],"fingerprint":"aa11","root_cause":true,
 "context":[{"line":3,"text":"::set-output name=x::owned @octocat"}]}]}`

func TestEscaping_and_mentions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		mention  []string
		live     []string // mentions that must stay live
		inert    []string // mentions that must be neutralised
		wantLogs bool
	}{
		{name: "all_mentions_neutralised", inert: []string{"@octocat", "@mona", "@eco/admins"}},
		{name: "listed_mentions_stay_live", mention: []string{"mona", "eco/admins"}, live: []string{"@mona", "@eco/admins"}, inert: []string{"@octocat"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, nil, emulator.Options{})
			cfg := e.config(t, hostileFixer, 1)
			cfg.Mention = tt.mention
			var logs []string
			res, err := Run(t.Context(), cfg, Deps{GitHub: e.gh.Client, Logf: func(f string, args ...any) {
				for _, a := range args {
					logs = append(logs, fmt.Sprint(a))
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			is := e.issues(t, "eco/alerts")[0]
			for _, s := range []string{is.Title, is.Body} {
				for _, m := range tt.inert {
					if strings.Contains(s, m) {
						t.Errorf("live mention %s in %q", m, s)
					}
					if !strings.Contains(s, "@"+report.MentionBreaker+strings.TrimPrefix(m, "@")) && s == is.Body {
						t.Errorf("mention %s missing from the body", m)
					}
				}
			}
			for _, m := range tt.live {
				if !strings.Contains(is.Body, m+" ") {
					t.Errorf("listed mention %s is not live in the body", m)
				}
			}
			// The root cause is shown literally in a code span (log text
			// is inert there); everything else must be escaped.
			body := report.RemoveHiddenJSON(is.Body, groupStateBlock) // JSON in a hidden comment: < > & are \u-escaped
			var rest []string
			for _, l := range strings.Split(body, "\n") {
				if strings.HasPrefix(l, "  - root cause: `") {
					// The span runs to the first " · " after it: one code
					// span (its fence as long as needed), the rest escaped.
					span, after, _ := strings.Cut(strings.TrimPrefix(l, "  - root cause: "), " · ")
					fence := span[:strings.IndexFunc(span, func(r rune) bool { return r != '`' })]
					if !strings.HasSuffix(span, fence) || len(span) < 2*len(fence) {
						t.Errorf("root cause is not one code span: %q", l)
					}
					rest = append(rest, after)
					continue
				}
				rest = append(rest, l)
			}
			is.Body = strings.Join(rest, "\n")
			if strings.Contains(is.Title, "\n") || strings.Contains(is.Body, "<img") || strings.Contains(is.Body, "\n## injected") ||
				strings.Contains(is.Body, "<b>") || strings.Contains(is.Body, "](javascript:") {
				t.Errorf("markup leaked into the issue:\ntitle %q\n%s", is.Title, is.Body)
			}
			if strings.Count(is.Body, "<details>") != strings.Count(is.Body, "</details>") {
				t.Errorf("details blocks unbalanced:\n%s", is.Body)
			}
			if len(tt.mention) > 0 && !strings.Contains(res.Alerts[0].Title, "@octocat") {
				t.Errorf("the result keeps the raw title; got %q", res.Alerts[0].Title)
			}
			if len(logs) == 0 {
				t.Error("nothing was logged")
			}
		})
	}
}

func TestGroupBody_is_truncated_to_github_limit(t *testing.T) {
	t.Parallel()
	g := &Group{ID: GroupID(DefaultLabel, GroupDomain, "eco/app"), Mode: GroupDomain, Key: "eco/app", Domain: "eco/app"}
	st := GroupState{Group: g.ID, Mode: g.Mode, Key: g.Key, Problems: map[string]*ProblemState{}}
	for i := 0; i < 400; i++ {
		a := Alert{Fingerprint: Fingerprint("p", fmt.Sprint(i)), Level: LevelHigh, Title: "eco/app: " + strings.Repeat("x", 300),
			RootCause: strings.Repeat("y", 1000), Suggestions: []string{strings.Repeat("z", 1000)}, Scope: "eco/app"}
		st.Problems[a.Fingerprint] = problemFrom(a, t0)
	}
	body := Text{}.groupBody(g, st, DefaultLabel, "https://github.com/eco/alerts/actions/runs/1")
	if len([]rune(body)) > MaxBodyChars {
		t.Errorf("body has %d characters", len([]rune(body)))
	}
	if ParseGroupMarker(body) != g.ID {
		t.Error("truncation lost the marker")
	}
	if !strings.Contains(body, "https://github.com/eco/alerts/actions/runs/1") || !strings.Contains(body, "were cut") {
		t.Errorf("no note linking the report artifact:\n%s", body[len(body)-300:])
	}
}

func TestGroupState_round_trip_cannot_end_the_comment(t *testing.T) {
	t.Parallel()
	st := GroupState{Group: "abcdef0123456789", Key: "eco/app --> <script>", Problems: map[string]*ProblemState{
		"aa": {Title: "--> x", Level: LevelHigh, Status: StatusActive}}, Notified: &Notified{Delivered: []string{"webhook:slack webhook #1"}}}
	body := GroupMarker(st.Group) + "\n" + st.Block() + "\nrest"
	got, ok := ParseGroupState(body)
	if !ok || got.Key != st.Key || got.Problems["aa"].Title != "--> x" || !got.Notified.has("webhook:slack webhook #1") {
		t.Errorf("round trip: %+v %v", got, ok)
	}
	if strings.Count(st.Block(), "-->") != 1 {
		t.Errorf("state block can end early: %s", st.Block())
	}
}
