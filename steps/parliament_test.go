package steps

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// parliamentPath finds the parliament linter the test command installs in .venv.
func parliamentPath(t *testing.T) string {
	t.Helper()
	candidates := []string{os.Getenv("S3REPL_PARLIAMENT"), filepath.Join("..", ".venv", "bin", "parliament")}
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("parliament is not installed: run ./scripts/test, which installs it into .venv")
	}
	t.Skip("parliament is not installed (./scripts/test installs it into .venv)")
	return ""
}

type parliamentFinding struct {
	Issue    string `json:"issue"`
	Severity string `json:"severity"`
	Detail   any    `json:"detail"`
	Location struct {
		Filepath string `json:"filepath"`
	} `json:"location"`
}

// errorLevel says whether parliament's finding is one we must not ship. LOW and INFO
// findings are advice (Resource "*" is how key policies are written; the Sid of a
// customer's own statement is theirs). A trust policy has no Resource by design.
func errorLevel(f parliamentFinding, trustPolicy bool) bool {
	if f.Severity == "LOW" || f.Severity == "INFO" {
		return false
	}
	if trustPolicy && f.Issue == "MALFORMED" && strings.Contains(f.Detail.(string), "neither Resource nor NotResource") {
		return false
	}
	return true
}

// TestGeneratedPoliciesPassParliament lints every policy document every plan scenario
// generates.
func TestGeneratedPoliciesPassParliament(t *testing.T) {
	bin := parliamentPath(t)
	dir := t.TempDir()
	docs := map[string]string{}
	for name, plan := range lintScenarios(t) {
		for _, c := range plan.Changes {
			if !strings.Contains(c.After, `"Statement"`) {
				continue
			}
			file := filepath.Join(dir, name+"-"+c.ID+".json")
			if err := os.WriteFile(file, []byte(c.After), 0o600); err != nil {
				t.Fatal(err)
			}
			docs[file] = c.ID
		}
	}
	out, err := exec.Command(bin, "--json", "--directory", dir, "--include_policy_extension", ".json").Output()
	if err != nil && len(out) == 0 {
		t.Fatalf("parliament: %v", err)
	}
	scanner := bufio.NewScanner(bytes.NewReader(out))
	for scanner.Scan() {
		var f parliamentFinding
		if err := json.Unmarshal(scanner.Bytes(), &f); err != nil {
			t.Fatalf("parliament output %q: %v", scanner.Text(), err)
		}
		id := docs[f.Location.Filepath]
		if errorLevel(f, id == "role-create" || id == "role-trust") {
			doc, _ := os.ReadFile(f.Location.Filepath)
			t.Errorf("%s: %s %s %v\n%s", filepath.Base(f.Location.Filepath), f.Severity, f.Issue, f.Detail, doc)
		}
	}
	if len(docs) < 10 {
		t.Fatalf("only %d documents linted", len(docs))
	}
}

func lintScenarios(t *testing.T) map[string]*Plan {
	plans := map[string]*Plan{"fresh": mustPlan(t, freshSetup(), freshState())}
	s, st := existingState()
	plans["existing"] = mustPlan(t, s, st)
	prefixed := freshSetup()
	prefixed.Rule.Prefix, prefixed.Destination.Region = "invoices/", "us-east-1"
	plans["prefix-same-region"] = mustPlan(t, prefixed, freshState())
	locked := freshState()
	locked.Source.ObjectLock, locked.Destination.ObjectLock = true, true
	locked.Source.KeyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/admin"},"Action":"kms:*","Resource":"*"}]}`
	lockedSetup := freshSetup()
	lockedSetup.Destination.CreateBucket = false
	locked.Destination.BucketExists, locked.Destination.Region = true, "eu-west-1"
	plans["object-lock-source-key"] = mustPlan(t, lockedSetup, locked)
	crowdedSetup, crowded := existingState()
	crowded.Role.Inline = map[string]string{"app-logs": crowdedInline(9600)}
	plans["crowded-role"] = mustPlan(t, crowdedSetup, crowded)
	if c := plans["crowded-role"].Changes; !slices.ContainsFunc(c, func(c Change) bool { return c.ID == "role-managed-policy" }) {
		t.Fatal("the crowded role's plan has no managed policy to lint")
	}
	return plans
}

// crowdedInline is an inline policy of the user's of about size characters.
func crowdedInline(size int) string {
	var statements []string
	for total := 40; total < size; {
		st := fmt.Sprintf(`{"Sid":"Logs%d","Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:111111111111:log-group:app-%04d:*"}`, len(statements), len(statements))
		statements = append(statements, st)
		total += len(st) + 1
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}
