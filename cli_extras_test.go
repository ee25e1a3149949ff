package main

import (
	"bytes"
	"errors"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops/mototest"
)

func TestVersionText(t *testing.T) {
	built := &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "8d28f64a1b2c3d4e5f60718293a4b5c6d7e8f901"},
		{Key: "vcs.time", Value: "2026-12-03T09:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	cases := []struct {
		info *debug.BuildInfo
		ok   bool
		want string
	}{
		{built, true, "v1.4.0, commit 8d28f64a1b2c with local changes of 2026-12-03T09:00:00Z"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, true, "(devel), commit unknown (built without version control information)"},
		{nil, false, "unknown (built without module information)"},
	}
	for _, c := range cases {
		if got := versionText(c.info, c.ok); got != c.want {
			t.Errorf("versionText = %q, want %q", got, c.want)
		}
	}
	out, code := runCLI(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "s3repl ") || !strings.Contains(out, "commit") {
		t.Errorf("--version: exit %d\n%s", code, out)
	}
}

func TestMistypedCommandGetsASuggestion(t *testing.T) {
	cases := map[string][]string{
		"did you mean apply?":  {"aply", "-f", "setup.yaml"},
		"did you mean plan?":   {"plna"},
		"did you mean doctor?": {"doctr", "--json"},
	}
	for want, args := range cases {
		out, code := runCLI(t, args...)
		if code != 1 || !strings.Contains(out, want) || !strings.Contains(out, `unknown command "`+args[0]+`"`) {
			t.Errorf("s3repl %s: exit %d, want 1 and %q:\n%s", strings.Join(args, " "), code, want, out)
		}
	}
}

// Answering anything but yes applies nothing: said plainly, not as an error, and the
// exit code is plan's "changes pending".
func TestApplyAnsweredNo(t *testing.T) {
	var shown bytes.Buffer
	err := askToApply(strings.NewReader("no\n"), &shown, "the plan\n")
	var exit exitError
	if !errors.As(err, &exit) || exit.code != 2 {
		t.Errorf("answer no: %v, want exit 2", err)
	}
	if got := shown.String(); !strings.HasSuffix(got, "Type yes to continue: Nothing applied.\n") || strings.Contains(got, "error") {
		t.Errorf("shown:\n%s", got)
	}
	if err := askToApply(strings.NewReader("yes\n"), &shown, "the plan\n"); err != nil {
		t.Errorf("answer yes: %v", err)
	}
}

func TestMissingAWSProfileIsSaid(t *testing.T) {
	mototest.Start(t)
	t.Setenv("AWS_PROFILE", "nosuch")
	out, _ := runCLI(t, "plan", "-f", writeSetup(t, "source: {}\n"))
	for _, want := range []string{"warning: AWS_PROFILE=nosuch names no profile", mototest.SourceProfile + ")", mototest.DestProfile + ", "} {
		if !strings.Contains(out, want) {
			t.Errorf("plan with AWS_PROFILE=nosuch does not say %q:\n%s", want, out)
		}
	}
	t.Setenv("AWS_PROFILE", mototest.SourceProfile)
	if out, _ := runCLI(t, "plan", "-f", writeSetup(t, "source: {}\n")); strings.Contains(out, "AWS_PROFILE") {
		t.Errorf("a profile that exists is warned of:\n%s", out)
	}
}

// The wizard's source list starts on AWS_PROFILE's profile only when it exists.
func TestWizardStartsOnAnExistingProfile(t *testing.T) {
	mototest.Start(t)
	t.Setenv("AWS_PROFILE", "nosuch")
	if got := envProfileOr("default"); got != "default" {
		t.Errorf("AWS_PROFILE=nosuch: starts on %q, want default", got)
	}
	t.Setenv("AWS_PROFILE", mototest.DestProfile)
	if got := envProfileOr("default"); got != mototest.DestProfile {
		t.Errorf("AWS_PROFILE=%s: starts on %q", mototest.DestProfile, got)
	}
}
