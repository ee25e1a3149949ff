package steps_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/steps"
)

// The failure reasons DOMAIN.md lists from the User Guide's table
// [replication-failure-codes], each of which the catalogue explains.
var documentedReasons = strings.Fields(`AssumeRoleNotPermitted SrcBucketNotFound SrcBucketReplicationConfigMissing
DstBucketNotFound DstBucketUnversioned DstBucketObjectLockConfigMissing DstKmsKeyNotFound DstKmsKeyInvalidState
SrcKmsKeyInvalidState DstPutObjectNotPermitted DstPutAclNotPermitted DstPutTaggingNotPermitted DstDelObjNotPermitted
DstMultipartInitNotPermitted DstMultipartPartUploadNotPermitted DstMultipartCompleteNotPermitted
DstPutLegalHoldNotPermitted DstPutRetentionNotPermitted DstVersionNotFound SrcGetObjectNotPermitted
SrcHeadObjectNotPermitted SrcGetAclNotPermitted SrcGetTaggingNotPermitted SrcGetLegalHoldNotPermitted
SrcGetRetentionNotPermitted SrcObjectNotEligible SrcKeyNotFound SrcObjectNotFound SrcVersionNotFound
SrcReplicationNotPending DstBucketInvalidRegion SrcBucketInvalidRegion DstObjectHardDeleted InitiateReplicationNotPermitted`)

func TestEveryFailureReasonIsExplainedWithChecksTheDoctorHas(t *testing.T) {
	w := newBackfillWorld(t, steps.DemoBackfillScenario)
	report, err := steps.Doctor(t.Context(), w.acc, steps.DemoSetup())
	w.must(err)
	var checks []string
	for _, c := range report.Checks {
		checks = append(checks, c.ID)
	}
	for _, code := range documentedReasons {
		r := steps.ExplainFailureReason(code)
		if r.Code != code || strings.Contains(r.Meaning, "not in the S3 User Guide's table") {
			t.Errorf("%s is not explained", code)
		}
		for _, id := range r.Checks {
			if !slices.Contains(checks, id) {
				t.Errorf("%s points at doctor check %q, which the doctor does not have (%v)", code, id, checks)
			}
		}
	}
	if r := steps.ExplainFailureReason("NoSuchThing"); !strings.Contains(r.Meaning, "not in the S3 User Guide's table") {
		t.Errorf("an unknown reason is explained as %q", r.Meaning)
	}
}
