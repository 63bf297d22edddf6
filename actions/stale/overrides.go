package stale

import (
	"fmt"
	"time"

	"github.com/sparesparrow/ecosystem-actions/pkg/config"
)

// ConfigPath is the repository file whose "stale" section overrides the
// action's inputs for that repository.
const ConfigPath = ".github/ecosystem.yml"

// ConfigFile is the documented shape of .github/ecosystem.yml: the keys
// below at the top level, or (so the file can later hold other actions'
// sections) under a "stale:" key; when both are present the stale section
// wins. Any other key is an error with its line number.
//
//	days_until_stale: 45        # number of days, fractions allowed
//	days_until_close: 14
//	stale_label: inactive
//	exempt_labels: [pinned, security]
//	exempt_milestones: [v2.0]
//	exempt_assignees: [alice]
//	exempt_authors: [renovate[bot]]
//	exempt_branch_patterns: [main, release/*]
//	exempt_draft_pr: true
//	any_of_labels: []
//	only_labels: []
//	include_prs: true
//	include_issues: false
//	include_branches: true
//	close_prs: false
//	close_issues: false
//	delete_branches: false
//	stale_pr_message: "..."
//	stale_issue_message: "..."
//	close_message: "..."
//	stale_branch_message: "..."
//	ignore_actors: [ci-user]
//
// Lists are YAML sequences and replace the input's list (they do not add to
// it). operations_per_run, dry_run and bot_login are run-wide and cannot be
// overridden per repository.
type ConfigFile struct {
	Overrides `yaml:",inline"`
	Stale     *Overrides `yaml:"stale"`
}

// Overrides are the per-repository settings; nil fields keep the input.
type Overrides struct {
	DaysUntilStale       *float64  `yaml:"days_until_stale"`
	DaysUntilClose       *float64  `yaml:"days_until_close"`
	StaleLabel           *string   `yaml:"stale_label"`
	ExemptLabels         *[]string `yaml:"exempt_labels"`
	ExemptMilestones     *[]string `yaml:"exempt_milestones"`
	ExemptAssignees      *[]string `yaml:"exempt_assignees"`
	ExemptAuthors        *[]string `yaml:"exempt_authors"`
	ExemptBranchPatterns *[]string `yaml:"exempt_branch_patterns"`
	ExemptDraftPR        *bool     `yaml:"exempt_draft_pr"`
	AnyOfLabels          *[]string `yaml:"any_of_labels"`
	OnlyLabels           *[]string `yaml:"only_labels"`
	IncludePRs           *bool     `yaml:"include_prs"`
	IncludeIssues        *bool     `yaml:"include_issues"`
	IncludeBranches      *bool     `yaml:"include_branches"`
	ClosePRs             *bool     `yaml:"close_prs"`
	CloseIssues          *bool     `yaml:"close_issues"`
	DeleteBranches       *bool     `yaml:"delete_branches"`
	StalePRMessage       *string   `yaml:"stale_pr_message"`
	StaleIssueMessage    *string   `yaml:"stale_issue_message"`
	CloseMessage         *string   `yaml:"close_message"`
	StaleBranchMessage   *string   `yaml:"stale_branch_message"`
	IgnoreActors         *[]string `yaml:"ignore_actors"`
}

// ApplyConfig decodes a .github/ecosystem.yml and returns the policy with its
// overrides applied and validated. source names the file in errors
// ("owner/repo:.github/ecosystem.yml"); unknown keys are reported with their
// line by config.DecodeStrict.
func ApplyConfig(base Policy, data []byte, source string) (Policy, error) {
	var f ConfigFile
	if err := config.DecodeStrict(data, source, &f); err != nil {
		return base, err
	}
	p := base.clone()
	for _, o := range []*Overrides{&f.Overrides, f.Stale} {
		if o == nil {
			continue
		}
		setDays := func(dst *time.Duration, v *float64) {
			if v != nil {
				*dst = time.Duration(*v * float64(Day))
			}
		}
		setDays(&p.DaysUntilStale, o.DaysUntilStale)
		setDays(&p.DaysUntilClose, o.DaysUntilClose)
		for _, s := range []struct {
			dst *string
			v   *string
		}{{&p.StaleLabel, o.StaleLabel}, {&p.StalePRMessage, o.StalePRMessage}, {&p.StaleIssueMessage, o.StaleIssueMessage},
			{&p.CloseMessage, o.CloseMessage}, {&p.StaleBranchMessage, o.StaleBranchMessage}} {
			if s.v != nil {
				*s.dst = *s.v
			}
		}
		for _, l := range []struct {
			dst *[]string
			v   *[]string
		}{{&p.ExemptLabels, o.ExemptLabels}, {&p.ExemptMilestones, o.ExemptMilestones}, {&p.ExemptAssignees, o.ExemptAssignees},
			{&p.ExemptAuthors, o.ExemptAuthors}, {&p.ExemptBranchPatterns, o.ExemptBranchPatterns}, {&p.AnyOfLabels, o.AnyOfLabels},
			{&p.OnlyLabels, o.OnlyLabels}, {&p.IgnoreActors, o.IgnoreActors}} {
			if l.v != nil {
				*l.dst = append([]string(nil), (*l.v)...)
			}
		}
		for _, b := range []struct {
			dst *bool
			v   *bool
		}{{&p.ExemptDraftPR, o.ExemptDraftPR}, {&p.IncludePRs, o.IncludePRs}, {&p.IncludeIssues, o.IncludeIssues},
			{&p.IncludeBranches, o.IncludeBranches}, {&p.ClosePRs, o.ClosePRs}, {&p.CloseIssues, o.CloseIssues},
			{&p.DeleteBranches, o.DeleteBranches}} {
			if b.v != nil {
				*b.dst = *b.v
			}
		}
	}
	if err := p.Validate(source); err != nil {
		return base, fmt.Errorf("invalid settings in %s: %w", source, err)
	}
	return p, nil
}

func (p Policy) clone() Policy {
	c := p
	for _, l := range []*[]string{&c.ExemptLabels, &c.ExemptMilestones, &c.ExemptAssignees, &c.ExemptAuthors,
		&c.ExemptBranchPatterns, &c.AnyOfLabels, &c.OnlyLabels, &c.IgnoreActors} {
		*l = append([]string(nil), (*l)...)
	}
	return c
}
