package steps

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// BucketARN is the ARN of an S3 bucket.
func BucketARN(partition, bucket string) string {
	return "arn:" + partition + ":s3:::" + bucket
}

// RoleARN is the ARN of an IAM role with the default path.
func RoleARN(partition, account, name string) string {
	return "arn:" + partition + ":iam::" + account + ":role/" + name
}

// AccountRoot is the principal that stands for a whole account in a resource policy.
func AccountRoot(partition, account string) string {
	return "arn:" + partition + ":iam::" + account + ":root"
}

// arnField returns the n-th colon-separated field of an ARN (0 = "arn").
func arnField(arn string, n int) string {
	parts := strings.SplitN(arn, ":", 6)
	if n >= len(parts) {
		return ""
	}
	return parts[n]
}

// PartitionOf is the partition of an ARN ("aws", "aws-cn", "aws-us-gov"), "aws" when
// the ARN says nothing.
func PartitionOf(arn string) string {
	if p := arnField(arn, 1); p != "" {
		return p
	}
	return "aws"
}

// AccountOf is the account id in an ARN.
func AccountOf(arn string) string { return arnField(arn, 4) }

// RegionOf is the Region in an ARN.
func RegionOf(arn string) string { return arnField(arn, 3) }

// RoleNameOf is the role name in a role ARN (the last path segment).
func RoleNameOf(roleARN string) string {
	resource := arnField(roleARN, 5)
	return resource[strings.LastIndex(resource, "/")+1:]
}

// shortHash gives a stable 8-character tag for a value, used to make Sids unique per
// role without putting characters in them that IAM and S3 refuse.
func shortHash(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:4])
}

// sanitizeName keeps the characters an IAM name allows.
func sanitizeName(s string, max int) string {
	var b strings.Builder
	for _, r := range s {
		if roleNamePattern.MatchString(string(r)) {
			b.WriteRune(r)
		} else {
			b.WriteRune('-')
		}
	}
	out := b.String()
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// ManagedPolicyPath is the path of the customer managed policies s3repl creates.
const ManagedPolicyPath = "/s3repl/"

// ManagedPolicyName names the customer managed policy that holds a rule's permissions
// when the role's inline policies have no room for them: the inline policy's name and
// the role's, as policy names are unique in an account whatever their path.
func ManagedPolicyName(roleName, inlineName string) string {
	name := sanitizeName(inlineName+"."+roleName, 1000)
	if len(name) > 128 {
		name = name[:119] + "-" + shortHash(name)
	}
	return name
}

// ManagedPolicyARN is the ARN of the customer managed policy ManagedPolicyName names,
// in the role's account.
func ManagedPolicyARN(roleARN, inlineName string) string {
	return "arn:" + PartitionOf(roleARN) + ":iam::" + AccountOf(roleARN) + ":policy" + ManagedPolicyPath + ManagedPolicyName(RoleNameOf(roleARN), inlineName)
}
