package steps_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
	"github.com/s3repl/s3repl/awsops/policy"
	"github.com/s3repl/s3repl/steps"
)

func doctorCheck(t *testing.T, r steps.DoctorReport, id string) steps.DoctorCheck {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s", id)
	return steps.DoctorCheck{}
}

func (w *world) doctor(s steps.Setup) steps.DoctorReport {
	w.t.Helper()
	acc, err := steps.OpenAccounts(w.ctx, w.opener, s)
	w.must(err)
	report, err := steps.Doctor(w.ctx, acc, s)
	w.must(err)
	return report
}

func TestMotoDoctorHealthySetupPasses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, false)
	s := w.setup(src, dst)
	w.planAndApply(s)
	report := w.doctor(s)
	for _, c := range report.Checks {
		if c.Status == steps.DoctorFailed || c.Status == steps.DoctorUnknown {
			t.Errorf("%s %s: %s", c.ID, c.Status, c.Evidence)
		}
	}
	if report.Failed() || len(report.Fixes) != 0 {
		t.Fatalf("a healthy setup: failed=%v fixes=%d", report.Failed(), len(report.Fixes))
	}
}

func TestMotoDoctorFindsMissingKeyGrantAndOffersTheFix(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, false)
	s := w.setup(src, dst)
	w.planAndApply(s)
	key, err := w.dst.Account.DescribeKey(w.ctx, mototest.DestRegion, "alias/"+dst)
	w.must(err)
	w.must(w.dst.Account.PutKeyPolicy(w.ctx, mototest.DestRegion, key.ARN, `{"Version":"2012-10-17","Statement":[{"Sid":"Root","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"}]}`))
	w.must(w.dst.Account.PutBucketPolicy(w.ctx, mototest.DestRegion, dst, `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyFromVpce","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::`+dst+`/*","Condition":{"StringNotEquals":{"aws:SourceVpce":"vpce-1234"}}}]}`))

	report := w.doctor(s)
	keyCheck := doctorCheck(t, report, "destination-key-policy")
	if keyCheck.Status != steps.DoctorFailed || !strings.Contains(keyCheck.Evidence, "DstPutObjectNotPermitted") {
		t.Fatalf("key policy check: %+v", keyCheck)
	}
	for _, id := range []string{"explicit-deny", "network-conditions", "destination-bucket-policy"} {
		if c := doctorCheck(t, report, id); c.Status != steps.DoctorFailed {
			t.Errorf("%s: %+v", id, c)
		}
	}
	for _, id := range []string{"role-trust", "role-permissions", "rule", "kms-opt-in", "replica-key"} {
		if c := doctorCheck(t, report, id); c.Status != steps.DoctorPassed {
			t.Errorf("%s should still pass: %+v", id, c)
		}
	}
	var fixes []string
	for _, c := range report.Fixes {
		fixes = append(fixes, c.ID)
	}
	if strings.Join(fixes, " ") != "dst-key-policy dst-bucket-policy" {
		t.Fatalf("fixes: %v", fixes)
	}
}

// TestMotoDoctorOneScenarioPerCheck breaks a healthy setup in one way at a time and
// expects the doctor to name that check as failed.
func TestMotoDoctorOneScenarioPerCheck(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		check   string
		want    steps.DoctorStatus
		breakIt func(w *world, s steps.Setup, src, dst string)
	}{
		"rule disabled": {"rule", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			w.editRule(src, func(rule map[string]any) { rule["Status"] = "Disabled" })
		}},
		"kms not opted in": {"kms-opt-in", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			w.editRule(src, func(rule map[string]any) { delete(rule, "SourceSelectionCriteria") })
		}},
		"trust without s3": {"role-trust", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			w.must(w.src.Account.UpdateAssumeRolePolicy(w.ctx, s.RoleName(), `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`))
		}},
		"role policy without decrypt": {"role-permissions", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			doc, _ := w.src.Account.GetRolePolicy(w.ctx, s.RoleName(), s.RolePolicyName())
			parsed, _ := policy.Parse(doc)
			parsed.Remove("S3replDecryptSourceObjects")
			w.must(w.src.Account.PutRolePolicy(w.ctx, s.RoleName(), s.RolePolicyName(), parsed.String()))
		}},
		"bucket policy without the role": {"destination-bucket-policy", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			w.must(w.dst.Account.PutBucketPolicy(w.ctx, mototest.DestRegion, dst, `{"Version":"2012-10-17","Statement":[{"Sid":"Other","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::`+dst+`/*"}]}`))
		}},
		"source key policy without delegation": {"source-key-policy", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			enc, _ := w.src.Account.GetBucketEncryption(w.ctx, mototest.SourceRegion, src)
			w.must(w.src.Account.PutKeyPolicy(w.ctx, mototest.SourceRegion, enc.KMSKeyID, `{"Version":"2012-10-17","Statement":[{"Sid":"Admins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/admin"},"Action":"kms:*","Resource":"*"}]}`))
		}},
		"object under a foreign key": {"object-keys", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			other, err := w.src.Account.CreateKey(w.ctx, mototest.SourceRegion, "other", "")
			w.must(err)
			_, err = w.src.Account.PutObject(w.ctx, mototest.SourceRegion, src, "old.txt", []byte("x"), awsops.PutOptions{KMSKeyID: other.ARN})
			w.must(err)
		}},
		"permissions boundary without replication": {"permissions-boundary", steps.DoctorFailed, func(w *world, s steps.Setup, src, dst string) {
			cfg, err := config.LoadDefaultConfig(w.ctx, config.WithSharedConfigProfile(mototest.SourceProfile))
			w.must(err)
			raw := iam.NewFromConfig(cfg)
			boundary, err := raw.CreatePolicy(w.ctx, &iam.CreatePolicyInput{PolicyName: aws.String(mototest.UniqueName("boundary")),
				PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}`)})
			w.must(err)
			_, err = raw.PutRolePermissionsBoundary(w.ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String(s.RoleName()), PermissionsBoundary: boundary.Policy.Arn})
			w.must(err)
		}},
		"objects before the rule": {"existing-objects", steps.DoctorInfo, func(w *world, s steps.Setup, src, dst string) {
			_, err := w.src.Account.PutObject(w.ctx, mototest.SourceRegion, src, "before.txt", []byte("x"), awsops.PutOptions{})
			w.must(err)
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
			w.sourceBucket(src, false)
			s := w.setup(src, dst)
			w.planAndApply(s)
			tc.breakIt(w, s, src, dst)
			report := w.doctor(s)
			c := doctorCheck(t, report, tc.check)
			if c.Status != tc.want || c.Evidence == "" {
				t.Fatalf("%s: %s %s", tc.check, c.Status, c.Evidence)
			}
			if tc.want == steps.DoctorFailed && c.Fix == "" {
				t.Fatalf("%s names no fix", tc.check)
			}
		})
	}
}

func TestMotoDoctorOnABucketWithoutReplication(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	src, dst := mototest.UniqueName("src"), mototest.UniqueName("dst")
	w.sourceBucket(src, false)
	report := w.doctor(w.setup(src, dst))
	for id, want := range map[string]steps.DoctorStatus{
		"source-versioning": steps.DoctorFailed, "destination-versioning": steps.DoctorFailed, "rule": steps.DoctorFailed,
		"kms-opt-in": steps.DoctorUnknown, "role-trust": steps.DoctorFailed,
	} {
		if c := doctorCheck(t, report, id); c.Status != want {
			t.Errorf("%s: %s (%s)", id, c.Status, c.Evidence)
		}
	}
	if len(report.Fixes) < 8 {
		t.Fatalf("the fix is the whole setup: %d changes", len(report.Fixes))
	}
}

// editRule changes the first replication rule of a source bucket.
func (w *world) editRule(bucket string, edit func(map[string]any)) {
	w.t.Helper()
	cfg, err := w.src.Account.GetBucketReplication(w.ctx, mototest.SourceRegion, bucket)
	w.must(err)
	role, rules := replicationRules(w.t, cfg)
	edit(rules[0])
	doc, err := json.Marshal(map[string]any{"Role": role, "Rules": rules})
	w.must(err)
	w.must(w.src.Account.PutBucketReplication(w.ctx, mototest.SourceRegion, bucket, string(doc)))
}
