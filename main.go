// Command s3repl sets up cross-account, cross-Region, SSE-KMS replication for Amazon
// S3 and proves that it works.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/demo"
	"github.com/s3repl/s3repl/steps"
	"github.com/s3repl/s3repl/ui"
)

// exitError carries the process exit code a command wants.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := rootCommand().ExecuteContext(ctx)
	stop()
	var exit exitError
	switch {
	case errors.As(err, &exit):
		os.Exit(exit.code)
	case err != nil:
		lipgloss.Fprintln(os.Stderr, ui.StyleError.Render("error: ")+err.Error())
		os.Exit(1)
	}
}

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "s3repl",
		Short:         "Set up cross-account, cross-Region, SSE-KMS replication for Amazon S3",
		Long:          "With no command, s3repl opens the interactive wizard.",
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE:          func(cmd *cobra.Command, _ []string) error { return runWizard(cmd.Context(), cmd.OutOrStdout()) },
		Version:       versionText(debug.ReadBuildInfo()),
		// The wizard takes no arguments: a word is a mistyped command.
		Args:                       unknownCommand,
		SuggestionsMinimumDistance: 2,
		PersistentPreRun:           warnAboutEnvProfile,
	}
	root.SetVersionTemplate("s3repl {{.Version}}\n")
	root.SetFlagErrorFunc(flagErrorOrUnknownCommand)
	root.AddCommand(planCommand(), applyCommand(), verifyCommand(), doctorCommand(), demoCommand(), backfillCommand(), watchCommand())
	return root
}

type commonFlags struct {
	setupFile string
	json      bool
}

func (f *commonFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVarP(&f.setupFile, "file", "f", "", "setup file (YAML or JSON)")
	cmd.Flags().BoolVar(&f.json, "json", false, "print JSON for scripts")
	_ = cmd.MarkFlagRequired("file")
}

func planCommand() *cobra.Command {
	var flags commonFlags
	cmd := &cobra.Command{
		Use:   "plan -f setup.yaml",
		Short: "Show every change the setup needs (exit 0: nothing to change, 2: changes pending, 1: error)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			plan, _, err := makePlan(cmd.Context(), flags.setupFile)
			if err != nil {
				return err
			}
			if err := printPlan(cmd.OutOrStdout(), plan, flags.json); err != nil {
				return err
			}
			if len(plan.Pending()) > 0 {
				return exitError{code: 2}
			}
			return nil
		},
	}
	flags.register(cmd)
	return cmd
}

func applyCommand() *cobra.Command {
	var flags commonFlags
	var yes bool
	var journalDir string
	cmd := &cobra.Command{
		Use:   "apply -f setup.yaml [--yes]",
		Short: "Make the changes the plan shows, re-reading each resource first and journaling each write",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if flags.json && !yes {
				// the plan and the question would be mixed into the JSON on stdout
				return errors.New("apply --json needs --yes: review the changes with `s3repl plan` first")
			}
			plan, acc, err := makePlan(ctx, flags.setupFile)
			if err != nil {
				return err
			}
			return applyPlan(cmd, acc, plan, flags.json, yes, journalDir)
		},
	}
	flags.register(cmd)
	cmd.Flags().BoolVarP(&yes, "yes", "y", false, "apply without asking")
	cmd.Flags().StringVar(&journalDir, "journal", "", "directory for the apply journal (default $XDG_STATE_HOME/s3repl/journal)")
	return cmd
}

// applyPlan makes the plan's pending changes after the question (none with yes),
// journaled in journalDir, with progress lines unless the report is JSON.
func applyPlan(cmd *cobra.Command, acc steps.Accounts, plan *steps.Plan, asJSON, yes bool, journalDir string) error {
	ctx, out := cmd.Context(), cmd.OutOrStdout()
	if len(plan.Pending()) == 0 {
		return printApplied(out, asJSON, plan, steps.ApplyResult{}, "", nil)
	}
	if !yes {
		if err := confirm(cmd, plan); err != nil {
			return err
		}
	}
	journal, err := openJournal(journalDir)
	if err != nil {
		return err
	}
	defer journal.Close()
	opts := steps.ApplyOptions{Journal: journal}
	if !asJSON {
		opts.OnProgress = func(c steps.Change, phase steps.ApplyPhase, err error) {
			lipgloss.Fprint(out, ui.ProgressLine(c, phase, err))
		}
	}
	result, applyErr := steps.Apply(ctx, acc, plan, opts)
	return printApplied(out, asJSON, plan, result, journal.Path(), applyErr)
}

// openSetup loads and checks the setup and opens both accounts.
func openSetup(ctx context.Context, setupFile string) (steps.Setup, steps.Accounts, error) {
	setup, err := steps.LoadSetup(setupFile)
	if err != nil {
		return setup, steps.Accounts{}, err
	}
	if err := setup.Validate(); err != nil {
		return setup, steps.Accounts{}, err
	}
	acc, err := steps.OpenAccounts(ctx, awsops.Open, setup)
	return setup, acc, err
}

// makePlan loads and checks the setup, opens both accounts, inspects them and plans.
func makePlan(ctx context.Context, setupFile string) (*steps.Plan, steps.Accounts, error) {
	setup, acc, err := openSetup(ctx, setupFile)
	if err != nil {
		return nil, acc, err
	}
	state, err := steps.Inspect(ctx, acc, setup)
	if err != nil {
		return nil, acc, err
	}
	plan, err := steps.BuildPlan(setup, state)
	return plan, acc, err
}

func printPlan(out io.Writer, plan *steps.Plan, asJSON bool) error {
	if asJSON {
		return writeJSON(out, plan)
	}
	_, err := lipgloss.Fprint(out, ui.PlanText(plan))
	return err
}

func confirm(cmd *cobra.Command, plan *steps.Plan) error {
	in, ok := cmd.InOrStdin().(*os.File)
	if !ok || !isTerminal(in) {
		return errors.New("apply needs confirmation: run it in a terminal, or pass --yes after reviewing `s3repl plan`")
	}
	// The plan and the question go where the person answering sees them, even when
	// stdout is a file.
	shown := cmd.OutOrStdout()
	if out, ok := shown.(*os.File); ok && !isTerminal(out) {
		shown = cmd.ErrOrStderr()
	}
	return askToApply(in, shown, ui.PlanText(plan))
}

// interactive reports whether a person at a terminal can both see the full-screen
// views and answer them.
func interactive() bool { return isTerminal(os.Stdin) && isTerminal(os.Stdout) }

func isTerminal(f *os.File) bool {
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// defaultBackfillJournal opens a source bucket's backfill journal in the default
// directory, beside apply's.
func defaultBackfillJournal(f steps.BackfillFacts) (*steps.BackfillJournal, error) {
	dir, err := steps.DefaultJournalDir()
	if err != nil {
		return nil, err
	}
	return steps.OpenBackfillJournal(dir, f, time.Now)
}

// defaultJournal opens a journal in the default directory.
func defaultJournal() (*steps.Journal, error) { return openJournal("") }

func openJournal(dir string) (*steps.Journal, error) {
	if dir == "" {
		var err error
		if dir, err = steps.DefaultJournalDir(); err != nil {
			return nil, err
		}
	}
	return steps.OpenJournal(dir, time.Now)
}

type applyReport struct {
	Applied    []string `json:"applied"`
	Failed     string   `json:"failed,omitempty"`
	Error      string   `json:"error,omitempty"`
	NotApplied []string `json:"notApplied"`
	Journal    string   `json:"journal,omitempty"`
	Warnings   []string `json:"warnings"`
	Blockers   []string `json:"blockers"`
	Notes      []string `json:"notes,omitempty"`
}

func printApplied(out io.Writer, asJSON bool, plan *steps.Plan, result steps.ApplyResult, journal string, applyErr error) error {
	if !asJSON {
		var stopped *steps.ApplyError
		if errors.As(applyErr, &stopped) {
			// the failure itself is on its change's progress line: say it once
			return errors.New("apply stopped\n" + stopped.Summary())
		}
		if applyErr != nil {
			return applyErr
		}
		summary := ui.ApplySummary(len(result.Applied), journal)
		for _, note := range result.Notes {
			summary += "note: " + note + "\n"
		}
		if len(plan.Blockers) > 0 {
			summary += ui.StyleError.Render("Replication will still fail:") + " see \"Will fail\" above; `s3repl doctor` checks again once it is changed.\n"
		}
		_, err := lipgloss.Fprint(out, summary)
		return err
	}
	report := applyReport{Applied: ids(result.Applied), NotApplied: ids(result.NotApplied), Journal: journal, Warnings: plan.Warnings, Blockers: plan.Blockers, Notes: result.Notes}
	if result.Failed != nil {
		report.Failed = result.Failed.ID
	}
	if applyErr != nil {
		report.Error = applyErr.Error()
	}
	if err := writeJSON(out, report); err != nil {
		return err
	}
	if applyErr != nil {
		return exitError{code: 1}
	}
	return nil
}

func ids(changes []steps.Change) []string {
	out := []string{}
	for _, c := range changes {
		out = append(out, c.ID)
	}
	return out
}

// printReport prints a report as JSON or text and exits 1 when it failed.
func printReport(out io.Writer, asJSON bool, report any, text string, failed bool) error {
	var err error
	if asJSON {
		err = writeJSON(out, report)
	} else {
		_, err = lipgloss.Fprint(out, text)
	}
	if err == nil && failed {
		err = exitError{code: 1}
	}
	return err
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func verifyCommand() *cobra.Command {
	var flags commonFlags
	var timeout time.Duration
	var keep bool
	cmd := &cobra.Command{
		Use:   "verify -f setup.yaml [--timeout D]",
		Short: "Upload a test object and watch it replicate (exit 0: replicated, 1: failed or timed out)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			if timeout <= 0 {
				return fmt.Errorf("--timeout %s: give how long to wait, e.g. 15m", timeout)
			}
			setup, acc, err := openSetup(ctx, flags.setupFile)
			if err != nil {
				return err
			}
			if !flags.json && isTerminal(os.Stdout) {
				return runVerifyPanel(ctx, acc, setup, timeout)
			}
			opts := steps.VerifyOptions{Timeout: timeout}
			if !flags.json {
				opts.OnUpdate = func(r steps.VerifyReport) { lipgloss.Fprint(out, ui.VerifyProgressLine(r)) }
			}
			report, err := steps.Verify(ctx, acc, setup, opts)
			if err != nil {
				return err
			}
			cleanupErr := removeTestObjects(acc, report, keep)
			text := "\n" + ui.VerifyText(report) + testObjectsNote(report, keep, cleanupErr) + doctorHint(report, flags.setupFile)
			return printReport(out, flags.json, report.Settled(), text, report.Outcome != steps.OutcomeCompleted)
		},
	}
	flags.register(cmd)
	cmd.Flags().DurationVar(&timeout, "timeout", 15*time.Minute, "how long to wait for the object to replicate")
	cmd.Flags().BoolVar(&keep, "keep", false, "keep the test object and its replica")
	return cmd
}

// removeTestObjects deletes the test object and its replica once it replicated; a
// failed one stays for the doctor to look at.
func removeTestObjects(acc steps.Accounts, r steps.VerifyReport, keep bool) error {
	if keep || r.Outcome != steps.OutcomeCompleted {
		return nil
	}
	return steps.RemoveTestObjects(context.Background(), acc, r)
}

// doctorHint points a failed verification to the doctor.
func doctorHint(r steps.VerifyReport, setupFile string) string {
	if r.Outcome == steps.OutcomeCompleted || r.Outcome == steps.OutcomeStopped {
		return ""
	}
	return "Run `s3repl doctor -f " + setupFile + "` to find out why.\n"
}

func testObjectsNote(r steps.VerifyReport, keep bool, cleanupErr error) string {
	switch {
	case cleanupErr != nil:
		return "could not remove the test objects: " + cleanupErr.Error() + "\n"
	case keep || r.Outcome != steps.OutcomeCompleted:
		return fmt.Sprintf("The test object s3://%s/%s stays (version %s).\n", r.SourceBucket, r.Key, r.VersionID)
	}
	return r.RemovedNote() + "\n"
}

func doctorCommand() *cobra.Command {
	var flags commonFlags
	cmd := &cobra.Command{
		Use:   "doctor -f setup.yaml",
		Short: "Check everything replication needs and explain what is wrong (exit 0: every check passes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, out := cmd.Context(), cmd.OutOrStdout()
			setup, acc, err := openSetup(ctx, flags.setupFile)
			if err != nil {
				return err
			}
			report, err := steps.Doctor(ctx, acc, setup)
			if err != nil {
				return err
			}
			return printReport(out, flags.json, report, ui.DoctorText(report), report.Failed())
		},
	}
	flags.register(cmd)
	return cmd
}

// runVerifyPanel shows the live status panel in the terminal; the exit code says
// whether the object replicated.
func runVerifyPanel(ctx context.Context, acc steps.Accounts, setup steps.Setup, timeout time.Duration) error {
	panel := ui.NewVerifyPanel(ctx, ui.StepsVerifyFuncs(acc, setup, steps.VerifyOptions{Timeout: timeout}, defaultJournal))
	final, err := tea.NewProgram(panel, tea.WithContext(ctx)).Run()
	if err != nil {
		return err
	}
	done := final.(ui.VerifyPanel)
	if done.Err() != nil {
		return done.Err()
	}
	if done.Report().Outcome != steps.OutcomeCompleted {
		return exitError{code: 1}
	}
	return nil
}

func demoCommand() *cobra.Command {
	var (
		scenario string
		list     bool
		latency  time.Duration
		delay    time.Duration
	)
	cmd := &cobra.Command{
		Use:   "demo [--scenario NAME]",
		Short: "The wizard against two simulated AWS accounts that really replicate (no AWS account needed)",
		Long: "s3repl demo runs the whole wizard, apply and live status panel against two simulated " +
			"accounts (prod 111111111111 in us-east-1, backup 222222222222 in eu-west-1), kept in memory: " +
			"nothing is sent to AWS and nothing is saved but a setup file you choose to save.\n\nScenarios:\n" + scenarioHelp(),
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sc, err := steps.DemoScenarioNamed(scenario)
			if err != nil {
				return err
			}
			if list {
				_, err := fmt.Fprint(cmd.OutOrStdout(), scenarioHelp())
				return err
			}
			if !interactive() {
				return errors.New("s3repl demo is interactive: run it in a terminal (`s3repl demo --list` shows the scenarios)")
			}
			return runDemo(cmd.Context(), cmd.OutOrStdout(), sc, simcloud.WithLatency(latency), simcloud.WithConfigDelay(delay))
		},
	}
	cmd.Flags().StringVar(&scenario, "scenario", steps.DefaultDemoScenario, "where the simulated accounts start (see the list above)")
	cmd.Flags().BoolVar(&list, "list", false, "list the scenarios and what each shows")
	cmd.Flags().DurationVar(&latency, "latency", 3*time.Second, "how long the simulated S3 takes to replicate an object")
	cmd.Flags().DurationVar(&delay, "config-delay", 0, "how long a new replication configuration takes to take effect in the simulated S3 (on AWS, a little while): verify waits and uploads a fresh test object")
	return cmd
}

func scenarioHelp() string {
	var b strings.Builder
	for _, sc := range steps.DemoScenarios() {
		fmt.Fprintf(&b, "  %-22s %s\n", sc.Name, sc.Summary)
	}
	return b.String()
}

// runDemo runs the wizard against a simulated cloud seeded for the scenario.
func runDemo(ctx context.Context, out io.Writer, sc steps.DemoScenario, options ...simcloud.Option) error {
	switch {
	case sc.Name == steps.DemoBackfillScenario:
		// a bar that fills over ten seconds or so, not in a blink
		options = append(options, simcloud.WithBatchSpeed(30))
	case sc.Watch:
		// the retry's dozen FAILED objects over a few seconds
		options = append(options, simcloud.WithBatchSpeed(2))
	}
	accounts, err := demo.Start(ctx, sc, options...)
	if err != nil {
		return err
	}
	if sc.Watch {
		return runWatchDemo(ctx, out, sc, accounts.Cloud)
	}
	wizard := ui.NewWizard(ctx, ui.Deps{
		Open: accounts.Open, Profiles: accounts.Profiles,
		Label: accounts.Label, Intro: accounts.Story, SourceProfile: accounts.SourceProfile,
		// the simulated IAM makes a new role usable at once
		Backfill: ui.BackfillOptions{RoleSettle: -1},
	})
	if _, err := tea.NewProgram(wizard, tea.WithContext(ctx)).Run(); err != nil {
		return err
	}
	_, err = lipgloss.Fprint(out, wizard.Farewell()+ui.StyleMuted.Render("That was a demo: the accounts were simulated, nothing was sent to AWS.")+"\n")
	return err
}

// runWizard runs the interactive wizard against the real profiles; what it did stays
// printed after its full-screen view closes.
func runWizard(ctx context.Context, out io.Writer) error {
	if !interactive() {
		return errors.New("s3repl is interactive: run it in a terminal, or use `s3repl plan -f setup.yaml` and `s3repl apply -f setup.yaml --yes` (see README), or try `s3repl demo` in a terminal")
	}
	wizard := ui.NewWizard(ctx, ui.Deps{
		Open:     awsops.Open,
		Profiles: steps.ListProfiles,
		Journal:  defaultJournal,
		Backfill: ui.BackfillOptions{Journal: defaultBackfillJournal},
		// The profile the AWS CLI would use is the likeliest source.
		SourceProfile:  envProfileOr("default"),
		ProfileWarning: awsops.EnvProfileProblem(),
	})
	if _, err := tea.NewProgram(wizard, tea.WithContext(ctx)).Run(); err != nil {
		return err
	}
	farewell := wizard.Farewell()
	if problem := awsops.EnvProfileProblem(); problem != "" {
		// The full-screen view would have hidden it; it stays printed after.
		farewell += ui.StyleWarning.Render("warning: ") + problem + "\n"
	}
	if _, err := lipgloss.Fprint(out, farewell); err != nil {
		return err
	}
	if wizard.ApplyFailed() {
		return exitError{code: 1} // the farewell said why
	}
	return nil
}
