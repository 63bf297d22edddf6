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
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"gopkg.in/yaml.v3"

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
	// Dropped are workflow_dispatch inputs the target workflow does not
	// declare: they were left out (GitHub answers 422 "Unexpected inputs
	// provided" otherwise).
	Dropped []string `json:"dropped_inputs,omitempty"`
	// Uncertain is set when the request may have been applied although
	// its answer was lost (5xx, reset) and no run confirms it: it was not
	// sent again, to avoid a duplicate.
	Uncertain bool `json:"uncertain,omitempty"`
	// Note says how the outcome was established when that was not the
	// answer itself (a run found after a lost answer, inputs unreadable).
	Note string `json:"note,omitempty"`
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
	// FindRun, when true, reports the run a workflow_dispatch started:
	// GitHub's answer to return_run_details, or, where it answers 204
	// (GitHub Enterprise Server before it), a bounded poll of the
	// workflow's runs filtered by Actor, event and creation time.
	FindRun bool
	// Actor is the login the token acts as: only its runs are taken for
	// the run a dispatch started.
	Actor string
	// Sleep waits between polls (default a timer); PollAttempts bounds
	// them (default 4: after 1, 2, 4 and 8 seconds).
	Sleep        func(context.Context, time.Duration) error
	PollAttempts int
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) sleep(ctx context.Context, d time.Duration) error {
	if s.Sleep != nil {
		return s.Sleep(ctx, d)
	}
	return ghclient.SleepContext(ctx, d)
}

// ambiguous reports whether a failed request may have been applied: a 5xx
// answer or none at all.
func ambiguous(err error) bool {
	if err == nil || ghclient.IsRateLimitStop(err) || errors.Is(err, context.Canceled) {
		return false
	}
	code := ghclient.StatusCode(err)
	return code == 0 || code >= 500
}

// RepositoryDispatch sends one repository_dispatch event to every target.
// Invalid input fails before anything is sent; after that, one failing
// target never stops the others. A request whose answer was lost is not
// sent again: a run of the event by Actor created since confirms it (when
// a workflow of the target listens for it); otherwise it is reported
// Uncertain.
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
		sent := s.now()
		_, _, err := s.Client.Repositories.Dispatch(ghclient.NoServerErrorRetry(ctx), t.Owner, t.Name, github.DispatchRequestOptions{EventType: eventType, ClientPayload: &msg})
		if ambiguous(err) {
			return s.settle(ctx, r, err, t, "repository_dispatch", "", sent)
		}
		return s.finish(r, err)
	}), nil
}

// settle decides a request whose answer was lost: a run it started proves
// it was applied; without one it is Uncertain and not sent again.
func (s *Sender) settle(ctx context.Context, r Result, err error, t Target, event, workflow string, sent time.Time) Result {
	if run := s.pollRun(ctx, t, event, workflow, sent, min(s.attempts(), 2)); run != nil {
		r = s.finish(r, nil)
		r.RunID, r.RunURL = run.GetID(), run.GetHTMLURL()
		r.Note = fmt.Sprintf("the answer was lost (%s); run %d shows the event arrived, so it was not sent again", ghclient.Reason(err), run.GetID())
		return r
	}
	r = s.finish(r, err)
	r.Uncertain = true
	r.Error = fmt.Sprintf("%s; the request may have been applied and no run confirms it, so it was not sent again (a re-run checks again before sending)", r.Error)
	return r
}

func (s *Sender) attempts() int {
	if s.PollAttempts > 0 {
		return s.PollAttempts
	}
	return 4
}

// Confirmed looks for a run of event (and workflow, when set) by Actor in
// target created at or after since: the record that a dispatch whose
// answer was lost arrived. One list request, no waiting.
func (s *Sender) Confirmed(ctx context.Context, t Target, event, workflow string, since time.Time) (*github.WorkflowRun, error) {
	opts := &github.ListWorkflowRunsOptions{Event: event, Actor: s.Actor, Created: ">=" + since.UTC().Add(-2*time.Second).Format(time.RFC3339),
		ListOptions: github.ListOptions{PerPage: 20}}
	var runs *github.WorkflowRuns
	var err error
	switch {
	case workflow == "":
		runs, _, err = s.Client.Actions.ListRepositoryWorkflowRuns(ctx, t.Owner, t.Name, opts)
	default:
		if id, perr := strconv.ParseInt(workflow, 10, 64); perr == nil {
			runs, _, err = s.Client.Actions.ListWorkflowRunsByID(ctx, t.Owner, t.Name, id, opts)
		} else {
			var seg string
			if seg, err = ghclient.PathSegment(workflow); err == nil {
				runs, _, err = s.Client.Actions.ListWorkflowRunsByFileName(ctx, t.Owner, t.Name, seg, opts)
			}
		}
	}
	if err != nil || runs == nil {
		return nil, err
	}
	// The earliest run since the request: later ones may be other dispatches.
	var first *github.WorkflowRun
	for _, run := range runs.WorkflowRuns {
		if s.Actor != "" && !strings.EqualFold(run.GetActor().GetLogin(), s.Actor) && !strings.EqualFold(run.GetTriggeringActor().GetLogin(), s.Actor) {
			continue
		}
		if first == nil || run.GetCreatedAt().Before(first.GetCreatedAt().Time) {
			first = run
		}
	}
	return first, nil
}

// pollRun asks Confirmed up to n times with growing waits (runs appear on
// github.com a few seconds after the request).
func (s *Sender) pollRun(ctx context.Context, t Target, event, workflow string, since time.Time, n int) *github.WorkflowRun {
	wait := time.Second
	for i := 0; i < n; i++ {
		if run, err := s.Confirmed(ctx, t, event, workflow, since); err == nil && run != nil {
			return run
		}
		if i == n-1 || s.sleep(ctx, wait) != nil {
			break
		}
		wait *= 2
	}
	return nil
}

// DeclaredInputs reads the inputs the target's workflow declares under
// on.workflow_dispatch.inputs at ref. ok is false when the file could not
// be read (the inputs are then sent as given); trigger is false when the
// workflow has no workflow_dispatch trigger.
func (s *Sender) DeclaredInputs(ctx context.Context, t Target, workflow, ref string) (declared map[string]bool, trigger, ok bool, reason string) {
	path := workflow
	if id, err := strconv.ParseInt(workflow, 10, 64); err == nil {
		wf, _, err := s.Client.Actions.GetWorkflowByID(ctx, t.Owner, t.Name, id)
		if err != nil {
			return nil, false, false, "the workflow could not be read: " + ghclient.Reason(err)
		}
		path = wf.GetPath()
	} else {
		path = ".github/workflows/" + path
	}
	fc, _, _, err := s.Client.Repositories.GetContents(ctx, t.Owner, t.Name, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil || fc == nil {
		if err == nil {
			err = errors.New("not a file")
		}
		return nil, false, false, fmt.Sprintf("%s at %s could not be read (%s)", path, ref, ghclient.Reason(err))
	}
	text, err := fc.GetContent()
	if err != nil {
		return nil, false, false, fmt.Sprintf("%s could not be decoded: %v", path, err)
	}
	declared, trigger, err = ParseDispatchInputs([]byte(text))
	if err != nil {
		return nil, false, false, fmt.Sprintf("%s is not valid YAML: %v", path, err)
	}
	return declared, trigger, true, ""
}

// ParseDispatchInputs reads a workflow file's on: section: whether it has a
// workflow_dispatch trigger, and the input names it declares.
func ParseDispatchInputs(workflow []byte) (map[string]bool, bool, error) {
	var doc struct {
		On yaml.Node `yaml:"on"`
	}
	if err := yaml.Unmarshal(workflow, &doc); err != nil {
		return nil, false, err
	}
	on := &doc.On
	switch on.Kind {
	case yaml.ScalarNode:
		return map[string]bool{}, on.Value == "workflow_dispatch", nil
	case yaml.SequenceNode:
		for _, n := range on.Content {
			if n.Value == "workflow_dispatch" {
				return map[string]bool{}, true, nil
			}
		}
		return nil, false, nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(on.Content); i += 2 {
			if on.Content[i].Value != "workflow_dispatch" {
				continue
			}
			declared := map[string]bool{}
			wd := on.Content[i+1]
			if wd.Kind == yaml.MappingNode {
				for j := 0; j+1 < len(wd.Content); j += 2 {
					if wd.Content[j].Value == "inputs" && wd.Content[j+1].Kind == yaml.MappingNode {
						ins := wd.Content[j+1]
						for k := 0; k < len(ins.Content); k += 2 {
							declared[ins.Content[k].Value] = true
						}
					}
				}
			}
			return declared, true, nil
		}
	}
	return nil, false, nil
}

// workflowDispatchRequest is the body of POST …/dispatches with
// return_run_details (go-github v62 predates the field).
type workflowDispatchRequest struct {
	Ref              string         `json:"ref"`
	Inputs           map[string]any `json:"inputs,omitempty"`
	ReturnRunDetails bool           `json:"return_run_details"`
}

// runDetails is GitHub's 200 answer with return_run_details
// (workflow-dispatch-response: workflow_run_id, run_url, html_url).
type runDetails struct {
	WorkflowRunID int64  `json:"workflow_run_id"`
	RunURL        string `json:"run_url"`
	HTMLURL       string `json:"html_url"`
}

// WorkflowDispatch starts workflow (a file name such as "release.yml" or a
// numeric id) on ref in every target with the given inputs. The target's
// workflow is read first: inputs it does not declare are left out (and
// listed in Dropped), and a workflow without a workflow_dispatch trigger
// fails without a request. The request asks for return_run_details; a
// lost answer is settled by looking for the run before anything is sent
// again.
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
	if strings.ContainsAny(workflow, "/\\?#") {
		return nil, fmt.Errorf("invalid workflow %q: a file name in .github/workflows or a numeric id, not a path", workflow)
	}
	if _, err := ghclient.PathSegment(workflow); err != nil {
		return nil, fmt.Errorf("invalid workflow: %w", err)
	}
	return s.fanOut(ctx, targets, func(ctx context.Context, t Target) Result {
		r := Result{Target: t.String(), Kind: "workflow_dispatch", Event: workflow}
		send := inputs
		if declared, trigger, ok, why := s.DeclaredInputs(ctx, t, workflow, ref); ok {
			if !trigger {
				r.Status, r.Error = StatusFailed, fmt.Sprintf("%s in %s has no workflow_dispatch trigger at %s; nothing was sent", workflow, t, ref)
				return r
			}
			send = map[string]any{}
			for k, v := range inputs {
				if declared[k] {
					send[k] = v
				} else {
					r.Dropped = append(r.Dropped, k)
				}
			}
			sort.Strings(r.Dropped)
		} else {
			r.Note = "declared inputs unknown: " + why + "; inputs sent as given"
		}
		if s.DryRun {
			r.Status = StatusPlanned
			return r
		}
		r.Attempts = 1
		sent := s.now()
		u := fmt.Sprintf("repos/%s/%s/actions/workflows/%s/dispatches", t.Owner, t.Name, url.PathEscape(workflow))
		req, err := s.Client.NewRequest(http.MethodPost, u, workflowDispatchRequest{Ref: ref, Inputs: send, ReturnRunDetails: true})
		if err != nil {
			return s.finish(r, err)
		}
		var details runDetails
		resp, err := s.Client.Do(ghclient.NoServerErrorRetry(ctx), req, &details)
		if ambiguous(err) {
			return s.settle(ctx, r, err, t, "workflow_dispatch", workflow, sent)
		}
		r = s.finish(r, err)
		if err != nil {
			return r
		}
		switch {
		case resp != nil && resp.StatusCode == http.StatusOK && details.WorkflowRunID != 0:
			r.RunID, r.RunURL = details.WorkflowRunID, details.HTMLURL
		case s.FindRun:
			// 204: a server without return_run_details; poll, filtered.
			if run := s.pollRun(ctx, t, "workflow_dispatch", workflow, sent, s.attempts()); run != nil {
				r.RunID, r.RunURL = run.GetID(), run.GetHTMLURL()
			}
		}
		return r
	}), nil
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
