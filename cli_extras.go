package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/spf13/cobra"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/ui"
)

// versionText is what `s3repl --version` prints after the name: the module version
// and the commit the binary was built from, as the Go toolchain recorded them.
func versionText(info *debug.BuildInfo, ok bool) string {
	if !ok {
		return "unknown (built without module information)"
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	text := info.Main.Version
	if text == "" {
		text = "(devel)"
	}
	commit := settings["vcs.revision"]
	if commit == "" {
		return text + ", commit unknown (built without version control information)"
	}
	text += ", commit " + commit[:min(len(commit), 12)]
	if settings["vcs.modified"] == "true" {
		text += " with local changes"
	}
	if at := settings["vcs.time"]; at != "" {
		text += " of " + at
	}
	return text
}

// unknownCommand refuses a word that names no command, suggesting the nearest ones.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
	if near := cmd.SuggestionsFor(args[0]); len(near) > 0 {
		msg += ": did you mean " + strings.Join(near, " or ") + "?"
	}
	return errors.New(msg + " (`" + cmd.CommandPath() + " --help` lists the commands)")
}

// flagErrorOrUnknownCommand: a mistyped command followed by its flags fails on the
// first flag the root does not have; the mistyped command is the real problem.
func flagErrorOrUnknownCommand(cmd *cobra.Command, err error) error {
	if cmd == cmd.Root() {
		if unknown := unknownCommand(cmd, cmd.Flags().Args()); unknown != nil {
			return unknown
		}
	}
	return err
}

// warnAboutEnvProfile says when AWS_PROFILE names a profile that does not exist, for
// the commands that read a setup file: a side whose profile is empty would fail on
// it, and a user who set it may believe it is used.
func warnAboutEnvProfile(cmd *cobra.Command, _ []string) {
	if cmd.Flags().Lookup("file") == nil {
		return
	}
	if problem := awsops.EnvProfileProblem(); problem != "" {
		lipgloss.Fprintln(cmd.ErrOrStderr(), ui.StyleWarning.Render("warning: ")+problem)
	}
}

// askToApply shows the plan and asks. Any answer but yes applies nothing; that is no
// error, but the changes stay pending and the exit code says so, as plan's 2 does
// (so `s3repl apply ... && s3repl verify ...` stops there).
func askToApply(in io.Reader, shown io.Writer, planView string) error {
	lipgloss.Fprint(shown, planView)
	fmt.Fprint(shown, "Apply these changes? Type yes to continue: ")
	var answer string
	_, _ = fmt.Fscanln(in, &answer)
	if strings.TrimSpace(strings.ToLower(answer)) != "yes" {
		fmt.Fprintln(shown, "Nothing applied.")
		return exitError{code: 2}
	}
	return nil
}

// envProfileOr is AWS_PROFILE when it names a profile, else fallback.
func envProfileOr(fallback string) string {
	if name := os.Getenv("AWS_PROFILE"); name != "" && awsops.EnvProfileProblem() == "" {
		return name
	}
	return fallback
}
