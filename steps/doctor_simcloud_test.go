package steps_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
	"github.com/s3repl/s3repl/steps"
)

// simSetup is the demo's setup applied to a fresh simulated cloud whose clock moves
// only when Verify waits, so a replication takes no real time.
type simSetup struct {
	t     testing.TB
	ctx   context.Context
	cloud *simcloud.Cloud
	clock *simcloud.ManualClock
	acc   steps.Accounts
	setup steps.Setup
	facts steps.Facts
}

// newSimSetup applies the demo's setup, changed by edit when given; options such as
// another latency are passed on to the cloud.
func newSimSetup(t *testing.T, edit func(*steps.Setup), options ...simcloud.Option) *simSetup {
	t.Helper()
	clock := simcloud.NewManualClock(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))
	options = append([]simcloud.Option{simcloud.WithClock(clock), simcloud.WithLatency(2 * time.Second)}, options...)
	s := &simSetup{
		t: t, ctx: context.Background(), clock: clock, setup: steps.DemoSetup(),
		cloud: simcloud.NewDemo(options...),
	}
	if edit != nil {
		edit(&s.setup)
	}
	s.open()
	s.applyPlan()
	return s
}

// newScenarioSetup is a demo scenario's cloud as `s3repl demo --scenario` starts
// it, with the demo's setup, before the wizard plans anything.
func newScenarioSetup(t testing.TB, scenario string) *simSetup {
	t.Helper()
	sc, err := steps.DemoScenarioNamed(scenario)
	if err != nil {
		t.Fatal(err)
	}
	clock := simcloud.NewManualClock(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC))
	s := &simSetup{t: t, ctx: context.Background(), clock: clock, setup: steps.DemoSetup()}
	s.cloud, err = sc.NewDemoCloud(s.ctx, simcloud.WithClock(clock), simcloud.WithLatency(2*time.Second))
	s.must(err)
	s.open()
	return s
}

func (s *simSetup) open() {
	acc, err := steps.OpenAccounts(s.ctx, s.cloud.Open, s.setup)
	s.must(err)
	s.acc = acc
}

// applyPlan plans the setup and applies what the plan says.
func (s *simSetup) applyPlan() {
	s.t.Helper()
	s.applyPlanned(s.plan())
}

// applyPlanned applies a plan made for the setup.
func (s *simSetup) applyPlanned(plan *steps.Plan) {
	s.t.Helper()
	s.facts = plan.Facts
	s.apply(plan.Pending())
}

// expectSettled verifies the setup replicates and a plan has nothing left to do.
func (s *simSetup) expectSettled(when string) {
	s.t.Helper()
	if report := s.verify(); report.Outcome != steps.OutcomeCompleted {
		s.t.Fatalf("%s: verify %s (%s)", when, report.Outcome, report.Explanation)
	}
	if pending := s.plan().Pending(); len(pending) != 0 {
		s.t.Fatalf("%s: a second plan has changes: %s", when, titles(pending))
	}
}

func (s *simSetup) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

func (s *simSetup) plan() *steps.Plan {
	s.t.Helper()
	st, err := steps.Inspect(s.ctx, s.acc, s.setup)
	s.must(err)
	plan, err := steps.BuildPlan(s.setup, st)
	s.must(err)
	return plan
}

// apply makes changes as `s3repl apply` does, whether they come from a plan or are
// the doctor's fixes.
func (s *simSetup) apply(changes []steps.Change) {
	s.t.Helper()
	plan := &steps.Plan{Setup: s.setup, Facts: s.facts, Changes: changes}
	_, err := steps.Apply(s.ctx, s.acc, plan, steps.ApplyOptions{PropagationWait: time.Millisecond})
	s.must(err)
}

func (s *simSetup) verify() steps.VerifyReport {
	s.t.Helper()
	report, err := s.tryVerify()
	s.must(err)
	return report
}

func (s *simSetup) tryVerify() (steps.VerifyReport, error) {
	return steps.Verify(s.ctx, s.acc, s.setup, steps.VerifyOptions{
		Timeout: time.Minute, Now: s.clock.Now,
		Sleep: func(_ context.Context, d time.Duration) error { s.clock.Advance(d); return nil },
	})
}

func (s *simSetup) doctor() steps.DoctorReport {
	s.t.Helper()
	report, err := steps.Doctor(s.ctx, s.acc, s.setup)
	s.must(err)
	return report
}

// failureReason is S3's reason for not replicating a source object version.
func (s *simSetup) failureReason(key, versionID string) string {
	failure, ok := s.cloud.ReplicationFailure(s.setup.Source.Bucket, key, versionID)
	if !ok {
		return "(no failure)"
	}
	return failure.Reason
}

// upload puts an object into the source bucket, encrypted with keyARN ("" for the
// bucket's default); S3 tries to replicate it once the clock has moved on.
func (s *simSetup) upload(key, keyARN string) string {
	s.t.Helper()
	version, err := s.acc.Source.PutObject(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket, key, []byte("data\n"), awsops.PutOptions{KMSKeyID: keyARN})
	s.must(err)
	return version
}

// lastVersion is the newest object version under prefix in the source bucket, once
// S3 has had time to replicate it.
func (s *simSetup) lastVersion(prefix string) (key, versionID string) {
	s.t.Helper()
	s.clock.Advance(time.Minute)
	versions, err := s.acc.Source.ListObjectVersions(s.ctx, simcloud.DemoSourceRegion, s.setup.Source.Bucket, prefix, 1)
	s.must(err)
	if len(versions) == 0 {
		s.t.Fatalf("no object under %s", prefix)
	}
	return versions[0].Key, versions[0].VersionID
}

func (s *simSetup) replicaKeyARN() string { return s.facts.DestKeyARN }

func (s *simSetup) sourceKeyARN() string { return s.facts.SourceKeyARNs[0] }

func (s *simSetup) roleARN() string { return s.facts.RoleARN }

// editRule changes s3repl's rule in the source bucket's configuration, as someone in
// the console would.
func (s *simSetup) editRule(edit func(rule map[string]any)) {
	s.t.Helper()
	region, bucket := simcloud.DemoSourceRegion, s.setup.Source.Bucket
	doc, err := s.acc.Source.GetBucketReplication(s.ctx, region, bucket)
	s.must(err)
	var config map[string]any
	s.must(json.Unmarshal([]byte(doc), &config))
	for _, r := range config["Rules"].([]any) {
		if rule := r.(map[string]any); rule["ID"] == s.setup.RuleID() {
			edit(rule)
		}
	}
	edited, err := json.Marshal(config)
	s.must(err)
	s.must(s.acc.Source.PutBucketReplication(s.ctx, region, bucket, string(edited)))
}

func (s *simSetup) pointRuleAtKey(keyARN string) {
	s.editRule(func(rule map[string]any) {
		destination := rule["Destination"].(map[string]any)
		destination["EncryptionConfiguration"] = map[string]any{"ReplicaKmsKeyID": keyARN}
	})
}

func (s *simSetup) setTrust(trust string) {
	s.must(s.acc.Source.UpdateAssumeRolePolicy(s.ctx, s.setup.RoleName(), trust))
}

func (s *simSetup) removeFromRolePolicy(sid string) {
	s.t.Helper()
	name := s.setup.RolePolicyName()
	doc, err := s.acc.Source.GetRolePolicy(s.ctx, s.setup.RoleName(), name)
	s.must(err)
	s.must(s.acc.Source.PutRolePolicy(s.ctx, s.setup.RoleName(), name, without(s.t, doc, sid)))
}

func (s *simSetup) editRolePolicy(edit func(string) string) {
	s.t.Helper()
	name := s.setup.RolePolicyName()
	doc, err := s.acc.Source.GetRolePolicy(s.ctx, s.setup.RoleName(), name)
	s.must(err)
	edited := edit(doc)
	if edited == doc {
		s.t.Fatalf("the edit did not change the role policy:\n%s", doc)
	}
	s.must(s.acc.Source.PutRolePolicy(s.ctx, s.setup.RoleName(), name, edited))
}

func (s *simSetup) replicaKeyPolicy() string {
	s.t.Helper()
	doc, err := s.acc.Destination.GetKeyPolicy(s.ctx, simcloud.DemoDestRegion, s.replicaKeyARN())
	s.must(err)
	return doc
}

func (s *simSetup) destBucketPolicy() string {
	s.t.Helper()
	doc, err := s.acc.Destination.GetBucketPolicy(s.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket)
	s.must(err)
	return doc
}

// without removes statements by Sid from a policy document.
func without(t testing.TB, doc string, sids ...string) string {
	t.Helper()
	parsed, err := policy.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !parsed.Remove(sids...) {
		t.Fatalf("no statement %v in\n%s", sids, doc)
	}
	return parsed.String()
}

// withStatement adds a statement, given as JSON, to a policy document.
func withStatement(t testing.TB, doc, statement string) string {
	t.Helper()
	parsed, err := policy.Parse(doc)
	if err == nil {
		err = parsed.Append([]byte(statement))
	}
	if err != nil {
		t.Fatal(err)
	}
	return parsed.String()
}

func s3Trust(condition string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
		`"Action":"sts:AssumeRole","Condition":` + condition + `}]}`
}

// doctorScenario breaks a working setup in one way and says what the doctor, S3 and
// the doctor's fixes make of it.
type doctorScenario struct {
	name  string
	setup func(*steps.Setup) // the setup as applied, when not the demo's
	// breakIt changes the cloud behind s3repl's back.
	breakIt func(*simSetup)
	check   string
	status  steps.DoctorStatus
	// evidence is a phrase the check's evidence must contain.
	evidence string
	// others are the checks the same break also trips; every other check passes (or
	// is information).
	others map[string]steps.DoctorStatus
	// outcome is what a new verification makes of the test object, and reason S3's
	// failure reason when it FAILED.
	outcome steps.Outcome
	reason  string
	// why is a phrase verify's explanation must contain, for objects that match no rule.
	why string
	// uploadRefused is a phrase of the error Verify ends with when the break stops
	// even the test object's upload; there is no outcome then.
	uploadRefused string
	// fixes are the plan changes the doctor offers, by ID; none when s3repl cannot fix
	// the break, and refused when the setup cannot even be planned as it stands.
	fixes   []string
	refused bool
	// confirm checks what else the break does in the cloud.
	confirm func(*testing.T, *simSetup)
}

func doctorScenarios() []doctorScenario {
	failed, unknown, passed := steps.DoctorFailed, steps.DoctorUnknown, steps.DoctorPassed
	return []doctorScenario{
		{
			name: "source bucket no longer versioned", check: "source-versioning", status: failed,
			evidence: "versioning never enabled", why: "S3 replicates only from versioned buckets",
			// S3 refuses this while a rule exists; the simulation stages it.
			breakIt: func(s *simSetup) { s.must(s.cloud.MakeUnversioned(simcloud.DemoSourceBucket)) },
			outcome: steps.OutcomeNotMatched, fixes: []string{"src-versioning"},
		},
		{
			name: "destination versioning suspended", check: "destination-versioning", status: failed,
			evidence: "versioning Suspended",
			breakIt:  func(s *simSetup) { s.must(s.cloud.SetBucketVersioning(simcloud.DemoDestBucket, "Suspended")) },
			outcome:  steps.OutcomeFailed, reason: "DstBucketUnversioned", fixes: []string{"dst-versioning"},
		},
		{
			name: "rule disabled in the console", check: "rule", status: failed,
			evidence: "is Disabled", why: "is Disabled",
			breakIt: func(s *simSetup) { s.editRule(func(rule map[string]any) { rule["Status"] = "Disabled" }) },
			outcome: steps.OutcomeNotMatched, fixes: []string{"src-replication"},
		},
		{
			name: "rule narrowed to a prefix the objects are not under", check: "rule", status: failed,
			evidence: "covers keys under reports/", why: "outside the rule's prefix \"reports/\"",
			breakIt: func(s *simSetup) {
				s.editRule(func(rule map[string]any) { rule["Filter"] = map[string]any{"Prefix": "reports/"} })
			},
			outcome: steps.OutcomeNotMatched, fixes: []string{"src-replication"},
		},
		{
			name: "SSE-KMS objects not opted in", check: "kms-opt-in", status: failed,
			evidence: "does not replicate SSE-KMS objects", why: "does not opt in SSE-KMS objects",
			others: map[string]steps.DoctorStatus{"replica-key": unknown, "destination-key-policy": unknown},
			breakIt: func(s *simSetup) {
				s.editRule(func(rule map[string]any) {
					delete(rule, "SourceSelectionCriteria")
					delete(rule["Destination"].(map[string]any), "EncryptionConfiguration")
				})
			},
			outcome: steps.OutcomeNotMatched, fixes: []string{"src-replication"},
		},
		{
			name: "replica key disabled", check: "replica-key", status: failed,
			evidence: "is Disabled",
			breakIt:  func(s *simSetup) { s.must(s.cloud.SetKeyState(s.replicaKeyARN(), "Disabled")) },
			outcome:  steps.OutcomeFailed, reason: "DstKmsKeyInvalidState", refused: true,
		},
		{
			name: "rule names a replica key in another Region", check: "replica-key", status: failed,
			evidence: "is in eu-central-1 but the destination bucket is in eu-west-1",
			others:   map[string]steps.DoctorStatus{"destination-key-policy": failed, "role-permissions": failed},
			breakIt: func(s *simSetup) {
				key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoDestAccount, Region: simcloud.DemoOtherRegion, Description: "Frankfurt backups"})
				s.must(err)
				s.pointRuleAtKey(key.ARN)
			},
			outcome: steps.OutcomeFailed, reason: "DstKmsKeyNotFound", fixes: []string{"src-replication"},
		},
		{
			name: "rule names an asymmetric replica key", check: "replica-key", status: failed,
			evidence: "RSA_2048 for SIGN_VERIFY",
			others:   map[string]steps.DoctorStatus{"destination-key-policy": failed, "role-permissions": failed},
			breakIt: func(s *simSetup) {
				key, err := s.acc.Destination.DescribeKey(s.ctx, simcloud.DemoDestRegion, simcloud.DemoSigningKey)
				s.must(err)
				s.pointRuleAtKey(key.ARN)
			},
			outcome: steps.OutcomeFailed, reason: "DstKmsKeyInvalidState", fixes: []string{"src-replication"},
		},
		{
			name: "rule names the AWS managed aws/s3 key", check: "replica-key", status: failed,
			evidence: "AWS managed key",
			others:   map[string]steps.DoctorStatus{"destination-key-policy": unknown},
			breakIt: func(s *simSetup) {
				s.pointRuleAtKey(s.cloud.ManagedS3Key(simcloud.DemoDestAccount, simcloud.DemoDestRegion).ARN)
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"src-replication"},
		},
		{
			name: "trust policy without S3", check: "role-trust", status: failed,
			evidence: "(AssumeRoleNotPermitted)",
			breakIt: func(s *simSetup) {
				s.setTrust(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
			},
			outcome: steps.OutcomeFailed, reason: "AssumeRoleNotPermitted", fixes: []string{"role-trust"},
		},
		{
			name: "trust policy for another bucket (aws:SourceArn)", check: "role-trust", status: failed,
			evidence: "arn:aws:s3:::acme-prod-logs",
			breakIt: func(s *simSetup) {
				s.setTrust(s3Trust(`{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::acme-prod-logs"}}`))
			},
			outcome: steps.OutcomeFailed, reason: "AssumeRoleNotPermitted", fixes: []string{"role-trust"},
		},
		{
			name: "trust policy for another account (aws:SourceAccount)", check: "role-trust", status: failed,
			evidence: "999999999999",
			breakIt: func(s *simSetup) {
				s.setTrust(s3Trust(`{"StringEquals":{"aws:SourceAccount":"999999999999"}}`))
			},
			outcome: steps.OutcomeFailed, reason: "AssumeRoleNotPermitted", fixes: []string{"role-trust"},
		},
		{
			// the trust s3repl used to write: AWS does not document that S3 sends these
			// keys, so the simulated S3 does not, and the doctor cannot tell
			name: "trust that needs aws:SourceAccount and aws:SourceArn", check: "role-trust", status: unknown,
			evidence: "StringEquals aws:SourceAccount)",
			breakIt: func(s *simSetup) {
				s.setTrust(`{"Version":"2012-10-17","Statement":[{"Sid":"` + s.facts.TrustSid() + `","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
					`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::acme-prod-orders"}}}]}`)
			},
			outcome: steps.OutcomeFailed, reason: "AssumeRoleNotPermitted", fixes: []string{"role-trust"},
			confirm: func(t *testing.T, s *simSetup) {
				c := doctorCheck(t, s.doctor(), "role-trust")
				if !strings.Contains(c.Evidence, `statement "`+s.facts.TrustSid()+`"`) || !strings.Contains(c.Evidence, "ArnLike aws:SourceArn") {
					t.Errorf("role-trust does not name the statement and its conditions: %s", c.Evidence)
				}
			},
		},
		{
			// a user's own trust with IfExists forms holds with or without the keys
			name: "trust with IfExists conditions on the source", check: "role-trust", status: passed,
			evidence: "allows s3.amazonaws.com to call sts:AssumeRole",
			breakIt: func(s *simSetup) {
				s.setTrust(s3Trust(`{"StringEqualsIfExists":{"aws:SourceAccount":"111111111111"},"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::acme-prod-orders"}}`))
			},
			outcome: steps.OutcomeCompleted,
		},
		{
			name: "role deleted", check: "role-trust", status: failed,
			evidence: "does not exist",
			others: map[string]steps.DoctorStatus{"role-permissions": unknown, "permissions-boundary": unknown, "source-key-policy": unknown,
				"destination-key-policy": unknown, "destination-bucket-policy": unknown, "object-keys": unknown, "tags": unknown},
			breakIt: func(s *simSetup) { s.must(s.cloud.DeleteRole(simcloud.DemoSourceAccount, s.setup.RoleName())) },
			outcome: steps.OutcomeFailed, reason: "AssumeRoleNotPermitted", refused: true,
			confirm: func(t *testing.T, s *simSetup) {
				// the plan refuses to replace a role the configuration names
				if c := doctorCheck(t, s.doctor(), "role-trust"); !strings.Contains(c.Fix, "recreate role") {
					t.Errorf("role-trust's fix %q is not what the refused plan needs", c.Fix)
				}
			},
		},
		{
			// A platform team bounds every role: the boundary lets the role read but not
			// replicate. The role's own policy is complete, and s3repl cannot fix this.
			name: "permissions boundary without the replication actions", check: "permissions-boundary", status: failed,
			evidence: "s3:ReplicateObject on arn:aws:s3:::acme-backup-orders/s3repl-doctor-probe",
			breakIt: func(s *simSetup) {
				boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","kms:*"],"Resource":"*"}]}`
				_, err := s.cloud.SetRolePermissionsBoundary(simcloud.DemoSourceAccount, s.setup.RoleName(), boundary)
				s.must(err)
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted",
			confirm: func(t *testing.T, s *simSetup) {
				plan := s.plan()
				if blockers := strings.Join(plan.Blockers, "\n"); !strings.Contains(blockers, "permissions boundary") || !strings.Contains(blockers, "s3:ReplicateObject") {
					t.Errorf("the plan does not name the boundary as what will still fail: %q", plan.Blockers)
				}
			},
		},
		{
			name: "role policy cannot read source objects", check: "role-permissions", status: failed,
			evidence: "s3:GetObjectVersionForReplication",
			breakIt:  func(s *simSetup) { s.removeFromRolePolicy("S3replReadSourceObjects") },
			outcome:  steps.OutcomeFailed, reason: "SrcGetObjectNotPermitted", fixes: []string{"role-policy"},
		},
		{
			name: "role policy cannot replicate into the destination", check: "role-permissions", status: failed,
			evidence: "s3:ReplicateObject",
			others:   map[string]steps.DoctorStatus{"destination-bucket-policy": unknown},
			breakIt:  func(s *simSetup) { s.removeFromRolePolicy("S3replReplicateToDestination") },
			outcome:  steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"role-policy"},
		},
		{
			name: "role policy cannot use the replica key", check: "role-permissions", status: failed,
			evidence: "kms:Encrypt",
			others:   map[string]steps.DoctorStatus{"destination-key-policy": unknown},
			breakIt:  func(s *simSetup) { s.removeFromRolePolicy("S3replEncryptReplicas") },
			outcome:  steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"role-policy"},
		},
		{
			name: "source key policy does not delegate to IAM", check: "source-key-policy", status: failed,
			evidence: "kms:Decrypt",
			// the sampled objects are under that key, and KMS asks its policy
			others: map[string]steps.DoctorStatus{"object-keys": failed},
			breakIt: func(s *simSetup) {
				admins := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%s:user/demo-admin"},"Action":"kms:*","Resource":"*"}]}`, simcloud.DemoSourceAccount)
				s.must(s.cloud.SetKeyPolicy(s.sourceKeyARN(), admins))
			},
			outcome: steps.OutcomeFailed, reason: "SrcGetObjectNotPermitted", fixes: []string{"src-key-policy"},
		},
		{
			name: "source key disabled", check: "source-key-policy", status: failed,
			evidence: "(SrcKmsKeyInvalidState)",
			// an object still pending when the key is disabled fails; new uploads are refused
			breakIt: func(s *simSetup) {
				s.upload("orders/2026/11/26.csv", "")
				s.must(s.cloud.SetKeyState(s.sourceKeyARN(), "Disabled"))
			},
			uploadRefused: "KMS.DisabledException",
			confirm: func(t *testing.T, s *simSetup) {
				if reason := s.failureReason(s.lastVersion("orders/2026/11/26")); reason != "SrcKmsKeyInvalidState" {
					t.Errorf("the object pending when the key was disabled: %s, want SrcKmsKeyInvalidState", reason)
				}
			},
		},
		{
			name: "replica key policy lost the role", check: "destination-key-policy", status: failed,
			evidence: "(DstPutObjectNotPermitted)",
			breakIt: func(s *simSetup) {
				s.must(s.cloud.SetKeyPolicy(s.replicaKeyARN(), without(s.t, s.replicaKeyPolicy(), s.facts.KeyPolicySid())))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"dst-key-policy"},
		},
		{
			name: "destination bucket policy lost the role", check: "destination-bucket-policy", status: failed,
			evidence: "(DstPutObjectNotPermitted)",
			breakIt: func(s *simSetup) {
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, without(s.t, s.destBucketPolicy(), s.facts.BucketPolicySids()...)))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"dst-bucket-policy"},
		},
		{
			name: "destination bucket policy without ownership override", check: "destination-bucket-policy", status: failed,
			evidence: "s3repl-doctor-probe (DstPutObjectNotPermitted)",
			breakIt: func(s *simSetup) {
				doc := strings.Replace(s.destBucketPolicy(), `"s3:ObjectOwnerOverrideToBucketOwner"`, `"s3:ReplicateTags"`, 1)
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"dst-bucket-policy"},
		},
		{
			// "Permissions for the s3:ReplicateObject action ... also allow replication of
			// metadata such as object tags" [setting-repl-config-perm-overview]: AWS's own
			// cross-account bucket policy grants no s3:ReplicateTags
			name: "destination bucket policy without tag replication", check: "tags", status: steps.DoctorInfo,
			evidence: "s3:ReplicateObject covers it",
			setup:    func(s *steps.Setup) { s.Rule.Tags = map[string]string{"backup": "daily"} },
			breakIt: func(s *simSetup) {
				doc := strings.Replace(s.destBucketPolicy(), `"s3:ReplicateTags",`, ``, 1)
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
			},
			outcome: steps.OutcomeCompleted, fixes: []string{"dst-bucket-policy"},
		},
		{
			name: "role may not read object tags", check: "tags", status: steps.DoctorInfo,
			evidence: "replicates the objects, but not the object tags",
			setup:    func(s *steps.Setup) { s.Rule.Tags = map[string]string{"backup": "daily"} },
			breakIt: func(s *simSetup) {
				s.editRolePolicy(func(doc string) string {
					return strings.Replace(doc, `"s3:GetObjectVersionTagging"`, `"s3:GetObjectVersionAttributes"`, 1)
				})
			},
			outcome: steps.OutcomeCompleted, fixes: []string{"role-policy"},
			confirm: func(t *testing.T, s *simSetup) {
				report := s.verify()
				if tags := s.cloud.ObjectTags(simcloud.DemoDestBucket, report.Key, report.VersionID); len(tags) != 0 {
					t.Errorf("the replica has tags %v the role may not read", tags)
				}
			},
		},
		{
			name: "explicit Deny in the destination bucket policy", check: "explicit-deny", status: failed,
			evidence: "\"DenyOtherAccounts\"",
			others:   map[string]steps.DoctorStatus{"destination-bucket-policy": failed},
			breakIt: func(s *simSetup) {
				deny := `{"Sid":"DenyOtherAccounts","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::acme-backup-orders/*",` +
					`"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"222222222222"}}}`
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, withStatement(s.t, s.destBucketPolicy(), deny)))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted",
			confirm: func(t *testing.T, s *simSetup) {
				if c := doctorCheck(t, s.doctor(), "destination-bucket-policy"); strings.Contains(c.Fix, "s3repl apply") {
					t.Errorf("destination-bucket-policy promises a fix s3repl cannot make for a Deny: %s", c.Fix)
				}
			},
		},
		{
			// The simulated accounts belong to no organization, so S3 denies; s3repl
			// cannot see organizations, so the doctor says it cannot tell, naming the
			// statement and its condition, and no other check fails for it.
			name: "Deny outside the organization in the destination bucket policy", check: "explicit-deny", status: unknown,
			evidence: `statement "DenyOutsideOrg" of the bucket policy of acme-backup-orders denies the role s3:ReplicateObject`,
			breakIt: func(s *simSetup) {
				deny := `{"Sid":"DenyOutsideOrg","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::acme-backup-orders/*",` +
					`"Condition":{"StringNotEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}`
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, withStatement(s.t, s.destBucketPolicy(), deny)))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted",
			confirm: func(t *testing.T, s *simSetup) {
				c := doctorCheck(t, s.doctor(), "explicit-deny")
				if !strings.Contains(c.Evidence, "aws:PrincipalOrgID") || !strings.Contains(c.Evidence, "cannot see the organization") {
					t.Errorf("the evidence does not name the condition it cannot check: %s", c.Evidence)
				}
				plan := s.plan()
				if len(plan.Blockers) != 0 || !strings.Contains(strings.Join(plan.Warnings, "\n"), "DenyOutsideOrg") {
					t.Errorf("the plan should warn of the statement, not call it a blocker: blockers %q, warnings %q", plan.Blockers, plan.Warnings)
				}
			},
		},
		{
			name: "explicit Deny in the replica key policy", check: "explicit-deny", status: failed,
			evidence: "\"NoEncryptForOthers\"",
			others:   map[string]steps.DoctorStatus{"destination-key-policy": failed},
			breakIt: func(s *simSetup) {
				deny := fmt.Sprintf(`{"Sid":"NoEncryptForOthers","Effect":"Deny","Principal":{"AWS":%q},"Action":"kms:Encrypt","Resource":"*"}`, s.roleARN())
				s.must(s.cloud.SetKeyPolicy(s.replicaKeyARN(), withStatement(s.t, s.replicaKeyPolicy(), deny)))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted",
		},
		{
			name: "replica key only through a VPC endpoint (aws:SourceVpce)", check: "network-conditions", status: failed,
			evidence: "replica key policy: statement \"OnlyFromVpce\"",
			others:   map[string]steps.DoctorStatus{"explicit-deny": failed, "destination-key-policy": failed},
			breakIt: func(s *simSetup) {
				deny := `{"Sid":"OnlyFromVpce","Effect":"Deny","Principal":"*","Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*"],"Resource":"*",` +
					`"Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}}`
				s.must(s.cloud.SetKeyPolicy(s.replicaKeyARN(), withStatement(s.t, s.replicaKeyPolicy(), deny)))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted",
		},
		{
			name: "destination bucket only from the office network (aws:SourceIp)", check: "network-conditions", status: failed,
			evidence: "destination bucket policy: statement \"OfficeOnly\"",
			others:   map[string]steps.DoctorStatus{"explicit-deny": failed, "destination-bucket-policy": failed},
			breakIt: func(s *simSetup) {
				deny := `{"Sid":"OfficeOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::acme-backup-orders/*",` +
					`"Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}`
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, withStatement(s.t, s.destBucketPolicy(), deny)))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted",
		},
		{
			name: "ownership override dropped while the destination lets writers own objects", check: "ownership", status: failed,
			evidence: "the setup asks for ownership override",
			breakIt: func(s *simSetup) {
				s.editRule(func(rule map[string]any) { delete(rule["Destination"].(map[string]any), "AccessControlTranslation") })
				s.must(s.cloud.SetBucketOwnership(simcloud.DemoDestBucket, "ObjectWriter"))
			},
			// S3 replicates, yet the replica belongs to the source account: verify's
			// owner check is what catches it.
			outcome: steps.OutcomeFailed, reason: "(no failure)", why: "replica owned by the destination account", fixes: []string{"src-replication"},
			confirm: func(t *testing.T, s *simSetup) {
				r := s.verify()
				if owner := s.cloud.ObjectOwner(simcloud.DemoDestBucket, r.Key, r.VersionID); owner != simcloud.DemoSourceAccount {
					t.Errorf("the replica is owned by %q, want the source account: that is what the doctor warns of", owner)
				}
			},
		},
		{
			// a cross-account rule without override replicates: a warning, not a failure
			name: "no ownership override, by the setup's choice", check: "ownership", status: steps.DoctorInfo,
			setup:    func(setup *steps.Setup) { off := false; setup.Rule.OwnerOverride = &off },
			evidence: "warning: replication works",
			breakIt:  func(s *simSetup) { s.must(s.cloud.SetBucketOwnership(simcloud.DemoDestBucket, "ObjectWriter")) },
			outcome:  steps.OutcomeCompleted,
			confirm: func(t *testing.T, s *simSetup) {
				report := s.doctor()
				if c := doctorCheck(t, report, "ownership"); report.Failed() || !strings.Contains(c.Fix, "ownerOverride: true") {
					t.Errorf("the doctor fails (%v) or does not say how to change it: %s", report.Failed(), c.Fix)
				}
			},
		},
		{
			name: "Object Lock on the source only", check: "object-lock", status: failed,
			evidence: "(DstBucketObjectLockConfigMissing)",
			// the role s3repl wrote before Object Lock may not read retention and legal hold
			others:  map[string]steps.DoctorStatus{"role-permissions": failed},
			breakIt: func(s *simSetup) { s.must(s.cloud.EnableObjectLock(simcloud.DemoSourceBucket)) },
			outcome: steps.OutcomeFailed, reason: "DstBucketObjectLockConfigMissing", refused: true,
		},
		{
			name: "Object Lock on the destination only", check: "object-lock", status: passed,
			evidence: "destination has Object Lock",
			breakIt:  func(s *simSetup) { s.must(s.cloud.EnableObjectLock(simcloud.DemoDestBucket)) },
			outcome:  steps.OutcomeCompleted,
		},
		{
			name: "objects encrypted with a key the role cannot decrypt", check: "object-keys", status: failed,
			evidence: "1 object(s) under key",
			breakIt: func(s *simSetup) {
				key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoSourceRegion, Description: "Payments team"})
				s.must(err)
				s.upload("payments/2026-11.csv", key.ARN)
			},
			outcome: steps.OutcomeCompleted,
			confirm: func(t *testing.T, s *simSetup) {
				if reason := s.failureReason(s.lastVersion("payments/")); reason != "SrcGetObjectNotPermitted" {
					t.Errorf("the object under the foreign key: %s, want SrcGetObjectNotPermitted", reason)
				}
			},
		},
		{
			name: "objects from before the rule", check: "existing-objects", status: steps.DoctorInfo,
			evidence: "of 3 sampled versions (s3repl's test objects left out), 3 have no replication status",
			breakIt:  func(*simSetup) {}, // the demo's orders and invoices predate the rule
			outcome:  steps.OutcomeCompleted,
			confirm: func(t *testing.T, s *simSetup) {
				versions, err := s.acc.Source.ListObjectVersions(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, "orders/", 10)
				s.must(err)
				for _, v := range versions {
					head, err := s.acc.Source.HeadObject(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket, v.Key, v.VersionID)
					s.must(err)
					if _, err := s.acc.Destination.HeadObject(s.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket, v.Key, v.VersionID); head.ReplicationStatus != "" || !awsops.IsNotFound(err) {
						t.Errorf("%s from before the rule: status %q, replica lookup %v; want neither", v.Key, head.ReplicationStatus, err)
					}
				}
			},
		},
		{
			name: "destination without an S3 Bucket Key", check: "kms-cost", status: steps.DoctorInfo,
			evidence: "turn on S3 Bucket Keys",
			breakIt: func(s *simSetup) {
				s.must(s.acc.Destination.PutBucketEncryption(s.ctx, simcloud.DemoDestRegion, simcloud.DemoDestBucket,
					awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: s.replicaKeyARN()}))
			},
			// the source's objects use a Bucket Key, and replicas keep it [bucket-key]: the
			// role still needs kms:Decrypt on the replica key, so nothing is taken away
			outcome: steps.OutcomeCompleted,
		},
		{
			// with a Bucket Key S3 also decrypts with the replica key
			name: "replica key policy without kms:Decrypt", check: "destination-key-policy", status: failed,
			evidence: "kms:Decrypt",
			breakIt: func(s *simSetup) {
				doc := regexp.MustCompile(`,\s*"kms:Decrypt"`).ReplaceAllString(s.replicaKeyPolicy(), "")
				s.must(s.cloud.SetKeyPolicy(s.replicaKeyARN(), doc))
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"dst-key-policy"},
		},
		{
			name: "rule names a key the destination profile may not read", check: "replica-key", status: failed,
			evidence: "may not read replica key",
			others:   map[string]steps.DoctorStatus{"destination-key-policy": unknown},
			breakIt: func(s *simSetup) {
				key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: simcloud.DemoSourceAccount, Region: simcloud.DemoDestRegion, Description: "a source account key"})
				s.must(err)
				s.pointRuleAtKey(key.ARN)
			},
			outcome: steps.OutcomeFailed, reason: "DstPutObjectNotPermitted", fixes: []string{"src-replication"},
		},
		{
			// S3 asks for s3:ReplicateDelete only when the rule replicates delete markers,
			// and s3repl grants it only then; the test object replicates regardless
			name:  "delete markers replicated, bucket policy without s3:ReplicateDelete",
			setup: func(setup *steps.Setup) { setup.Rule.DeleteMarkers = true },
			check: "destination-bucket-policy", status: failed, evidence: "s3:ReplicateDelete",
			breakIt: func(s *simSetup) {
				doc := regexp.MustCompile(`"s3:ReplicateDelete",\s*`).ReplaceAllString(s.destBucketPolicy(), "")
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoDestBucket, doc))
			},
			outcome: steps.OutcomeCompleted, fixes: []string{"dst-bucket-policy"},
			confirm: func(t *testing.T, s *simSetup) {
				if c := doctorCheck(t, s.doctor(), "destination-bucket-policy"); !strings.Contains(c.Evidence, "(DstDelObjNotPermitted)") {
					t.Errorf("evidence %q does not name DstDelObjNotPermitted", c.Evidence)
				}
			},
		},
		{
			// within the role's account a bucket policy naming the role suffices
			name: "source bucket policy grants the reads the role policy lacks", check: "role-permissions", status: passed,
			evidence: "or by the policies of its account's resources",
			breakIt: func(s *simSetup) {
				s.removeFromRolePolicy("S3replReadSourceObjects")
				grant := `{"Sid":"RoleReads","Effect":"Allow","Principal":{"AWS":"` + s.roleARN() + `"},` +
					`"Action":["s3:GetObjectVersionForReplication","s3:GetObjectVersionAcl","s3:GetObjectVersionTagging"],"Resource":"arn:aws:s3:::` + simcloud.DemoSourceBucket + `/*"}`
				s.must(s.cloud.SetBucketPolicy(simcloud.DemoSourceBucket, `{"Version":"2012-10-17","Statement":[`+grant+`]}`))
			},
			outcome: steps.OutcomeCompleted, fixes: []string{"role-policy"},
		},
		{
			name:  "rule filtered on other tags than the setup's",
			setup: func(setup *steps.Setup) { setup.Rule.Tags = map[string]string{"backup": "daily"} },
			check: "rule", status: failed, evidence: "backup=weekly",
			breakIt: func(s *simSetup) {
				s.editRule(func(rule map[string]any) {
					rule["Filter"] = map[string]any{"Tag": map[string]any{"Key": "backup", "Value": "weekly"}}
				})
			},
			outcome: steps.OutcomeNotMatched, fixes: []string{"src-replication"},
		},
		{
			// a key of another account that the source profile may not describe
			name: "source bucket defaults to a key the source profile cannot read", check: "source-key-policy", status: unknown,
			evidence: "which the source profile cannot read",
			others:   map[string]steps.DoctorStatus{"object-keys": failed}, // the test object is under it
			breakIt: func(s *simSetup) {
				key, err := s.cloud.AddKey(simcloud.KeySpec{AccountID: "333333333333", Region: simcloud.DemoSourceRegion, Description: "shared"})
				s.must(err)
				s.must(s.cloud.SetKeyPolicy(key.ARN, `{"Version":"2012-10-17","Statement":[{"Sid":"Owner","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:root"},"Action":"kms:*","Resource":"*"},`+
					`{"Sid":"AdminUse","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/demo-admin"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey"],"Resource":"*"}]}`))
				s.must(s.acc.Source.PutBucketEncryption(s.ctx, simcloud.DemoSourceRegion, simcloud.DemoSourceBucket,
					awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key.ARN, BucketKey: true}))
			},
			outcome: steps.OutcomeFailed, reason: "SrcGetObjectNotPermitted",
		},
	}
}

// TestDoctorOneScenarioPerCheckInTheSimulatedCloud starts each scenario from a setup
// that replicates, breaks one thing, and expects the doctor to name it, S3 to fail
// with AWS's reason where the break stops replication, and the doctor's fixes, where
// s3repl has any, to make replication work again.
func TestDoctorOneScenarioPerCheckInTheSimulatedCloud(t *testing.T) {
	t.Parallel()
	for _, tc := range doctorScenarios() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newSimSetup(t, tc.setup)
			if r := s.verify(); r.Outcome != steps.OutcomeCompleted {
				t.Fatalf("before the break: %s (%s)", r.Outcome, r.Explanation)
			}
			tc.breakIt(s)

			expectVerify(t, s, tc)
			diagnosis := s.doctor()
			expectChecks(t, diagnosis, tc)
			if tc.confirm != nil {
				tc.confirm(t, s)
			}
			expectFixes(t, s, diagnosis, tc)
		})
	}
}

// expectVerify verifies again after the break.
func expectVerify(t *testing.T, s *simSetup, tc doctorScenario) {
	t.Helper()
	report, err := s.tryVerify()
	t.Logf("verify: %s: %s; %v", report.Outcome, report.Explanation, err)
	if tc.uploadRefused != "" {
		if err == nil || !strings.Contains(err.Error(), tc.uploadRefused) {
			t.Errorf("verify's error %v, want one that says %s", err, tc.uploadRefused)
		}
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if report.Outcome != tc.outcome || !strings.Contains(report.Explanation, tc.why) {
		t.Errorf("verify after the break: %s (%s), want %s saying %q", report.Outcome, report.Explanation, tc.outcome, tc.why)
	}
	if tc.outcome == steps.OutcomeFailed {
		if reason := s.failureReason(report.Key, report.VersionID); reason != tc.reason {
			t.Errorf("S3's failure reason %s, want %s", reason, tc.reason)
		}
	}
}

func expectChecks(t *testing.T, report steps.DoctorReport, tc doctorScenario) {
	t.Helper()
	c := doctorCheck(t, report, tc.check)
	t.Logf("doctor: %s %s: %s; fix: %s", c.ID, c.Status, c.Evidence, c.Fix)
	if c.Status != tc.status || c.Evidence == "" || !strings.Contains(c.Evidence, tc.evidence) {
		t.Errorf("%s: %s %q, want %s with evidence of %q", tc.check, c.Status, c.Evidence, tc.status, tc.evidence)
	}
	if c.Status == steps.DoctorFailed && c.Fix == "" {
		t.Errorf("%s failed without saying what to do", tc.check)
	}
	for _, other := range report.Checks {
		want, listed := tc.others[other.ID]
		switch {
		case other.ID == tc.check:
		case listed && other.Status != want:
			t.Errorf("%s: %s (%s), want %s", other.ID, other.Status, other.Evidence, want)
		case !listed && other.Status != steps.DoctorPassed && other.Status != steps.DoctorInfo:
			t.Errorf("%s: %s (%s), want it to pass: the break is elsewhere", other.ID, other.Status, other.Evidence)
		}
	}
}

// expectFixes compares the doctor's fixes with the scenario's, applies them and
// verifies again.
func expectFixes(t *testing.T, s *simSetup, report steps.DoctorReport, tc doctorScenario) {
	t.Helper()
	var ids []string
	for _, c := range report.Fixes {
		ids = append(ids, c.ID)
	}
	if !slices.Equal(ids, tc.fixes) {
		t.Fatalf("fixes %v, want %v", ids, tc.fixes)
	}
	if tc.refused != (report.FixError != "") {
		t.Fatalf("plan refused: %q, want refused=%v", report.FixError, tc.refused)
	}
	if len(tc.fixes) == 0 {
		return
	}
	s.apply(report.Fixes)
	if r := s.verify(); r.Outcome != steps.OutcomeCompleted {
		t.Fatalf("verify after applying the doctor's fixes: %s (%s, %s)", r.Outcome, r.Explanation, s.failureReason(r.Key, r.VersionID))
	}
	if pending := s.plan().Pending(); len(pending) != 0 {
		t.Errorf("after the fixes a plan still has %d changes, the first %q", len(pending), pending[0].Title)
	}
}

// boundaryDenied is a source profile that may not read managed policies.
type boundaryDenied struct{ awsops.Account }

func (boundaryDenied) ManagedPolicy(_ context.Context, arn string) (string, error) {
	return "", &awsops.OpError{Op: "iam:GetPolicy", Resource: arn, Code: "AccessDenied", Kind: awsops.KindAccessDenied, Err: errors.New("Access Denied")}
}

// TestDoctorCannotReadTheBoundary: a boundary the source profile may not read makes
// the boundary check say it cannot tell, and names none as blocking in the plan.
func TestDoctorCannotReadTheBoundary(t *testing.T) {
	s := newSimSetup(t, nil)
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}`
	arn, err := s.cloud.SetRolePermissionsBoundary(simcloud.DemoSourceAccount, s.setup.RoleName(), boundary)
	s.must(err)
	s.acc.Source = boundaryDenied{s.acc.Source}
	c := doctorCheck(t, s.doctor(), "permissions-boundary")
	if c.Status != steps.DoctorUnknown || !strings.Contains(c.Evidence, arn) || !strings.Contains(c.Evidence, "could not be read") {
		t.Fatalf("permissions-boundary: %s: %s", c.Status, c.Evidence)
	}
	if plan := s.plan(); len(plan.Blockers) != 0 {
		t.Fatalf("an unread boundary is named as blocking: %q", plan.Blockers)
	}
}

// TestManagedPolicyDenyIsABlocker: a Deny in a managed policy attached to the role
// (a company-wide guardrail) is read by Inspect, so the plan names it as what will
// still fail, and S3 refuses as the plan said.
func TestManagedPolicyDenyIsABlocker(t *testing.T) {
	s := newSimSetup(t, nil)
	guardrail := `{"Version":"2012-10-17","Statement":[{"Sid":"NoCopiesOut","Effect":"Deny","Action":"s3:Replicate*","Resource":"*"}]}`
	s.must(s.cloud.AttachRolePolicy(simcloud.DemoSourceAccount, s.setup.RoleName(), guardrail))
	plan := s.plan()
	if blockers := strings.Join(plan.Blockers, "\n"); !strings.Contains(blockers, `statement "NoCopiesOut"`) || !strings.Contains(blockers, "s3:ReplicateObject") {
		t.Fatalf("the plan does not name the managed policy's Deny: %q", plan.Blockers)
	}
	if report := s.verify(); report.Outcome != steps.OutcomeFailed {
		t.Fatalf("verify: %s, want FAILED as the plan said", report.Outcome)
	}
}
