package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
)

// runCLI runs s3repl with args in process and returns its output and exit code.
func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	cmd := rootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	var exit exitError
	switch {
	case errors.As(err, &exit):
		return out.String(), exit.code
	case err != nil:
		return out.String() + err.Error(), 1
	}
	return out.String(), 0
}

func writeSetup(t *testing.T, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "setup.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// motoSetup starts moto, makes a source bucket and writes a setup that replicates it
// with rule to-backup (and ruleExtra, YAML lines under rule:) to a new bucket and key
// in eu-west-1.
func motoSetup(t *testing.T, ruleExtra string) (setup, srcBucket, dstBucket string) {
	t.Helper()
	mototest.Start(t)
	ctx := context.Background()
	src, err := awsops.Open(ctx, mototest.SourceProfile)
	if err != nil {
		t.Fatal(err)
	}
	srcBucket, dstBucket = mototest.UniqueName("src"), mototest.UniqueName("dst")
	if err := src.CreateBucket(ctx, mototest.SourceRegion, srcBucket); err != nil {
		t.Fatal(err)
	}
	setup = writeSetup(t, `
source:
  profile: src
  bucket: `+srcBucket+`
destination:
  profile: dst
  region: eu-west-1
  bucket: `+dstBucket+`
  createBucket: true
  kmsKey: alias/`+dstBucket+`
  createKey: true
role:
  name: replicate-`+srcBucket+`
rule:
  id: to-backup
`+ruleExtra)
	return setup, srcBucket, dstBucket
}

func TestCLIPlanApplyPlan(t *testing.T) {
	setup, _, dstBucket := motoSetup(t, "")
	out, code := runCLI(t, "plan", "-f", setup)
	if code != 2 || !strings.Contains(out, "Create destination bucket "+dstBucket) || !strings.Contains(out, "+++ src-replication (after)") {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}

	out, code = runCLI(t, "plan", "-f", setup, "--json")
	var plan struct {
		Changes []struct {
			ID, Title, Account, Region, Resource, Action string
			Before, After                                json.RawMessage
		}
		Warnings []string
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || code != 2 {
		t.Fatalf("plan --json: exit %d, %v\n%s", code, err, out)
	}
	first := plan.Changes[0]
	if first.ID != "role-create" || first.Action != "create" || string(first.Before) != "null" || first.Account != mototest.SourceAccount || len(first.After) == 0 {
		t.Fatalf("first change: %+v", first)
	}
	if len(plan.Warnings) == 0 {
		t.Fatal("warnings expected (KMS cost, existing objects)")
	}

	out, code = runCLI(t, "apply", "-f", setup, "--yes", "--json", "--journal", t.TempDir())
	var report applyReport
	if err := json.Unmarshal([]byte(out), &report); err != nil || code != 0 || len(report.Applied) != len(plan.Changes) || report.Journal == "" {
		t.Fatalf("apply: exit %d %v\n%s", code, err, out)
	}

	out, code = runCLI(t, "plan", "-f", setup)
	if code != 0 || !strings.Contains(out, "Nothing to change") {
		t.Fatalf("second plan: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "apply", "-f", setup, "--yes")
	if code != 0 || !strings.Contains(out, "Nothing to change") {
		t.Fatalf("second apply: exit %d\n%s", code, out)
	}

	out, code = runCLI(t, "doctor", "-f", setup, "--json")
	var doctor struct {
		Checks []struct{ ID, Status string }
		Fixes  []any
	}
	if err := json.Unmarshal([]byte(out), &doctor); err != nil || code != 0 || len(doctor.Checks) < 15 || len(doctor.Fixes) != 0 {
		t.Fatalf("doctor after apply: exit %d %v\n%s", code, err, out)
	}
	// moto stores replication configurations but never replicates, so the test object
	// gets no status: verify must say so and fail.
	out, code = runCLI(t, "verify", "-f", setup, "--json", "--timeout", "5s")
	var verify struct{ Outcome, Key string }
	if err := json.Unmarshal([]byte(out), &verify); err != nil || code != 1 || verify.Outcome != "NOT_MATCHED" || !strings.HasPrefix(verify.Key, "s3repl-test-") {
		t.Fatalf("verify against moto: exit %d %v\n%s", code, err, out)
	}
	if strings.Contains(out, `"waiting"`) {
		t.Errorf("verify --json still waits for checks after its outcome:\n%s", out)
	}
}

func TestCLIErrorsExitOne(t *testing.T) {
	mototest.Start(t)
	cases := map[string]struct {
		setup string
		want  string
	}{
		"unknown field": {"source: {bucket: a-b-c, profle: x}\n", `unknown field "profle" under source`},
		"eleven tags": {"source: {profile: src, bucket: a-b-c}\ndestination: {profile: dst, bucket: ok-bucket, kmsKey: alias/x}\nrule: {tags: {a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1, i: 1, j: 1, k: 1}}\n",
			"an S3 object carries at most 10"},
		"invalid bucket": {"source: {profile: src, bucket: Bad_Bucket}\ndestination: {profile: dst, bucket: ok-bucket, kmsKey: alias/x}\n", "lowercase letters"},
		"missing source": {"source: {profile: src, bucket: " + mototest.UniqueName("nope") + "}\ndestination: {profile: dst, region: eu-west-1, bucket: " + mototest.UniqueName("d") + ", createBucket: true, kmsKey: alias/x, createKey: true}\n", "does not exist"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			out, code := runCLI(t, "plan", "-f", writeSetup(t, tc.setup))
			if code != 1 || !strings.Contains(out, tc.want) {
				t.Fatalf("exit %d, want 1 with %q:\n%s", code, tc.want, out)
			}
		})
	}
	if out, code := runCLI(t, "apply", "-f", writeSetup(t, "source: {}\n")); code != 1 {
		t.Fatalf("apply of an empty setup: exit %d\n%s", code, out)
	}
	// --json without --yes would mix the plan and its question into the JSON
	if out, code := runCLI(t, "apply", "--json", "-f", writeSetup(t, "source: {}\n")); code != 1 || !strings.Contains(out, "apply --json needs --yes") {
		t.Fatalf("apply --json without --yes: exit %d\n%s", code, out)
	}
	if out, code := runCLI(t, "verify", "--timeout", "-5s", "-f", writeSetup(t, "source: {}\n")); code != 1 || !strings.Contains(out, "give how long to wait") {
		t.Fatalf("verify with a negative timeout: exit %d\n%s", code, out)
	}
	// no terminal in tests: the wizard says what to do instead of a TTY error
	if out, code := runCLI(t); code != 1 || !strings.Contains(out, "s3repl is interactive: run it in a terminal") {
		t.Fatalf("the wizard without a terminal: exit %d\n%s", code, out)
	}
}

func TestCLIDemoListsItsScenariosAndRefusesUnknownOnes(t *testing.T) {
	out, code := runCLI(t, "demo", "--list")
	if code != 0 || !strings.Contains(out, "key-policy-lacks-role") || !strings.Contains(out, "bucket-policy-deny") {
		t.Fatalf("demo --list: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "demo", "--scenario", "nope")
	if code != 1 || !strings.Contains(out, "choose one of fresh, key-policy-lacks-role, kms-not-opted-in, bucket-policy-deny, backfill") {
		t.Fatalf("unknown scenario: exit %d\n%s", code, out)
	}
	out, code = runCLI(t, "demo")
	if code != 1 || !strings.Contains(out, "interactive: run it in a terminal") {
		t.Fatalf("demo without a terminal: exit %d\n%s", code, out)
	}
}
