package alert

import (
	"fmt"
	"sort"
	"strings"
)

// Grouping modes (the group_by input). A group is what one issue stands
// for; a problem (an Alert, identified by its fingerprint) is a line of that
// issue's checklist. Problem identity never depends on the mode, so moving
// between modes keeps each problem's history (first seen, resolution).
const (
	// GroupDomain files one issue per domain (the default).
	GroupDomain = "domain"
	// GroupDomainCategory files one issue per domain and failure category.
	GroupDomainCategory = "domain,category"
	// GroupFingerprint files one issue per problem (the behaviour before
	// groups).
	GroupFingerprint = "fingerprint"
	// groupEcosystem is the mode of the one ecosystem issue that links the
	// domain issues with file_in: domain.
	groupEcosystem = "ecosystem"
)

// GroupModes are the allowed group_by values.
var GroupModes = []string{GroupDomain, GroupDomainCategory, GroupFingerprint}

// Where group issues are filed (the file_in input).
const (
	// FileInAlertRepo files every group issue in the alert repository.
	FileInAlertRepo = "alert-repo"
	// FileInDomain files each domain's issues in that domain's repository,
	// plus one ecosystem issue in the alert repository linking them.
	FileInDomain = "domain"
)

// FileInModes are the allowed file_in values.
var FileInModes = []string{FileInAlertRepo, FileInDomain}

// ParseGroupBy normalises a group_by value ("domain, category" and
// "category,domain" are domain,category).
func ParseGroupBy(s string) (string, error) {
	parts := strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' })
	sort.Strings(parts)
	switch strings.Join(parts, ",") {
	case "", "domain":
		return GroupDomain, nil
	case "category,domain":
		return GroupDomainCategory, nil
	case "fingerprint":
		return GroupFingerprint, nil
	}
	return "", fmt.Errorf("unknown grouping %q", s)
}

// ciComponents are the monitor's health components a failing workflow
// explains by itself: when every failing component of an unhealthy domain is
// one of these and each failing workflow of the domain has a root cause, the
// health alert is a symptom.
var ciComponents = map[string]bool{"ci_success_rate": true, "failure_streak": true}

// Inhibit marks symptom alerts as suppressed by the root-cause findings that
// explain them, the way Alertmanager's inhibition rules do:
//
//   - a monitor "workflow W failing" alert is suppressed by the fixer's
//     root-cause findings of the same domain and workflow;
//   - a domain's health alert is suppressed when its failing components are
//     only CI ones (success rate, failure streak), the domain has root-cause
//     findings and every failing workflow of the domain is suppressed.
//
// Suppressed alerts still appear in the group issue, marked as explained;
// they never open, comment or notify on their own.
func Inhibit(alerts []Alert) {
	type dw struct{ domain, workflow string }
	roots := map[dw][]string{}
	domainRoots := map[string][]string{}
	for _, a := range alerts {
		if a.Source != KindFixer || a.Problem != ProblemFailure {
			continue
		}
		d := strings.ToLower(a.Scope)
		domainRoots[d] = appendUnique(domainRoots[d], a.Fingerprint)
		for _, w := range appendUnique(append([]string(nil), a.Workflows...), a.Workflow) {
			if w != "" {
				k := dw{d, strings.ToLower(w)}
				roots[k] = appendUnique(roots[k], a.Fingerprint)
			}
		}
	}
	failing := map[string][]int{} // domain → indexes of monitor failure alerts
	for i := range alerts {
		a := &alerts[i]
		if a.Source != KindMonitor || a.Problem != ProblemFailure {
			continue
		}
		d := strings.ToLower(a.Scope)
		failing[d] = append(failing[d], i)
		if fps := roots[dw{d, strings.ToLower(a.Workflow)}]; len(fps) > 0 {
			a.SuppressedBy = sortedCopy(fps)
		}
	}
	for i := range alerts {
		a := &alerts[i]
		if a.Source != KindMonitor || a.Problem != ProblemUnhealthy || len(a.Components) == 0 {
			continue
		}
		d := strings.ToLower(a.Scope)
		if len(domainRoots[d]) == 0 {
			continue
		}
		onlyCI := true
		for _, c := range a.Components {
			onlyCI = onlyCI && ciComponents[c]
		}
		var by []string
		for _, j := range failing[d] {
			if len(alerts[j].SuppressedBy) == 0 {
				onlyCI = false
			}
			by = appendUnique(by, alerts[j].SuppressedBy...)
		}
		if !onlyCI {
			continue
		}
		if len(by) == 0 {
			by = domainRoots[d]
		}
		a.SuppressedBy = sortedCopy(by)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// Group is the set of problems one issue stands for.
type Group struct {
	// ID identifies the group across runs: a hash of the label, the mode
	// and the key, kept in the marker.
	ID   string
	Mode string
	// Key is the domain (lower case), "domain|category", the fingerprint,
	// or "ecosystem".
	Key string
	// Domain and Category describe the group (Category only for
	// domain,category).
	Domain, Category string
	// Repo ("owner/name") is where its issue lives.
	Repo string
	// Alerts are this run's problems of the group (suppressed ones
	// included), highest level first.
	Alerts []Alert
}

// GroupID is the identity of a group: the first 16 hex digits of SHA-256
// over the label, the mode and the key.
func GroupID(label, mode, key string) string {
	return Fingerprint("alert-group", label, mode, key)
}

func groupKey(mode string, a Alert) (key, category string) {
	d := strings.ToLower(strings.TrimSpace(a.Scope))
	switch mode {
	case GroupDomainCategory:
		c := nonEmpty(strings.ToLower(a.Category), "unclassified")
		return d + "|" + c, c
	case GroupFingerprint:
		return a.Fingerprint, a.Category
	}
	return d, ""
}

// domainRepo is the repository a domain's issues go to with file_in:
// domain: the domain itself when it is owner/name, else owner's repository
// of that name.
func domainRepo(domain, owner string) string {
	d := strings.TrimSpace(domain)
	if strings.Contains(d, "/") {
		return d
	}
	return owner + "/" + d
}

// GroupAlerts puts alerts into groups. A suppressed alert goes into the
// group of the first alert that explains it, so the issue that shows the
// root cause also lists its symptoms.
func GroupAlerts(alerts []Alert, mode, label, fileIn, alertRepo string) []*Group {
	owner, _, _ := strings.Cut(alertRepo, "/")
	byFP := map[string]Alert{}
	for _, a := range alerts {
		byFP[a.Fingerprint] = a
	}
	byKey := map[string]*Group{}
	var order []string
	for _, a := range alerts {
		home := a
		for _, fp := range a.SuppressedBy {
			if r, ok := byFP[fp]; ok {
				home = r
				break
			}
		}
		key, cat := groupKey(mode, home)
		g := byKey[key]
		if g == nil {
			g = &Group{ID: GroupID(label, mode, key), Mode: mode, Key: key, Domain: home.Scope, Category: cat, Repo: alertRepo}
			if fileIn == FileInDomain {
				g.Repo = domainRepo(home.Scope, owner)
			}
			byKey[key] = g
			order = append(order, key)
		}
		g.Alerts = append(g.Alerts, a)
	}
	sort.Strings(order)
	out := make([]*Group, 0, len(order))
	for _, k := range order {
		out = append(out, byKey[k])
	}
	return out
}
