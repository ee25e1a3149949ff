package steps_test

import (
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops/mototest"
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
