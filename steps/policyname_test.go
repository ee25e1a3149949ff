package steps_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/steps"
)

// TestRolePolicyNameIsNotDoubled: the default rule id begins with s3repl-; the
// role's policy for it is not named s3repl-s3repl-...
func TestRolePolicyNameIsNotDoubled(t *testing.T) {
	s := steps.DemoSetup()
	if id, name := s.RuleID(), s.RolePolicyName(); !strings.HasPrefix(id, "s3repl-") || name != id {
		t.Fatalf("rule %s, policy %s", id, name)
	}
	s.Rule.ID = "to-backup"
	if name := s.RolePolicyName(); name != "s3repl-to-backup" {
		t.Fatalf("policy %s", name)
	}
}

// TestRoleWithTheFormerPolicyNameKeepsOnePolicy: a role s3repl set up before the
// rename has the rule's statements in s3repl-s3repl-<bucket>: the plan merges into
// that policy, the apply leaves no second one, and a second plan has nothing to do.
func TestRoleWithTheFormerPolicyNameKeepsOnePolicy(t *testing.T) {
	setup := steps.DemoSetup()
	legacy := "s3repl-" + setup.RuleID()
	s := newSimSetupFrom(t, func(s *simSetup) {
		s.must(s.acc.Source.PutRolePolicy(s.ctx, setup.RoleName(), legacy,
			`{"Version":"2012-10-17","Statement":[{"Sid":"S3replReadSourceBucket","Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::`+setup.Source.Bucket+`"}]}`))
		plan := s.plan()
		for _, c := range plan.Changes {
			if c.ID == "role-policy" && !strings.Contains(c.Title, "inline policy "+legacy+")") {
				t.Errorf("the plan writes another policy: %s", c.Title)
			}
		}
	})
	names, err := s.acc.Source.ListRolePolicies(s.ctx, setup.RoleName())
	s.must(err)
	if !slices.Contains(names, legacy) || slices.Contains(names, setup.RolePolicyName()) {
		t.Fatalf("the role's inline policies are %q: want %s alone", names, legacy)
	}
	doc, err := s.acc.Source.GetRolePolicy(s.ctx, setup.RoleName(), legacy)
	s.must(err)
	if !strings.Contains(doc, "kms:Decrypt") || !strings.Contains(doc, "s3:ReplicateObject") {
		t.Fatalf("the rule's statements were not merged into %s:\n%s", legacy, doc)
	}
	s.expectSettled("after the apply")
}
