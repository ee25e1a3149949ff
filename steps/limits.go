package steps

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/s3repl/s3repl/awsops/policy"
)

// AWS's size limits on what s3repl writes. A merge that crosses one is refused in
// the plan, before the first write: AWS would refuse it midway through the apply,
// after other writes landed.
const (
	// IAM counts characters without white space [reference_iam-quotas].
	maxRoleInlinePolicies = 10240 // all inline policies of a role together
	maxTrustPolicy        = 2048  // a role's trust policy (raisable to 4,096)
	// S3: "Bucket policies are limited to 20 KB in size" [using-iam-policies].
	maxBucketPolicy = 20 * 1024
	// KMS: the key policy's size limit is 32 KiB (32,768 bytes) [API_PutKeyPolicy].
	maxKeyPolicy = 32 * 1024
	// S3: a replication configuration can contain a maximum of 1,000 rules
	// [API_ReplicationConfiguration].
	maxReplicationRules = 1000
)

// checkLimits refuses a plan that would write a document over one of AWS's limits,
// measured as AWS measures it, on the documents as Apply sends them (compact).
func checkLimits(p *Plan, st *State) error {
	var problems Problems
	for _, c := range p.Pending() {
		if why := c.overLimit(st); why != "" {
			problems.add("%s: %s. s3repl changes nothing while a document would not fit", c.Title, why)
		}
	}
	return problems.orNil()
}

func (c Change) overLimit(st *State) string {
	// measured with a key id as long as the real one will be
	doc := strings.ReplaceAll(compactDoc(c.After), NewKeyID, "00000000-0000-0000-0000-000000000000")
	switch c.kind {
	case kindCreateRole, kindTrustPolicy:
		if n := policy.IAMSize(doc); n > maxTrustPolicy {
			return fmt.Sprintf("the trust policy of role %s would be %d characters (white space not counted), over IAM's limit of %d; remove statements s3repl did not write, or ask AWS to raise the quota (up to 4,096)", c.target, n, maxTrustPolicy)
		}
	case kindRolePolicy:
		if why := roleInlineOverLimit(c, st); why != "" {
			return why + "; it does not fit a customer managed policy either (6,144 characters): name fewer keys in source.kmsKeys"
		}
	case kindManagedPolicy, kindAttachPolicy:
		return managedOverLimit(c, st)
	case kindBucketPolicy:
		if n := len(doc); n > maxBucketPolicy {
			return fmt.Sprintf("the bucket policy of %s would be %d bytes, over S3's limit of 20 KB (%d bytes); shorten or merge statements s3repl did not write", c.target, n, maxBucketPolicy)
		}
	case kindCreateKey, kindKeyPolicy:
		if n := len(doc); n > maxKeyPolicy {
			return fmt.Sprintf("the key policy of %s would be %d bytes, over KMS's limit of 32 KB (%d bytes); shorten or merge statements s3repl did not write", c.Resource, n, maxKeyPolicy)
		}
	case kindReplication:
		var config struct{ Rules []json.RawMessage }
		if json.Unmarshal([]byte(doc), &config) == nil && len(config.Rules) > maxReplicationRules {
			return fmt.Sprintf("the replication configuration of %s would have %d rules, over S3's limit of %d", c.target, len(config.Rules), maxReplicationRules)
		}
	}
	return ""
}

// roleInlineOverLimit checks all of a role's inline policies together, the planned
// one in place of its current version.
func roleInlineOverLimit(c Change, st *State) string {
	sizes := map[string]int{}
	for name, doc := range st.Role.Inline {
		sizes[name] = policy.IAMSize(doc)
	}
	sizes[c.name] = policy.IAMSize(c.After)
	total := 0
	for _, n := range sizes {
		total += n
	}
	if total <= maxRoleInlinePolicies {
		return ""
	}
	var others []string
	for _, name := range slices.Sorted(maps.Keys(sizes)) {
		if name != c.name {
			others = append(others, fmt.Sprintf("%s %d", name, sizes[name]))
		}
	}
	return fmt.Sprintf("the inline policies of role %s would be %d characters together (white space not counted: %s %d, %s), over IAM's limit of %d for a role",
		c.target, total, c.name, sizes[c.name], strings.Join(others, ", "), maxRoleInlinePolicies)
}
