package steps

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/awsops/simcloud"
)

// TestMetricsWithoutRTCHasNoEventThreshold: S3 refuses Metrics.EventThreshold unless
// ReplicationTime is Enabled, so metrics alone are {Status: Enabled}; with RTC both
// carry 15 minutes.
func TestMetricsWithoutRTCHasNoEventThreshold(t *testing.T) {
	s, st := freshSetup(), freshState()
	s.Rule.Metrics = true
	f := mustPlan(t, s, st).Facts
	dest := RuleDocument(s, f, 1)["Destination"].(map[string]any)
	if got, _ := json.Marshal(dest["Metrics"]); string(got) != `{"Status":"Enabled"}` {
		t.Errorf("metrics without RTC: %s, want {\"Status\":\"Enabled\"} alone", got)
	}
	if _, rtc := dest["ReplicationTime"]; rtc {
		t.Error("metrics alone turned RTC on")
	}
	s.Rule.ReplicationTime = true
	dest = RuleDocument(s, f, 1)["Destination"].(map[string]any)
	if got, _ := json.Marshal(dest["Metrics"]); string(got) != `{"EventThreshold":{"Minutes":15},"Status":"Enabled"}` {
		t.Errorf("metrics with RTC: %s", got)
	}
}

// TestExistingMetricsOnlyRuleIsNoChange: a rule S3 holds with Metrics {Status:
// Enabled} and no threshold is what the setup asks for.
func TestExistingMetricsOnlyRuleIsNoChange(t *testing.T) {
	s, st := freshSetup(), freshState()
	s.Rule.Metrics = true
	applied := applyToState(t, mustPlan(t, s, st), st)
	if !strings.Contains(applied.Source.Replication, `"Metrics"`) || strings.Contains(applied.Source.Replication, "EventThreshold") {
		t.Fatalf("the applied rule:\n%s", applied.Source.Replication)
	}
	if c := changeByID(t, mustPlan(t, s, applied), "src-replication"); c.Pending() {
		t.Fatalf("a rule with metrics and no threshold is planned again:\n%s", c.After)
	}
}

// TestOldTrustIsUpdatedAndTheUsersKept: a role s3repl made with the conditions it
// used to write (aws:SourceAccount, aws:SourceArn) gets the documented trust, with no
// condition, on the next apply; a statement of the user's that needs the same keys
// stays as it was, beside it.
func TestOldTrustIsUpdatedAndTheUsersKept(t *testing.T) {
	s, st := freshSetup(), freshState()
	f := mustPlan(t, s, st).Facts
	users := `{"Sid":"Mine","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}`
	old := `{"Sid":"` + f.TrustSid() + `","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole",` +
		`"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"},"ArnLike":{"aws:SourceArn":"arn:aws:s3:::my-src"}}}`
	st.Role.Role = &awsops.Role{Name: s.RoleName(), ARN: f.RoleARN, TrustPolicy: `{"Version":"2012-10-17","Statement":[` + users + `,` + old + `]}`}
	c := changeByID(t, mustPlan(t, s, st), "role-trust")
	if !c.Pending() {
		t.Fatal("the old trust is left as it was")
	}
	doc, err := policy.Parse(c.After)
	if err != nil {
		t.Fatal(err)
	}
	ours, _ := doc.Statement(f.TrustSid())
	mine, kept := doc.Statement("Mine")
	if !kept || !strings.Contains(string(mine), "aws:SourceAccount") {
		t.Errorf("the user's statement was not kept as it was:\n%s", c.After)
	}
	if strings.Contains(string(ours), "Condition") {
		t.Errorf("s3repl's trust statement still has a condition:\n%s", c.After)
	}
	if !judgeTrust(c.After, f.RoleARN, f.SourceAccount, BucketARN("aws", "my-src")).works() {
		t.Errorf("the new trust does not let S3 in without the source keys:\n%s", c.After)
	}
}

// TestUsersTrustWithSourceKeysGetsOursBeside: a role of the user's whose only trust
// needs aws:SourceAccount gets s3repl's statement added; an IfExists trust is enough.
func TestUsersTrustWithSourceKeysGetsOursBeside(t *testing.T) {
	for operator, want := range map[string]bool{"StringEquals": true, "StringEqualsIfExists": false} {
		s, st := existingState()
		st.Role.Role.TrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole",` +
			`"Condition":{"` + operator + `":{"aws:SourceAccount":"111111111111"}}}]}`
		if c := changeByID(t, mustPlan(t, s, st), "role-trust"); c.Pending() != want {
			t.Errorf("%s: trust change pending %v, want %v:\n%s", operator, c.Pending(), want, c.After)
		}
	}
}

// TestDoctorProbesCoverWhatS3AsksKMS: for each way the source and destination may be
// encrypted, the doctor probes every request the simulated S3 (written from the AWS
// documentation, simcloud.ReplicaKeyRequests) makes on the replica key, in the same
// encryption context, so a setup the doctor passes is not one S3 fails.
func TestDoctorProbesCoverWhatS3AsksKMS(t *testing.T) {
	for _, srcAlg := range []string{"aws:kms", "AES256", ""} {
		for _, srcBK := range []bool{false, true} {
			for _, dstBK := range []bool{false, true} {
				s, st := existingState()
				st.Source.Encryption = awsops.Encryption{Algorithm: srcAlg, BucketKey: srcBK && srcAlg == "aws:kms"}
				st.Destination.BucketExists, st.Destination.Region = true, "eu-west-1"
				st.Destination.Encryption = awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: dstKeyARN, BucketKey: dstBK}
				st.Destination.Key = &awsops.KeyInfo{ARN: dstKeyARN, Region: "eu-west-1", AccountID: dstAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"}
				d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN, replicaKey: st.Destination.Key}
				probed := map[string]bool{}
				for _, p := range ofKind(d.destProbes(), evaluator.KMSKey) {
					probed[p.req.Action+" "+p.req.Context["kms:EncryptionContext:aws:s3:arn"][0]] = true
				}
				e := simcloud.ReplicaEncryptionFor(srcAlg, st.Source.Encryption.BucketKey, "aws:kms", dstBK)
				for _, r := range simcloud.ReplicaKeyRequests(e) {
					context := d.encryptionContext(s.Destination.Bucket, r.BucketContext)
					if !probed[r.Action+" "+context] {
						t.Errorf("source %q Bucket Key %v, destination Bucket Key %v: S3 asks for %s in context %s, the doctor does not probe it (%v)",
							srcAlg, srcBK, dstBK, r.Action, context, probed)
					}
				}
			}
		}
	}
}

// TestDoctorNamesOnlyAWSsFailureReasons: every failure reason the doctor, verify or
// the plan names is in the User Guide's table [replication-failure-codes], which
// simcloud.FailureReasons holds.
func TestDoctorNamesOnlyAWSsFailureReasons(t *testing.T) {
	names := regexp.MustCompile(`\b(?:AssumeRole|Src|Dst)[A-Za-z]+(?:NotPermitted|NotFound|Missing|Unversioned|InvalidState|NotEligible|NotPending|InvalidRegion|HardDeleted)\b`)
	found := 0
	for _, file := range []string{"doctor.go", "plan.go", "verify.go", "warnings.go", "validate.go"} {
		source, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names.FindAllString(string(source), -1) {
			found++
			if _, ok := simcloud.FailureReasons[name]; !ok {
				t.Errorf("%s names %s, which is not in the User Guide's table", file, name)
			}
		}
	}
	if found < 10 {
		t.Fatalf("found only %d failure reasons", found)
	}
}

// TestReplicateDeleteOnlyWithDeleteMarkers: s3:ReplicateDelete is granted, in the
// role policy and the destination bucket policy, only when the rule replicates
// delete markers.
func TestReplicateDeleteOnlyWithDeleteMarkers(t *testing.T) {
	for _, markers := range []bool{false, true} {
		s, st := freshSetup(), freshState()
		s.Rule.DeleteMarkers = markers
		plan := mustPlan(t, s, st)
		for _, id := range []string{"role-policy", "dst-bucket-policy"} {
			if got := strings.Contains(changeByID(t, plan, id).After, "s3:ReplicateDelete"); got != markers {
				t.Errorf("delete markers %v: %s grants s3:ReplicateDelete: %v", markers, id, got)
			}
		}
	}
}

// TestReplicaKeyStatementIsPinnedToTheBucket: the replica key policy statement has
// the destination bucket's encryption context (object and Bucket Key forms) beside
// kms:ViaService.
func TestReplicaKeyStatementIsPinnedToTheBucket(t *testing.T) {
	s, st := existingState()
	st.Destination.BucketExists, st.Destination.Region = true, "eu-west-1"
	st.Destination.Key = &awsops.KeyInfo{ARN: dstKeyARN, Region: "eu-west-1", AccountID: dstAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"}
	st.Destination.KeyPolicy = defaultKeyPolicy(dstAccount)
	plan := mustPlan(t, s, st)
	doc, err := policy.Parse(changeByID(t, plan, "dst-key-policy").After)
	if err != nil {
		t.Fatal(err)
	}
	ours, _ := doc.Statement(plan.Facts.KeyPolicySid())
	for _, want := range []string{`"kms:ViaService": "s3.eu-west-1.amazonaws.com"`, `"arn:aws:s3:::my-dst/*"`, `"arn:aws:s3:::my-dst"`} {
		if !strings.Contains(policy.Pretty(string(ours)), want) {
			t.Errorf("the replica key statement lacks %s:\n%s", want, policy.Pretty(string(ours)))
		}
	}
	for _, bucket := range []string{"arn:aws:s3:::my-dst/k", "arn:aws:s3:::my-dst", "arn:aws:s3:::other/k"} {
		req := evaluator.Request{Principal: evaluator.Principal{ARN: plan.Facts.RoleARN, AccountID: srcAccount}, Action: "kms:Encrypt",
			Resource: dstKeyARN, ResourceAccount: dstAccount,
			Context: map[string][]string{"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}, "kms:EncryptionContext:aws:s3:arn": {bucket}}}
		if got, want := evaluator.EvaluateResource(changeByID(t, plan, "dst-key-policy").After, req).Allowed, !strings.Contains(bucket, "other"); got != want {
			t.Errorf("context %s: allowed %v, want %v", bucket, got, want)
		}
	}
}

// TestRegionCodesOfEveryPartition: Region codes of every partition are accepted.
func TestRegionCodesOfEveryPartition(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1", "us-gov-east-1", "cn-north-1", "cn-northwest-1",
		"us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1", "ca-west-1", "il-central-1", "mx-central-1"} {
		if why := RegionProblem(region); why != "" {
			t.Errorf("%s %s", region, why)
		}
	}
	for _, region := range []string{"", "us-east", "useast1", "US-EAST-1", "us_east_1", "us-east-1a", "europe-west-1"} {
		if RegionProblem(region) == "" {
			t.Errorf("%q is accepted", region)
		}
	}
}

// TestTrustCheckCannotTellEitherWay: a trust that needs the source keys, or one whose
// IfExists condition fails when they come with this bucket's values, is "could not
// tell"; the documented trust passes; a trust without S3 fails.
func TestTrustCheckCannotTellEitherWay(t *testing.T) {
	s, st := existingState()
	statement := func(condition string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Mine","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"` + condition + `}]}`
	}
	for trust, want := range map[string]DoctorStatus{
		statement(``): DoctorPassed,
		statement(`,"Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}`):             DoctorUnknown,
		statement(`,"Condition":{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::other-bucket"}}`): DoctorUnknown,
		statement(`,"Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"111111111111"}}`):     DoctorPassed,
		strings.Replace(statement(``), "s3.amazonaws.com", "ec2.amazonaws.com", 1):                  DoctorFailed,
	} {
		st.Role.Role.TrustPolicy = trust
		d := &diagnosis{setup: s, st: st, roleARN: st.Role.Role.ARN}
		if c := d.checkTrust(); c.Status != want || (want == DoctorUnknown && !strings.Contains(c.Evidence, "Mine") && !strings.Contains(c.Evidence, "other-bucket")) {
			t.Errorf("%s: %s (%s), want %s", trust, c.Status, c.Evidence, want)
		}
	}
}

// TestSameAccountKeyPolicyWithoutDecryptGetsOurStatement: in one account, a replica
// key policy that lets the role encrypt but not decrypt gets s3repl's statement when
// replicas use a Bucket Key (S3 decrypts then).
func TestSameAccountKeyPolicyWithoutDecryptGetsOurStatement(t *testing.T) {
	s, st := existingState()
	st.Destination.Identity = st.Source.Identity
	key := "arn:aws:kms:eu-west-1:111111111111:key/33333333-3333-3333-3333-333333333333"
	s.Destination.KMSKey = key
	st.Destination.BucketExists, st.Destination.Region = true, "eu-west-1"
	st.Destination.Encryption = awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: key, BucketKey: true}
	st.Destination.Key = &awsops.KeyInfo{ARN: key, Region: "eu-west-1", AccountID: srcAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"}
	st.Destination.KeyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},"Action":"kms:*","Resource":"*"},` +
		`{"Sid":"RoleEncrypts","Effect":"Allow","Principal":{"AWS":"` + st.Role.Role.ARN + `"},"Action":["kms:Encrypt","kms:GenerateDataKey"],"Resource":"*"}]}`
	if c := changeByID(t, mustPlan(t, s, st), "dst-key-policy"); !c.Pending() || !strings.Contains(c.After, "kms:Decrypt") {
		t.Fatalf("the key policy that does not let the role decrypt is left alone:\n%s", c.After)
	}
}
