package simcloud

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	iam "github.com/micahhausler/aws-iam-policy/policy"

	"github.com/s3repl/s3repl/awsops/evaluator"
)

// policyKind says which AWS service validates a policy document, and how.
type policyKind int

const (
	bucketPolicyKind   policyKind = iota // S3 bucket policy
	keyPolicyKind                        // KMS key policy
	trustPolicyKind                      // IAM role trust policy
	identityPolicyKind                   // IAM identity-based (inline or managed) policy
)

var (
	policyMembers    = map[string]bool{"Version": true, "Id": true, "Statement": true}
	statementMembers = map[string]bool{
		"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true, "Action": true,
		"NotAction": true, "Resource": true, "NotResource": true, "Condition": true,
	}
)

// policyProblem says what the service would refuse in doc, "" when nothing. bucket is
// the bucket a bucket policy is for.
func (c *Cloud) policyProblem(doc string, kind policyKind, bucket string) string {
	doc = strings.TrimSpace(doc)
	if !strings.HasPrefix(doc, "{") {
		return "Policies must be valid JSON and the first byte must be '{'"
	}
	if why := unknownMembers(doc); why != "" {
		return why
	}
	var p iam.Policy
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return "This policy contains invalid Json: " + err.Error()
	}
	if p.Version != "" && p.Version != iam.Version2012_10_17 && p.Version != iam.Version2008_10_17 {
		return "The policy must contain a valid version string"
	}
	if p.Statements == nil || len(p.Statements.Values()) == 0 {
		return "Policy has no statements"
	}
	for _, s := range p.Statements.Values() {
		if why := c.statementProblem(s, kind, bucket); why != "" {
			return why
		}
	}
	return ""
}

// unknownMembers finds members AWS does not know, such as a misspelt "Statment".
func unknownMembers(doc string) string {
	var top map[string]json.RawMessage
	if err := json.Unmarshal([]byte(doc), &top); err != nil {
		return "This policy contains invalid Json: " + err.Error()
	}
	for name := range top {
		if !policyMembers[name] {
			return fmt.Sprintf("Unknown field %s", name)
		}
	}
	statements, ok := statementObjects(top["Statement"])
	if !ok {
		return "Statement must be an object or a list of objects"
	}
	for _, s := range statements {
		for name := range s {
			if !statementMembers[name] {
				return fmt.Sprintf("Unknown field %s", name)
			}
		}
	}
	return ""
}

// statementObjects reads the Statement member, a single statement or a list of them.
func statementObjects(raw json.RawMessage) ([]map[string]json.RawMessage, bool) {
	if len(raw) == 0 {
		return nil, true
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(raw, &list) == nil {
		return list, true
	}
	var one map[string]json.RawMessage
	if json.Unmarshal(raw, &one) == nil {
		return []map[string]json.RawMessage{one}, true
	}
	return nil, false
}

func (c *Cloud) statementProblem(s iam.Statement, kind policyKind, bucket string) string {
	switch {
	case s.Effect != iam.EffectAllow && s.Effect != iam.EffectDeny:
		return fmt.Sprintf("Invalid effect: %q", s.Effect)
	case s.Action == nil && s.NotAction == nil:
		return "Missing required field Action"
	case s.Action != nil && s.NotAction != nil:
		return "Statement has both Action and NotAction"
	}
	hasPrincipal := s.Principal != nil || s.NotPrincipal != nil
	hasResource := s.Resource != nil || s.NotResource != nil
	switch {
	case kind == identityPolicyKind && hasPrincipal:
		return "Policy document should not specify a principal."
	case kind != identityPolicyKind && !hasPrincipal:
		return "Missing required field Principal"
	case kind == trustPolicyKind && hasResource:
		return "Has prohibited field Resource"
	case (kind == identityPolicyKind || kind == bucketPolicyKind) && !hasResource:
		return "Missing required field Resource"
	case kind == bucketPolicyKind && !resourcesInBucket(s, bucket):
		return "Policy has invalid resource"
	case kind == bucketPolicyKind:
		if problem := bucketPolicyActionProblem(s, bucket); problem != "" {
			return problem
		}
	}
	for _, element := range []*iam.Principal{s.Principal, s.NotPrincipal} {
		p := c.invalidPrincipal(element)
		switch {
		case p != "" && kind == keyPolicyKind:
			return "Policy contains a statement with one or more invalid principals."
		case p != "":
			return fmt.Sprintf("Invalid principal in policy: %q", p)
		}
	}
	return ""
}

// actionScope is what an S3 action applies to: the bucket, its objects, or (neither)
// other resources such as jobs or access points.
type actionScope struct{ bucket, object bool }

// bucketPolicyActionProblem refuses, as S3 does, actions that are not S3's and
// actions that apply to none of the statement's resources (s3:GetObject on the
// bucket ARN alone, say). A wildcard passes when one action it names applies.
func bucketPolicyActionProblem(s iam.Statement, bucket string) string {
	if s.Action == nil {
		return "" // NotAction: S3 checks nothing more
	}
	var onBucket, onObjects bool
	for _, r := range evaluator.StringValues(s.Resource) {
		onBucket = onBucket || r == bucketARN(bucket)
		onObjects = onObjects || strings.HasPrefix(r, bucketARN(bucket)+"/")
	}
	if s.Resource == nil {
		onBucket, onObjects = true, true // NotResource: anything else in the bucket
	}
	for _, action := range evaluator.StringValues(s.Action) {
		if action == "*" {
			continue
		}
		service, name, ok := strings.Cut(strings.ToLower(action), ":")
		if !ok || service != "s3" {
			return "Policy has invalid action"
		}
		named, applies := false, false
		for candidate, scope := range s3Actions {
			if evaluator.WildcardMatch(name, candidate) {
				named = true
				applies = applies || scope.bucket && onBucket || scope.object && onObjects
			}
		}
		switch {
		case !named:
			return "Policy has invalid action"
		case !applies:
			return "Action does not apply to any resource(s) in statement"
		}
	}
	return ""
}

func resourcesInBucket(s iam.Statement, bucket string) bool {
	arn := bucketARN(bucket)
	for _, element := range []*iam.StringOrSlice{s.Resource, s.NotResource} {
		for _, r := range evaluator.StringValues(element) {
			if r != arn && !strings.HasPrefix(r, arn+"/") {
				return false
			}
		}
	}
	return true
}

// invalidPrincipal returns the first AWS principal of element that does not exist.
func (c *Cloud) invalidPrincipal(element *iam.Principal) string {
	if element == nil {
		return ""
	}
	for _, p := range evaluator.StringValues(element.AWS()) {
		if !c.principalExists(p) {
			return p
		}
	}
	return ""
}

// principalExists reports whether AWS would accept p in a Principal element: everyone,
// an account, an existing role, a profile's user, or a session of an existing role.
// Wildcards inside ARNs are not allowed there.
func (c *Cloud) principalExists(p string) bool {
	if p == "*" || evaluator.IsAccountID(p) {
		return true
	}
	parsed, err := arn.Parse(p)
	if err != nil || strings.Contains(p, "*") {
		return false
	}
	switch {
	case parsed.Service == "iam" && parsed.Resource == "root":
		return evaluator.IsAccountID(parsed.AccountID)
	case parsed.Service == "iam" && strings.HasPrefix(parsed.Resource, "role/"):
		return c.roleByARN(p) != nil
	case parsed.Service == "iam" && strings.HasPrefix(parsed.Resource, "user/"):
		return c.isProfileUser(p)
	case parsed.Service == "sts" && strings.HasPrefix(parsed.Resource, "assumed-role/"):
		name, _, _ := strings.Cut(strings.TrimPrefix(parsed.Resource, "assumed-role/"), "/")
		return c.roleNamed(parsed.AccountID, name) != nil
	}
	return false
}

func (c *Cloud) isProfileUser(arn string) bool {
	for _, p := range c.profiles {
		if p.PrincipalARN == arn {
			return true
		}
	}
	return false
}

func lastSegment(path string) string { return path[strings.LastIndex(path, "/")+1:] }

func bucketARN(bucket string) string { return "arn:aws:s3:::" + bucket }

func objectARN(bucket, key string) string { return bucketARN(bucket) + "/" + key }
