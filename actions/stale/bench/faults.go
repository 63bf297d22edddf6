package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/sparesparrow/ecosystem-actions/actions/stale"
	"github.com/sparesparrow/ecosystem-actions/actions/stale/internal/scenario"
	"github.com/sparesparrow/ecosystem-actions/pkg/emulator"
)

// faultRuns: ten daily runs on 300 items with 20% of all requests failing
// (500s, connection resets, and — where the emulator offers it — writes
// applied and then answered 502), then the invariants: no item got two
// warning comments or two close comments, none was closed without a warning
// at least days_until_close before.
func faultRuns(ctx context.Context, out io.Writer) ([]string, error) {
	fx, _ := scenario.Build(300, scenario.SteadyState)
	// A fifth of the writes are applied and then answered 500 or dropped,
	// a fifth of all requests fail outright.
	var faults []emulator.Fault
	if _, ok := appliedFaultKind(); ok {
		faults = append(faults, emulator.Fault{Kind: "applied-500", Rate: 0.12, PathRegex: "^/repos/.*/(comments|issues)$", Method: "POST"},
			emulator.Fault{Kind: "applied-reset", Rate: 0.08, PathRegex: "^/repos/.*/(comments|issues)$", Method: "POST"})
	}
	faults = append(faults, emulator.Fault{Kind: emulator.FaultInternalError, Rate: 0.12}, emulator.Fault{Kind: emulator.FaultBadGateway, Rate: 0.05},
		emulator.Fault{Kind: emulator.FaultReset, Rate: 0.04})
	dir, err := os.MkdirTemp("", "stale-faults-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	s, err := newSession(fx, 1_000_000, faults, dir)
	if err != nil {
		return nil, err
	}
	defer s.stop()
	before := s.srv.State()
	p := benchPolicy()
	failedRuns := 0
	for day := 0; day < 10; day++ {
		if _, err := s.run(ctx, p); err != nil {
			failedRuns++
		}
		s.clock.Add(24 * time.Hour)
	}
	after := s.srv.State()
	injected := 0
	for _, r := range s.srv.Requests() {
		if r.Fault != "" {
			injected++
		}
	}
	var missed []string
	doubleWarn, doubleClose, closedUnwarned, closed := 0, 0, 0, 0
	old := map[int]int{}
	for _, r := range before.Repositories {
		for _, p := range r.Pulls {
			old[p.Number] = len(p.Comments)
		}
		for _, is := range r.Issues {
			old[is.Number] = len(is.Comments)
		}
	}
	check := func(n int, state string, closedAt *time.Time, comments []emulator.Comment) {
		warns, closes := 0, 0
		var lastWarn time.Time
		for i, c := range comments {
			if c.User != scenario.Bot {
				continue
			}
			if strings.HasPrefix(c.Body, stale.MarkerWarning) || strings.HasPrefix(c.Body, stale.MarkerResolved) {
				if i >= old[n] {
					warns++
				}
				lastWarn = c.CreatedAt
			}
			if strings.HasPrefix(c.Body, stale.MarkerClose) {
				closes++
			}
		}
		if warns > 1 {
			doubleWarn++
		}
		if closes > 1 {
			doubleClose++
		}
		if state == "closed" {
			closed++
			if lastWarn.IsZero() || closedAt == nil || closedAt.Sub(lastWarn) < p.DaysUntilClose {
				closedUnwarned++
			}
		}
	}
	for _, r := range after.Repositories {
		for _, pr := range r.Pulls {
			check(pr.Number, pr.State, pr.ClosedAt, pr.Comments)
		}
		for _, is := range r.Issues {
			check(is.Number, is.State, is.ClosedAt, is.Comments)
		}
	}
	fmt.Fprintf(out, "300 items, 10 daily runs, %d of %d requests failed on purpose (%d runs reported failures): %d closed; %d items warned twice, %d closed twice, %d closed without a warning %s before\n",
		injected, len(s.srv.Requests()), failedRuns, closed, doubleWarn, doubleClose, closedUnwarned, p.DaysUntilClose)
	if doubleWarn+doubleClose+closedUnwarned > 0 {
		missed = append(missed, fmt.Sprintf("faults: %d double warnings, %d double closes, %d closes without a warning", doubleWarn, doubleClose, closedUnwarned))
	}
	if closed == 0 || injected == 0 {
		missed = append(missed, "faults: the run exercised nothing (no fault or no close)")
	}
	return missed, nil
}

// appliedFaultKind is the emulator's fault that applies a write and then
// answers 5xx, when it has one (milestone M1-routes of the emulator).
func appliedFaultKind() (string, bool) {
	for _, k := range []string{"applied-500", "applied-reset"} {
		if _, err := emulator.ParseFault("kind=" + k); err == nil {
			return k, true
		}
	}
	return "", false
}
