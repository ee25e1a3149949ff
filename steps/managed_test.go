package steps_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// crowdRole gives the role an inline policy of the user's ("app-logs") so that its
// inline policies hold about total characters (white space not counted), and
// returns that policy.
func crowdRole(t *testing.T, ctx context.Context, acc awsops.Account, role string, total int) string {
	t.Helper()
	names, err := acc.ListRolePolicies(ctx, role)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		doc, err := acc.GetRolePolicy(ctx, role, n)
		if err != nil {
			t.Fatal(err)
		}
		total -= policy.IAMSize(doc)
	}
	doc := bigPolicy(total, func(i int) string {
		return fmt.Sprintf(`{"Sid":"Logs%d","Effect":"Allow","Action":"logs:PutLogEvents","Resource":"arn:aws:logs:us-east-1:111111111111:log-group:app-%04d:*"}`, i, i)
	})
	if err := acc.PutRolePolicy(ctx, role, "app-logs", doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func changeIDs(changes []steps.Change) []string {
	var ids []string
	for _, c := range changes {
		ids = append(ids, c.ID)
	}
	return ids
}

// attachedDoc is the document of the managed policy attached to the role at arn.
func attachedDoc(t *testing.T, ctx context.Context, acc awsops.Account, role, arn string) (string, bool) {
	t.Helper()
	attached, err := acc.AttachedRolePolicies(ctx, role)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range attached {
		if p.ARN == arn {
			return p.Document, true
		}
	}
	return "", false
}

// TestCrowdedRoleGetsAManagedPolicy: a role that already holds about 9,600 characters
// of inline policy has no room for s3repl's statements (IAM takes 10,240 in all).
// The plan puts them in a customer managed policy attached to the role instead,
// touching none of the user's policies; replication then works, the doctor passes
// reading the managed policy, and a second plan is empty.
func TestCrowdedRoleGetsAManagedPolicy(t *testing.T) {
	var theirs string
	s := newSimSetupFrom(t, func(s *simSetup) {
		theirs = crowdRole(t, s.ctx, s.acc.Source, simcloud.DemoExistingRole, 9600)
		plan := s.plan()
		ids := changeIDs(plan.Pending())
		if !slices.Contains(ids, "role-managed-policy") || !slices.Contains(ids, "role-attach-policy") || slices.Contains(ids, "role-policy") || slices.Contains(ids, "role-policy-delete") {
			t.Fatalf("the plan's changes: %v, want the managed policy and its attachment, and no inline policy", ids)
		}
		if warnings := strings.Join(plan.Warnings, "\n"); !strings.Contains(warnings, "10240") || !strings.Contains(warnings, "customer managed policy") {
			t.Errorf("the plan does not say why it uses a managed policy:\n%s", warnings)
		}
	})
	s.expectSettled("after the apply")
	s.expectEveryCheckPasses()
	arn := steps.ManagedPolicyARN(s.facts.RoleARN, s.setup.RolePolicyName())
	if !strings.Contains(arn, ":policy/s3repl/") {
		t.Errorf("the managed policy is %s, want it under path /s3repl/", arn)
	}
	doc, attached := attachedDoc(t, s.ctx, s.acc.Source, simcloud.DemoExistingRole, arn)
	if !attached || !strings.Contains(doc, "s3:ReplicateObject") {
		t.Fatalf("policy %s attached: %v, document %s", arn, attached, doc)
	}
	if after, err := s.acc.Source.GetRolePolicy(s.ctx, simcloud.DemoExistingRole, "app-logs"); err != nil || after != theirs {
		t.Errorf("the user's inline policy changed: %v", err)
	}
	if _, err := s.acc.Source.GetRolePolicy(s.ctx, simcloud.DemoExistingRole, s.setup.RolePolicyName()); !awsops.IsNotFound(err) {
		t.Errorf("s3repl wrote its inline policy too: %v", err)
	}
}

// TestOwnInlinePolicyMovesToTheManagedPolicy: s3repl's inline policy for the rule
// exists (with a statement the user added to it) and grows past the room the role
// has. Its statements, the user's included, move into the managed policy; the inline
// policy is deleted after the managed policy is attached, and only s3repl's.
func TestOwnInlinePolicyMovesToTheManagedPolicy(t *testing.T) {
	userStatement := `{"Sid":"AuditReads","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-audit/*"}`
	s := newSimSetupFrom(t, func(s *simSetup) {
		// an earlier s3repl wrote its inline policy with fewer statements than now
		s.must(s.acc.Source.PutRolePolicy(s.ctx, simcloud.DemoExistingRole, s.setup.RolePolicyName(),
			`{"Version":"2012-10-17","Statement":[`+userStatement+`]}`))
		crowdRole(t, s.ctx, s.acc.Source, simcloud.DemoExistingRole, 9700)
		ids := changeIDs(s.plan().Pending())
		want := []string{"role-managed-policy", "role-attach-policy", "role-policy-delete"}
		at := slices.Index(ids, want[0])
		if at < 0 || !slices.Equal(ids[at:at+3], want) {
			t.Fatalf("the plan's changes: %v, want %v in that order", ids, want)
		}
	})
	s.expectSettled("after the move")
	names, err := s.acc.Source.ListRolePolicies(s.ctx, simcloud.DemoExistingRole)
	s.must(err)
	if slices.Contains(names, s.setup.RolePolicyName()) || !slices.Contains(names, "app-logs") || len(names) != 2 {
		t.Errorf("inline policies after the move: %v, want the user's two, without s3repl's", names)
	}
	doc, attached := attachedDoc(t, s.ctx, s.acc.Source, simcloud.DemoExistingRole, steps.ManagedPolicyARN(s.facts.RoleARN, s.setup.RolePolicyName()))
	if !attached || !strings.Contains(doc, `"AuditReads"`) {
		t.Errorf("the managed policy does not hold the user's statement of the moved policy: %s", doc)
	}
}

// TestManagedPolicyKeepsAtMostFiveVersions: IAM stores five versions of a managed
// policy. An update of s3repl's managed policy that has five deletes the oldest
// version that is not the default, then adds the new one as the default.
func TestManagedPolicyKeepsAtMostFiveVersions(t *testing.T) {
	s := newSimSetupFrom(t, func(s *simSetup) { crowdRole(t, s.ctx, s.acc.Source, simcloud.DemoExistingRole, 9600) })
	arn := steps.ManagedPolicyARN(s.facts.RoleARN, s.setup.RolePolicyName())
	current, err := s.acc.Source.ManagedPolicy(s.ctx, arn)
	s.must(err)
	for i := range 4 {
		doc, err := policy.Parse(current)
		s.must(err)
		s.must(doc.Append([]byte(fmt.Sprintf(`{"Sid":"Old%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::old-%d/*"}`, i, i))))
		s.must(s.acc.Source.CreatePolicyVersion(s.ctx, arn, policy.Compact(doc.String())))
	}
	// s3repl's statements lose one action behind its back
	s.must(s.acc.Source.DeletePolicyVersion(s.ctx, arn, "v1"))
	broken := strings.Replace(current, `"s3:ReplicateTags",`, "", 1)
	if broken == current {
		t.Fatalf("no s3:ReplicateTags to remove in %s", current)
	}
	s.must(s.acc.Source.CreatePolicyVersion(s.ctx, arn, broken))
	before, err := s.acc.Source.PolicyVersions(s.ctx, arn)
	s.must(err)
	if len(before) != 5 {
		t.Fatalf("%d versions before the update, want 5", len(before))
	}
	plan := s.plan()
	if ids := changeIDs(plan.Pending()); !slices.Equal(ids, []string{"role-managed-policy"}) {
		t.Fatalf("the plan's changes: %v, want the managed policy's", ids)
	}
	s.applyPlanned(plan)
	after, err := s.acc.Source.PolicyVersions(s.ctx, arn)
	s.must(err)
	if len(after) != 5 || after[0].ID != before[1].ID || !after[4].Default {
		t.Errorf("versions after the update: %+v, want the oldest (%s) gone and the new one the default", after, before[0].ID)
	}
	s.expectSettled("after the update")
}

// TestPlanRefusesWhenNeitherInlineNorManagedFits: a role with too much inline policy
// and the 10 managed policies IAM allows attached already has no room for s3repl's
// statements in either form: the plan refuses before any write, naming both limits.
func TestPlanRefusesWhenNeitherInlineNorManagedFits(t *testing.T) {
	w := newLimitWorld(t)
	crowdRole(t, w.ctx, w.acc.Source, simcloud.DemoExistingRole, 9600)
	for i := range 10 {
		w.must(w.cloud.AttachRolePolicy(simcloud.DemoSourceAccount, simcloud.DemoExistingRole,
			fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::team-%d/*"}]}`, i)))
	}
	_, err := w.plan()
	if err == nil {
		t.Fatal("the plan was made")
	}
	for _, want := range []string{"10240", "inline policies of role " + simcloud.DemoExistingRole, "10 managed policies attached", "limit of 10 per role (the account's quota)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal does not say %q:\n%v", want, err)
		}
	}

	// AWS raised the account's quota: the eleventh fits
	w.cloud.SetPoliciesPerRoleQuota(simcloud.DemoSourceAccount, 20)
	plan, err := w.plan()
	w.must(err)
	_, err = steps.Apply(w.ctx, w.acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
	w.must(err)
	attached, err := w.acc.Source.AttachedRolePolicies(w.ctx, simcloud.DemoExistingRole)
	w.must(err)
	if len(attached) != 11 {
		t.Errorf("%d managed policies attached, want s3repl's as the eleventh", len(attached))
	}
}

// TestPlanRefusesAManagedPolicyOverItsLimit: s3repl's inline policy holds statements
// of the user's that make it, moved into a managed policy, larger than the 6,144
// characters IAM takes: refused, naming the limit.
func TestPlanRefusesAManagedPolicyOverItsLimit(t *testing.T) {
	w := newLimitWorld(t)
	w.must(w.acc.Source.PutRolePolicy(w.ctx, simcloud.DemoExistingRole, w.setup.RolePolicyName(), bigPolicy(6200, func(i int) string {
		return fmt.Sprintf(`{"Sid":"Audit%d","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::audit-%04d/*"}`, i, i)
	})))
	crowdRole(t, w.ctx, w.acc.Source, simcloud.DemoExistingRole, 9900)
	_, err := w.plan()
	if err == nil || !strings.Contains(err.Error(), "limit of 6144 for a managed policy") {
		t.Fatalf("the plan was not refused for the managed policy's size: %v", err)
	}
}

// TestUnattachedManagedPolicyIsNamed: an earlier run created s3repl's managed policy
// and stopped before attaching it; the role's inline policies have room again, so the
// plan writes the inline policy and names the managed one that nothing uses.
func TestUnattachedManagedPolicyIsNamed(t *testing.T) {
	w := newLimitWorld(t)
	role, err := w.acc.Source.GetRole(w.ctx, simcloud.DemoExistingRole)
	w.must(err)
	arn, err := w.acc.Source.CreatePolicy(w.ctx, steps.ManagedPolicyPath, steps.ManagedPolicyName(role.Name, w.setup.RolePolicyName()),
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme/*"}]}`, "")
	w.must(err)
	plan, err := w.plan()
	w.must(err)
	if ids := changeIDs(plan.Pending()); !slices.Contains(ids, "role-policy") || slices.Contains(ids, "role-attach-policy") {
		t.Errorf("the plan's changes: %v, want the inline policy", ids)
	}
	if warnings := strings.Join(plan.Warnings, "\n"); !strings.Contains(warnings, "aws iam delete-policy --policy-arn "+arn) {
		t.Errorf("the warnings do not name the unattached policy %s:\n%s", arn, warnings)
	}
}

// TestDoctorReadsTheManagedPolicy: the doctor judges the role's permissions with
// s3repl's managed policy, and when it lost a statement names it, and its fix (the
// plan's) writes the managed policy again.
func TestDoctorReadsTheManagedPolicy(t *testing.T) {
	s := newSimSetupFrom(t, func(s *simSetup) { crowdRole(t, s.ctx, s.acc.Source, simcloud.DemoExistingRole, 9600) })
	arn := steps.ManagedPolicyARN(s.facts.RoleARN, s.setup.RolePolicyName())
	current, err := s.acc.Source.ManagedPolicy(s.ctx, arn)
	s.must(err)
	doc, err := policy.Parse(current)
	s.must(err)
	if !doc.Remove("S3replReplicateToDestination") {
		t.Fatalf("no S3replReplicateToDestination statement in %s", current)
	}
	s.must(s.acc.Source.CreatePolicyVersion(s.ctx, arn, policy.Compact(doc.String())))
	report := s.doctor()
	check := doctorCheck(t, report, "role-permissions")
	if check.Status != steps.DoctorFailed || !strings.Contains(check.Fix, arn) {
		t.Fatalf("role-permissions: %s, fix %q", check.Status, check.Fix)
	}
	if ids := changeIDs(report.Fixes); !slices.Equal(ids, []string{"role-managed-policy"}) {
		t.Fatalf("the doctor's fixes: %v", ids)
	}
	s.apply(report.Fixes)
	s.expectSettled("after the doctor's fix")
}

// meddler changes s3repl's managed policy right after it is attached, as someone
// else might between two writes of an apply.
type meddler struct {
	awsops.Account
	meddle func(ctx context.Context, arn string) error
}

func (m meddler) AttachRolePolicy(ctx context.Context, role, arn string) error {
	if err := m.Account.AttachRolePolicy(ctx, role, arn); err != nil {
		return err
	}
	return m.meddle(ctx, arn)
}

// TestInlinePolicyIsKeptWhenTheManagedPolicyLacksItsStatements: the managed policy
// loses a statement of the moved inline policy between the attach and the delete;
// the apply reads it again before deleting, keeps the inline policy and stops.
func TestInlinePolicyIsKeptWhenTheManagedPolicyLacksItsStatements(t *testing.T) {
	s := newScenarioSetup(t, steps.DefaultDemoScenario)
	name := s.setup.RolePolicyName()
	s.must(s.acc.Source.PutRolePolicy(s.ctx, simcloud.DemoExistingRole, name,
		`{"Version":"2012-10-17","Statement":[{"Sid":"AuditReads","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-audit/*"}]}`))
	crowdRole(t, s.ctx, s.acc.Source, simcloud.DemoExistingRole, 9700)
	plan := s.plan()
	src := s.acc.Source
	s.acc.Source = meddler{Account: src, meddle: func(ctx context.Context, arn string) error {
		current, err := src.ManagedPolicy(ctx, arn)
		if err != nil {
			return err
		}
		doc, err := policy.Parse(current)
		if err != nil {
			return err
		}
		doc.Remove("AuditReads")
		return src.CreatePolicyVersion(ctx, arn, policy.Compact(doc.String()))
	}}
	_, err := steps.Apply(s.ctx, s.acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "inline policy is kept") {
		t.Fatalf("the apply: %v, want it stopped keeping the inline policy", err)
	}
	if _, err := src.GetRolePolicy(s.ctx, simcloud.DemoExistingRole, name); err != nil {
		t.Fatalf("s3repl's inline policy with the user's statement was deleted: %v", err)
	}
}

// TestMoveRefusesAStatementOfTheSameSidThatDiffers: s3repl's inline policy and its
// managed policy (left unattached by an earlier run) hold different statements under
// one Sid of the user's: moving would lose one, so the plan refuses, naming both.
func TestMoveRefusesAStatementOfTheSameSidThatDiffers(t *testing.T) {
	w := newLimitWorld(t)
	name := w.setup.RolePolicyName()
	w.must(w.acc.Source.PutRolePolicy(w.ctx, simcloud.DemoExistingRole, name,
		`{"Version":"2012-10-17","Statement":[{"Sid":"AuditReads","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-audit/*"}]}`))
	crowdRole(t, w.ctx, w.acc.Source, simcloud.DemoExistingRole, 9700)
	_, err := w.acc.Source.CreatePolicy(w.ctx, steps.ManagedPolicyPath, steps.ManagedPolicyName(simcloud.DemoExistingRole, name),
		`{"Version":"2012-10-17","Statement":[{"Sid":"AuditReads","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme-audit-2025/*"}]}`, "")
	w.must(err)
	if _, err := w.plan(); err == nil || !strings.Contains(err.Error(), `statement "AuditReads"`) {
		t.Fatalf("the plan: %v, want it refused naming the statement", err)
	}
}
