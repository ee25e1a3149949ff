package ui

import (
	"context"
	"fmt"
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/s3repl/s3repl/steps"
)

// fixAccounts names the accounts the fixes change.
func fixAccounts(changes []steps.Change) string {
	var accounts []string
	for _, c := range changes {
		if c.Account != "" && !slices.Contains(accounts, c.Account) {
			accounts = append(accounts, c.Account)
		}
	}
	if len(accounts) == 0 {
		return "your accounts"
	}
	return steps.AccountsPhrase(accounts...)
}

// confirmFix takes the answer to "apply the fixes?".
func (p VerifyPanel) confirmFix(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if !key.Matches(msg, p.bindings.Yes) {
		p.phase = phaseDeciding
		return p, nil
	}
	p.phase = phaseFixing
	fix, cleanup, ctx, doctor, failed := p.funcs.Fix, p.funcs.Cleanup, context.WithoutCancel(p.parent), *p.doctor, p.report
	return p, tea.Batch(p.spinner.Tick, func() tea.Msg {
		journal, err := fix(ctx, doctor)
		if err != nil {
			return fixDoneMsg{journal: journal, err: err}
		}
		var cleanupErr error
		if cleanup != nil && failed.VersionID != "" {
			cleanupErr = cleanup(ctx, failed) // the failed test object is of no more use
		}
		return fixDoneMsg{journal: journal, cleanupErr: cleanupErr}
	})
}

// afterFix starts a new test once the fixes are in place; a failed fix leaves the
// panel as it was, with the error.
func (p VerifyPanel) afterFix(msg fixDoneMsg) (tea.Model, tea.Cmd) {
	journal := ""
	if msg.journal != "" {
		journal = p.theme.Muted.Render(" Journal: " + msg.journal)
	}
	if msg.err != nil {
		p.phase, p.fixNote = phaseDeciding, p.theme.Error.Render("The fixes were not all applied: ")+msg.err.Error()+journal
		return p, nil
	}
	p.fixesApplied += len(p.doctor.Fixes)
	p.fixJournal = msg.journal
	applied, next := p.theme.OK.Render("✓ ")+"Applied "+plural(len(p.doctor.Fixes), "change"), "; testing again with a new object."
	var stays string
	if msg.cleanupErr != nil {
		stays = fmt.Sprintf(" The failed test object s3://%s/%s stays: %v", p.report.SourceBucket, p.report.Key, msg.cleanupErr)
	}
	if p.quitAfterFix {
		p.phase, p.cleaned = phaseDone, applied+"."+journal+stays
		return p, p.end()
	}
	p.fixNote = applied + next + journal + stays
	p.ctx, p.stop = context.WithCancel(p.parent)
	p.updates = make(chan steps.VerifyReport, 16)
	p.runs++
	p.phase, p.report, p.err, p.doctor, p.doctorErr, p.findings = phaseWatching, steps.VerifyReport{}, nil, nil, nil, ""
	p.layout()
	return p, tea.Batch(p.spinner.Tick, p.runVerify(), p.listen())
}

// fixesApplier is VerifyFuncs.Fix for the accounts: it applies the doctor's plan,
// with a journal when journal is given.
func fixesApplier(acc steps.Accounts, journal func() (*steps.Journal, error)) func(context.Context, steps.DoctorReport) (string, error) {
	return func(ctx context.Context, d steps.DoctorReport) (string, error) {
		var opts steps.ApplyOptions
		if journal != nil {
			j, err := journal()
			if err != nil {
				return "", err
			}
			defer j.Close()
			opts.Journal = j
		}
		_, err := steps.ApplyFixes(ctx, acc, d, opts)
		if opts.Journal != nil {
			return opts.Journal.Path(), err
		}
		return "", err
	}
}

// canFix reports whether the doctor's fixes can be applied from the panel.
func (p VerifyPanel) canFix() bool {
	return p.funcs.Fix != nil && p.doctor != nil && p.doctor.Plan != nil && len(p.doctor.Fixes) > 0
}
