package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
	"github.com/s3repl/s3repl/ui"
)

type watchFlags struct {
	commonFlags
	once, setup, yes bool
	remove           bool
	window, interval time.Duration
	maxPending       float64
	maxLatency       time.Duration
	journalDir       string
}

func watchCommand() *cobra.Command {
	var flags watchFlags
	cmd := &cobra.Command{
		Use:   "watch -f setup.yaml [--once] [--json] [--setup|--remove]",
		Short: "Watch one rule's replication metrics and failure events (--once: exit 0 when healthy, 1 otherwise)",
		Long: "s3repl watch shows the rule's replication metrics (CloudWatch) and the failure events S3 sends " +
			"to an SQS queue, grouped by reason with what to do.\n\n" +
			"--setup plans what the watch needs (the rule's metrics on, the queue and its policy, the bucket " +
			"notification merged into the existing one), shows it as diffs and applies it; --remove takes the " +
			"notification and the queue away again.\n" +
			"--once reads once and exits 0 when no failures were reported and pending is under --max-pending " +
			"(and the latency under --max-latency when given), 1 otherwise; each failure event is reported once.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch {
			case flags.json && !flags.once && !flags.setup && !flags.remove:
				return errors.New("watch --json reads once: add --once")
			case flags.setup && flags.remove:
				return errors.New("choose --setup or --remove, not both")
			case flags.window < time.Minute:
				return fmt.Errorf("--window %s: give at least 1m, e.g. 3h", flags.window)
			case flags.interval < time.Second:
				return fmt.Errorf("--interval %s: give at least 1s, e.g. 30s", flags.interval)
			case flags.maxPending < 0 || flags.maxLatency < 0:
				return errors.New("--max-pending and --max-latency cannot be negative (0 means no limit)")
			}
			if flags.setup {
				return runWatchSetup(cmd, flags, steps.PlanWatch)
			}
			if flags.remove {
				return runWatchSetup(cmd, flags, steps.PlanUnwatch)
			}
			setup, acc, err := openSetup(cmd.Context(), flags.setupFile)
			if err != nil {
				return err
			}
			watcher, err := steps.NewWatcher(cmd.Context(), acc, setup, steps.WatchOptions{Window: flags.window})
			if err != nil {
				return err
			}
			limits := steps.WatchThresholds{MaxPending: flags.maxPending, MaxLatency: flags.maxLatency}
			if flags.once {
				report, err := watcher.Read(cmd.Context(), flags.setupFile, limits)
				if err != nil {
					return err
				}
				return printReport(cmd.OutOrStdout(), flags.json, report, ui.WatchText(report), !report.OK)
			}
			if !interactive() {
				return errors.New("s3repl watch is live in a terminal: use --once (and --json) in scripts and cron")
			}
			return runWatchDashboard(cmd.Context(), watchDeps(acc, setup, watcher, flags.setupFile, limits, flags.interval, ""))
		},
	}
	flags.register(cmd)
	cmd.Flags().BoolVar(&flags.once, "once", false, "read once, print a summary and exit (0 healthy, 1 not)")
	cmd.Flags().BoolVar(&flags.setup, "setup", false, "plan and apply what the watch needs (metrics, queue, notification)")
	cmd.Flags().BoolVar(&flags.remove, "remove", false, "plan and apply the removal of the queue and notification --setup added")
	cmd.Flags().BoolVarP(&flags.yes, "yes", "y", false, "with --setup or --remove: apply without asking")
	cmd.Flags().DurationVar(&flags.window, "window", 3*time.Hour, "how far back the metrics go")
	cmd.Flags().DurationVar(&flags.interval, "interval", 30*time.Second, "how often the dashboard reads again")
	cmd.Flags().Float64Var(&flags.maxPending, "max-pending", 1000, "operations pending above which --once fails (0: no limit)")
	cmd.Flags().DurationVar(&flags.maxLatency, "max-latency", 0, "replication latency above which --once fails (0: no limit), e.g. 15m")
	cmd.Flags().StringVar(&flags.journalDir, "journal", "", "with --setup or --remove: directory for the apply journal")
	return cmd
}

// watchPlanner plans the watch's setup or its removal.
type watchPlanner func(ctx context.Context, acc steps.Accounts, s steps.Setup) (*steps.Plan, steps.WatchTargets, error)

// runWatchSetup is `apply` for the watch's plan (or its removal): the same diff,
// question, journal and report.
func runWatchSetup(cmd *cobra.Command, flags watchFlags, planner watchPlanner) error {
	ctx := cmd.Context()
	if flags.json && !flags.yes {
		return errors.New("watch --setup/--remove --json needs --yes: review the changes without --json first")
	}
	setup, acc, err := openSetup(ctx, flags.setupFile)
	if err != nil {
		return err
	}
	plan, _, err := planner(ctx, acc, setup)
	if err != nil {
		return err
	}
	return applyPlan(cmd, acc, plan, flags.json, flags.yes, flags.journalDir)
}

// watchDeps wires the dashboard to steps: reading, the doctor and its fixes, the
// watch's setup, applied with the default journal, and the retry of the FAILED
// objects with the default backfill journal.
func watchDeps(acc steps.Accounts, setup steps.Setup, w *steps.Watcher, setupFile string, limits steps.WatchThresholds, interval time.Duration, label string) ui.WatchDeps {
	deps := ui.StepsWatchDeps(acc, setup, w, setupFile, limits, interval, label, defaultJournal)
	deps.Retry = ui.StepsWatchRetry(acc, setup, w, setupFile, defaultJournal, defaultBackfillJournal, ui.BackfillOptions{})
	return deps
}

// runWatchDashboard runs the dashboard until the user quits; read errors are shown
// on it, not returned.
func runWatchDashboard(ctx context.Context, deps ui.WatchDeps) error {
	_, err := tea.NewProgram(ui.NewWatchDashboard(ctx, deps), tea.WithContext(ctx)).Run()
	return err
}

// runWatchDemo runs the watch dashboard on a demo scenario's cloud while simulated
// traffic uploads an object every few seconds (and, at one point, a colleague edits
// the replica key's policy).
func runWatchDemo(ctx context.Context, out io.Writer, sc steps.DemoScenario, cloud *simcloud.Cloud) error {
	setup := steps.DemoSetup()
	acc, err := steps.OpenAccounts(ctx, cloud.Open, setup)
	if err != nil {
		return err
	}
	watcher, err := steps.NewWatcher(ctx, acc, setup, steps.WatchOptions{Window: 30 * time.Minute})
	if err != nil {
		return err
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	traffic := &steps.WatchDemo{Acc: acc, BreakAt: 4}
	go func() { _ = traffic.Run(ctx, 3*time.Second) }()
	deps := watchDeps(acc, setup, watcher, "setup.yaml", steps.WatchThresholds{}, 2*time.Second, sc.Label())
	deps.ApplyFixes = func(ctx context.Context, r steps.DoctorReport) error {
		_, err := steps.ApplyFixes(ctx, acc, r, steps.ApplyOptions{PropagationWait: time.Millisecond})
		return err
	}
	// The demo's jobs live in memory: their journal must not outlive them, and the
	// simulated IAM makes a new role usable at once.
	journalDir, err := os.MkdirTemp("", "s3repl-demo-journal")
	if err != nil {
		return err
	}
	defer os.RemoveAll(journalDir)
	openJobs := func(f steps.BackfillFacts) (*steps.BackfillJournal, error) {
		return steps.OpenBackfillJournal(journalDir, f, time.Now)
	}
	deps.Retry = ui.StepsWatchRetry(acc, setup, watcher, "setup.yaml", nil, openJobs, ui.BackfillOptions{RoleSettle: -1})
	if err := runWatchDashboard(ctx, deps); err != nil {
		return err
	}
	_, err = lipgloss.Fprint(out, ui.StyleMuted.Render("That was a demo: the accounts were simulated, nothing was sent to AWS.")+"\n")
	return err
}
