// Package dispatch delivers repository_dispatch and workflow_dispatch events
// to many repositories, one result per target. It is the one place the alert
// and fixer actions send cross-domain events through, so both obey the same
// payload limits and report deliveries the same way.
//
// GitHub's limits: https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event
// (event_type 1–100 characters, client_payload at most 10 top-level keys and
// under 64 KB) and
// https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event
// (at most 25 inputs).
package dispatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/sparesparrow/ecosystem-actions/pkg/ghclient"
	"github.com/sparesparrow/ecosystem-actions/pkg/ghname"
)

// Limits GitHub enforces on dispatch requests.
const (
	MaxEventTypeLen  = 100
	MaxPayloadKeys   = 10
	MaxPayloadBytes  = 64 * 1024
	MaxWorkflowInput = 25
)

// EcosystemEventTypes are the repository_dispatch types the ecosystem's
// workflows listen for. Other names are allowed; these are documented.
var EcosystemEventTypes = []string{"ecosystem-alert", "domain-failure", "workflow-complete", "fixer-analysis"}

// Status of one delivery.
type Status string

// Delivery statuses.
const (
	StatusDelivered Status = "delivered"
	StatusFailed    Status = "failed"
	StatusPlanned   Status = "planned" // dry run: validated, not sent
)

// Target is a repository that receives an event (the one repository
// type, pkg/ghname).
type Target = ghname.Repo

// ParseTarget parses "owner/repo" (ghname.ParseRepo's rules, no default
// owner).
func ParseTarget(s string) (Target, error) {
	r, err := ghname.ParseRepo(s, "")
	if err != nil {
		return Target{}, fmt.Errorf("invalid target: %w", err)
	}
	return r, nil
}

// Result is what happened for one target.
type Result struct {
	Target   string `json:"target"`
	Kind     string `json:"kind"`  // repository_dispatch or workflow_dispatch
	Event    string `json:"event"` // event type, or workflow file/id
	Status   Status `json:"status"`
	Error    string `json:"error,omitempty"`
	RunID    int64  `json:"run_id,omitempty"`
	RunURL   string `json:"run_url,omitempty"`
	Attempts int    `json:"attempts"`
	// DeliveredAt is set when Status is delivered.
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
}

// ValidateEventType checks a repository_dispatch event type.
func ValidateEventType(eventType string) error {
	if eventType == "" || len(eventType) > MaxEventTypeLen {
		return fmt.Errorf("invalid event type %q: must be 1 to %d characters (the ecosystem listens for %s)",
			eventType, MaxEventTypeLen, strings.Join(EcosystemEventTypes, ", "))
	}
	return nil
}

// ValidatePayload checks a client_payload against GitHub's limits.
func ValidatePayload(payload map[string]any) error {
	if len(payload) > MaxPayloadKeys {
		return fmt.Errorf("client_payload has %d top-level keys, GitHub allows at most %d (keys: %s)",
			len(payload), MaxPayloadKeys, strings.Join(sortedKeys(payload), ", "))
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("failed to encode client_payload: %w", err)
	}
	if len(b) >= MaxPayloadBytes {
		return fmt.Errorf("client_payload is %d bytes, GitHub allows less than %d", len(b), MaxPayloadBytes)
	}
	return nil
}

// Fit returns a payload within GitHub's top-level key limit: the keys listed
// in keep come first (in that order), the remaining keys are folded into one
// "details" object. A payload that already fits is returned unchanged.
func Fit(payload map[string]any, keep ...string) map[string]any {
	if len(payload) <= MaxPayloadKeys {
		return payload
	}
	out := make(map[string]any, MaxPayloadKeys)
	for _, k := range keep {
		if v, ok := payload[k]; ok && len(out) < MaxPayloadKeys-1 {
			out[k] = v
		}
	}
	rest := map[string]any{}
	for _, k := range sortedKeys(payload) {
		if _, kept := out[k]; kept {
			continue
		}
		if len(out) < MaxPayloadKeys-1 && k != "details" {
			out[k] = payload[k]
			continue
		}
		rest[k] = payload[k]
	}
	out["details"] = rest
	return out
}

// Sender sends dispatches through a go-github client.
type Sender struct {
	Client *github.Client
	// Concurrency bounds the requests in flight (default 4: dispatches are
	// content-creating requests, which GitHub's secondary limits watch).
	Concurrency int
	// DryRun validates and reports StatusPlanned without sending.
	DryRun bool
	// Now is the clock (default time.Now).
	Now func() time.Time
	// FindRun, when true, looks up the run a workflow_dispatch started
	// (GitHub's 204 does not say; the newest workflow_dispatch run of that
	// workflow created after the request is taken). One extra request.
	FindRun bool
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// RepositoryDispatch sends one repository_dispatch event to every target.
// Invalid input fails before anything is sent; after that, one failing
// target never stops the others.
func (s *Sender) RepositoryDispatch(ctx context.Context, targets []Target, eventType string, payload map[string]any) ([]Result, error) {
	if err := ValidateEventType(eventType); err != nil {
		return nil, err
	}
	if payload == nil {
		payload = map[string]any{}
	}
	if err := ValidatePayload(payload); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("failed to encode client_payload: %w", err)
	}
	msg := json.RawMessage(raw)
	return s.fanOut(ctx, targets, func(ctx context.Context, t Target) Result {
		r := Result{Target: t.String(), Kind: "repository_dispatch", Event: eventType}
		if s.DryRun {
			r.Status = StatusPlanned
			return r
		}
		r.Attempts = 1
		_, _, err := s.Client.Repositories.Dispatch(ctx, t.Owner, t.Name, github.DispatchRequestOptions{EventType: eventType, ClientPayload: &msg})
		return s.finish(r, err)
	}), nil
}

// WorkflowDispatch starts workflow (a file name such as "release.yml" or a
// numeric id) on ref in every target with the given inputs.
func (s *Sender) WorkflowDispatch(ctx context.Context, targets []Target, workflow, ref string, inputs map[string]any) ([]Result, error) {
	workflow = strings.TrimSpace(workflow)
	if workflow == "" {
		return nil, errors.New("workflow is required: a file name such as release.yml or a numeric workflow id")
	}
	if strings.TrimSpace(ref) == "" {
		return nil, errors.New("ref is required: the branch or tag to run the workflow on")
	}
	if len(inputs) > MaxWorkflowInput {
		return nil, fmt.Errorf("workflow_dispatch has %d inputs, GitHub allows at most %d", len(inputs), MaxWorkflowInput)
	}
	id, idErr := strconv.ParseInt(workflow, 10, 64)
	return s.fanOut(ctx, targets, func(ctx context.Context, t Target) Result {
		r := Result{Target: t.String(), Kind: "workflow_dispatch", Event: workflow}
		if s.DryRun {
			r.Status = StatusPlanned
			return r
		}
		r.Attempts = 1
		sent := s.now().Add(-time.Second)
		req := github.CreateWorkflowDispatchEventRequest{Ref: ref, Inputs: inputs}
		var err error
		if idErr == nil {
			_, err = s.Client.Actions.CreateWorkflowDispatchEventByID(ctx, t.Owner, t.Name, id, req)
		} else {
			_, err = s.Client.Actions.CreateWorkflowDispatchEventByFileName(ctx, t.Owner, t.Name, workflow, req)
		}
		r = s.finish(r, err)
		if err == nil && s.FindRun {
			s.findRun(ctx, t, workflow, id, idErr == nil, sent, &r)
		}
		return r
	}), nil
}

func (s *Sender) findRun(ctx context.Context, t Target, workflow string, id int64, byID bool, since time.Time, r *Result) {
	opts := &github.ListWorkflowRunsOptions{
		Event:       "workflow_dispatch",
		Created:     ">=" + since.UTC().Format(time.RFC3339),
		ListOptions: github.ListOptions{PerPage: 5},
	}
	var runs *github.WorkflowRuns
	var err error
	if byID {
		runs, _, err = s.Client.Actions.ListWorkflowRunsByID(ctx, t.Owner, t.Name, id, opts)
	} else {
		runs, _, err = s.Client.Actions.ListWorkflowRunsByFileName(ctx, t.Owner, t.Name, workflow, opts)
	}
	if err != nil || runs == nil || len(runs.WorkflowRuns) == 0 {
		return // the API could not say; the delivery itself succeeded
	}
	newest := runs.WorkflowRuns[0]
	for _, run := range runs.WorkflowRuns[1:] {
		if run.GetCreatedAt().After(newest.GetCreatedAt().Time) {
			newest = run
		}
	}
	r.RunID = newest.GetID()
	r.RunURL = newest.GetHTMLURL()
}

func (s *Sender) finish(r Result, err error) Result {
	if err != nil {
		r.Status = StatusFailed
		r.Error = ghclient.Reason(err)
		return r
	}
	at := s.now().UTC()
	r.Status = StatusDelivered
	r.DeliveredAt = &at
	return r
}

func (s *Sender) fanOut(ctx context.Context, targets []Target, send func(context.Context, Target) Result) []Result {
	n := s.Concurrency
	if n <= 0 {
		n = 4
	}
	results := make([]Result, len(targets))
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i] = send(ctx, t)
		}()
	}
	wg.Wait()
	return results
}

// Failed returns the results that were not delivered (planned ones count as
// fine).
func Failed(results []Result) []Result {
	var out []Result
	for _, r := range results {
		if r.Status == StatusFailed {
			out = append(out, r)
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
