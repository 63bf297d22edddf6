package monitor

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/sparesparrow/ecosystem-actions/pkg/classify"
)

// FixerClassifier classifies failed job logs with the fixer's embedded rule
// catalog (pkg/classify): category, severity, root-cause line and
// suggestions of the decisive finding. A log no rule matches gives no
// analysis. The catalog is compiled once, on first use. opts configure the
// analyzer (classify.WithRedactor: the run's redactor).
func FixerClassifier(opts ...classify.AnalyzerOption) Classifier {
	var (
		once     sync.Once
		analyzer *classify.Analyzer
		initErr  error
	)
	return func(ctx context.Context, log io.Reader) (*Analysis, error) {
		once.Do(func() {
			c, err := classify.DefaultCatalog()
			if err != nil {
				initErr = fmt.Errorf("failed to load the fixer catalog: %w", err)
				return
			}
			analyzer = classify.NewAnalyzer(c, opts...)
		})
		if initErr != nil {
			return nil, initErr
		}
		a, err := analyzer.Analyze(ctx, log, "job log")
		if err != nil {
			return nil, fmt.Errorf("failed to classify the log: %w", err)
		}
		f := a.RootCause()
		if f == nil {
			return nil, nil
		}
		return &Analysis{Category: string(f.Category), Severity: string(f.Severity), RootCause: f.Text,
			Line: f.Line, Suggestions: f.Suggestions}, nil
	}
}
