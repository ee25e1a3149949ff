package simcloud

import (
	"encoding/json"
	"unicode"

	"github.com/s3repl/s3repl/awsops"
)

// Size limits the services enforce on what is written to them.

// iamChars counts a document as IAM does against its quotas: "IAM does not count
// white space when calculating the size of a policy" [reference_iam-quotas].
func iamChars(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

func limitExceeded(code, format string, args ...any) error {
	return newFault(code, awsops.KindInvalidRequest, format, args...)
}

// checkRoleInlineSize: a role's inline policies together may not exceed 10,240
// characters [reference_iam-quotas]; IAM answers LimitExceeded, as in "Maximum policy
// size of 10240 bytes exceeded for role NAME".
func checkRoleInlineSize(r *role, policyName, policy string) error {
	total := iamChars(policy)
	for name, doc := range r.inline {
		if name != policyName {
			total += iamChars(doc)
		}
	}
	if total > 10240 {
		return limitExceeded("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role %s", r.name)
	}
	return nil
}

// checkTrustSize: a role trust policy may not exceed 2,048 characters
// [reference_iam-quotas] (AssumeRolePolicySizeQuota, raisable to 4,096).
func checkTrustSize(trust string) error {
	if iamChars(trust) > 2048 {
		return limitExceeded("LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")
	}
	return nil
}

// checkBucketPolicySize: "Bucket policies are limited to 20 KB in size"
// [using-iam-policies]. The page names no error code; S3 refuses policy documents it
// will not take with MalformedPolicy.
func checkBucketPolicySize(policy string) error {
	if len(policy) > 20*1024 {
		return invalid("MalformedPolicy", "Policy exceeds the maximum allowed document size")
	}
	return nil
}

// checkKeyPolicySize: "The policy size limit is 32 KiB (32768 bytes)" [API_PutKeyPolicy,
// API_CreateKey]; of the errors those pages list, LimitExceededException is the one
// for a limit.
func checkKeyPolicySize(policy string) error {
	if len(policy) > 32*1024 {
		return limitExceeded("LimitExceededException", "The key policy exceeds the maximum size of 32768 bytes")
	}
	return nil
}

// checkReplicationRuleCount: a replication configuration "can contain a maximum of
// 1,000 rules" [API_ReplicationConfiguration].
func checkReplicationRuleCount(config string) error {
	var c struct{ Rules []json.RawMessage }
	if json.Unmarshal([]byte(config), &c) == nil && len(c.Rules) > 1000 {
		return invalid("InvalidRequest", "A replication configuration can contain a maximum of 1,000 rules")
	}
	return nil
}
