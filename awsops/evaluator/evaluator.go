// Package evaluator decides whether an AWS request is allowed by identity-based and
// resource-based policies, following the IAM policy evaluation logic: an explicit
// Deny in any policy wins; otherwise an Allow is needed, and which policies must
// allow depends on the kind of resource and on whether the request crosses accounts.
//
// It covers what S3 replication needs: Effect, Action/NotAction,
// Resource/NotResource, Principal/NotPrincipal, and the String, Arn, Bool, IpAddress
// and Null condition operators with their IfExists forms and the ForAnyValue and
// ForAllValues qualifiers. Numeric and Date operators, policy variables, SCPs,
// permission boundaries and session policies are not evaluated; a statement using
// an unsupported operator never applies, and the Reason says so. Condition keys the
// caller cannot know (Request.Unknowable, e.g. the principal's organization) leave a
// Deny that depends on them uncertain rather than deciding.
package evaluator

import (
	"cmp"
	"fmt"
	"slices"
)

// Request is one API call to authorize.
type Request struct {
	Principal Principal
	Action    string // "s3:ReplicateObject", "kms:GenerateDataKey", "sts:AssumeRole", ...
	Resource  string // ARN of the bucket, object, key or role
	// ResourceAccount owns the resource. When empty it is read from the Resource ARN;
	// S3 ARNs carry no account, and a request whose resource account stays unknown
	// is treated as cross-account, which needs the most permissions.
	ResourceAccount string
	// Context holds the condition keys of the request, such as "kms:ViaService",
	// "kms:EncryptionContext:aws:s3:arn", "aws:SourceAccount", "aws:SourceArn" or
	// "aws:SecureTransport". Key names are case-insensitive. aws:PrincipalArn,
	// aws:PrincipalAccount and aws:PrincipalServiceName are filled in from Principal
	// when absent (aws:PrincipalArn not for session ARNs, which lack the role's path).
	Context map[string][]string
	// Unknowable names condition keys whose values the caller cannot know, such as
	// aws:PrincipalOrgID; a name ending in "/" covers a family (aws:PrincipalTag/).
	// A condition on such a key that Context lacks neither holds nor fails: a Deny
	// statement that depends on it is reported in Decision.Uncertain instead of
	// deciding, and an Allow that depends on it does not allow.
	Unknowable []string
}

// String says who calls what on which resource, for reasons.
func (r Request) String() string {
	return fmt.Sprintf("%s to call %s on %s", r.Principal, r.Action, r.Resource)
}

// ResourceKind selects which policies must allow a request.
type ResourceKind int

const (
	// S3Bucket: a bucket or its objects. Within one account the identity policy or
	// the bucket policy suffices; across accounts both must allow.
	S3Bucket ResourceKind = iota
	// KMSKey: the key policy must allow, either naming the principal or delegating to
	// the principal's account (arn:aws:iam::ACCOUNT:root or the bare account id), in
	// which case the identity policy must allow too. Across accounts both must allow.
	KMSKey
	// IAMTrust: a role's trust policy for sts:AssumeRole. Like S3Bucket for IAM
	// principals; for service principals the trust policy alone decides.
	IAMTrust
)

// policyName names the kind's resource policy in reasons.
func (k ResourceKind) policyName() string {
	switch k {
	case KMSKey:
		return "the key policy"
	case IAMTrust:
		return "the trust policy"
	}
	return "the bucket policy"
}

// Side names the policies a decision rests on; combine with |.
type Side uint8

const (
	IdentitySide Side = 1 << iota // the principal's identity-based policies
	ResourceSide                  // the resource's policy: bucket, key or trust policy
)

// String names the side's policies, for logs and messages.
func (s Side) String() string {
	switch s {
	case IdentitySide:
		return "identity policies"
	case ResourceSide:
		return "resource policy"
	case IdentitySide | ResourceSide:
		return "identity and resource policies"
	}
	return "no policy"
}

// Decision is the outcome of an evaluation.
type Decision struct {
	Allowed bool
	// ExplicitDeny is set when a Deny statement applies; no Allow can override it.
	ExplicitDeny bool
	// ViaAccount is set when a resource policy allows only by naming the principal's
	// account rather than the principal, so the identity policies must allow as well.
	ViaAccount bool
	// MatchedSid is the Sid of the deciding statement: the Deny that applied, or the
	// Allow that granted (the resource policy's when it took part). Empty when no
	// statement decided or the statement has no Sid; Reason then names it by position.
	MatchedSid string
	// DecidedBy is the policy with the deciding Deny, the policies whose Allow
	// granted the request, or the policies that lack a needed Allow.
	DecidedBy Side
	// Statement names the deciding statement for people, e.g. `statement "X" of the
	// bucket policy`; empty when no statement decided.
	Statement string
	// Reason is a sentence for people: which statement allowed or denied, or that no
	// statement allows, and which condition key and operator failed if one did.
	Reason string
	// Uncertain is a Deny statement that matches the request but for a condition on
	// an unknowable key: it denies unless that condition says otherwise.
	Uncertain *UncertainStatement
	// MaybeAllowed is set on a request no statement allows for certain, when an Allow
	// statement matches it but for a condition on an unknowable key.
	MaybeAllowed *UncertainStatement
	// Denials are every Deny statement that applies, of every policy evaluated: a user
	// who changes only the deciding one would meet the next on the following try.
	Denials []Denial
	// UncertainDenials are every Deny statement that applies but for a condition on
	// an unknowable key, when no Deny applies for certain.
	UncertainDenials []UncertainStatement
}

// Denial is a Deny statement that applies to a request.
type Denial struct {
	Statement string // e.g. `statement "X" of the bucket policy`
	Side      Side   // the policy it is in
}

// UncertainStatement is a statement whose condition cannot be checked.
type UncertainStatement struct {
	Statement string // e.g. `statement "X" of the bucket policy`
	Condition string // the condition on the unknowable key, for people
}

// EvaluateIdentity evaluates identity-based policies (a role's inline and managed
// policies) on their own. Principal elements in them are ignored.
func EvaluateIdentity(policies []string, req Request) Decision {
	return EvaluateNamed(policies, "the identity policies", req)
}

// EvaluateNamed evaluates identity-based policies under a name for reasons, such as
// "the permissions boundary".
func EvaluateNamed(policies []string, name string, req Request) Decision {
	r := newRequest(req)
	return evaluatePolicySet(policies, r, name, IdentitySide).decision(r)
}

// EvaluateResource evaluates a resource-based policy (bucket, key or trust policy) on
// its own. A statement naming only the principal's account allows with ViaAccount set.
func EvaluateResource(policy string, req Request) Decision {
	r := newRequest(req)
	return evaluatePolicySet([]string{policy}, r, "the resource policy", ResourceSide).decision(r)
}

// Evaluate decides a request against the principal's identity policies and the
// resource's policy, combining them as kind requires.
func Evaluate(req Request, identityPolicies []string, resourcePolicy string, kind ResourceKind) Decision {
	r := newRequest(req)
	resource := evaluatePolicySet([]string{resourcePolicy}, r, kind.policyName(), ResourceSide).decision(r)
	if r.Principal.isService() {
		return resource // services have no identity policies
	}
	identity := evaluatePolicySet(identityPolicies, r, "the identity policies", IdentitySide).decision(r)
	denials := append(slices.Clone(resource.Denials), identity.Denials...)
	var d Decision
	switch {
	case resource.ExplicitDeny:
		resource.Denials = denials
		return resource
	case identity.ExplicitDeny:
		identity.Denials = denials
		return identity
	case r.crossAccount():
		d = requireBoth(identity, resource, kind)
	case kind == KMSKey:
		d = requireKeyPolicy(identity, resource)
	default:
		d = requireEither(identity, resource, kind)
	}
	d.Uncertain = cmp.Or(resource.Uncertain, identity.Uncertain)
	d.UncertainDenials = append(slices.Clone(resource.UncertainDenials), identity.UncertainDenials...)
	if !d.Allowed {
		d.MaybeAllowed = cmp.Or(resource.MaybeAllowed, identity.MaybeAllowed)
	}
	return d
}

// requireBoth: across accounts the resource policy must let the principal in (naming
// it or its account) and the principal's own account must allow it too.
func requireBoth(identity, resource Decision, kind ResourceKind) Decision {
	if identity.Allowed && resource.Allowed {
		return granted(resource.MatchedSid, IdentitySide|ResourceSide, identity.Reason+"; "+resource.Reason)
	}
	lacking, reasons := lackingSides(identity, resource)
	return Decision{DecidedBy: lacking, Reason: fmt.Sprintf(
		"cross-account access needs both the identity policies and %s to allow it: %s", kind.policyName(), reasons)}
}

// requireKeyPolicy: within an account a KMS key is usable only when its key policy
// allows it, directly or by delegating to the account's identity policies.
func requireKeyPolicy(identity, resource Decision) Decision {
	switch {
	case resource.Allowed && !resource.ViaAccount:
		return granted(resource.MatchedSid, ResourceSide, resource.Reason)
	case resource.Allowed && identity.Allowed:
		return granted(resource.MatchedSid, IdentitySide|ResourceSide, resource.Reason+"; "+identity.Reason)
	case resource.Allowed:
		return Decision{DecidedBy: IdentitySide, Reason: resource.Reason + ", but " + identity.Reason}
	}
	return Decision{DecidedBy: ResourceSide, Reason: "a KMS key is usable only when its key policy allows it, " +
		"directly or by delegating to the account: " + resource.Reason}
}

// requireEither: within an account the identity policy or a resource policy naming
// the principal suffices.
func requireEither(identity, resource Decision, kind ResourceKind) Decision {
	switch {
	case resource.Allowed && !resource.ViaAccount:
		return granted(resource.MatchedSid, ResourceSide, resource.Reason)
	case identity.Allowed:
		return granted(identity.MatchedSid, IdentitySide, identity.Reason)
	}
	return Decision{DecidedBy: IdentitySide | ResourceSide, Reason: fmt.Sprintf(
		"neither the identity policies nor %s allow it: %s; %s", kind.policyName(), identity.Reason, resource.Reason)}
}

func granted(sid string, by Side, reason string) Decision {
	return Decision{Allowed: true, MatchedSid: sid, DecidedBy: by, Reason: reason}
}

func lackingSides(identity, resource Decision) (Side, string) {
	switch {
	case !identity.Allowed && !resource.Allowed:
		return IdentitySide | ResourceSide, identity.Reason + "; " + resource.Reason
	case !identity.Allowed:
		return IdentitySide, identity.Reason
	}
	return ResourceSide, resource.Reason
}

// request is a Request with derived accounts and a case-insensitive context.
type request struct {
	Request
	ctx requestContext
}

func newRequest(req Request) *request {
	req.Principal = req.Principal.normalized()
	if parsed, ok := parseARN(req.Resource); ok && req.ResourceAccount == "" {
		req.ResourceAccount = parsed.account
	}
	ctx := newRequestContext(req.Context, req.Unknowable)
	p := req.Principal
	if p.isService() {
		ctx.setDefault("aws:PrincipalServiceName", p.Service)
	} else {
		ctx.setDefault("aws:PrincipalAccount", p.AccountID)
		if !p.isSession() {
			ctx.setDefault("aws:PrincipalArn", p.ARN)
		}
	}
	return &request{Request: req, ctx: ctx}
}

func (r *request) crossAccount() bool {
	return r.ResourceAccount == "" || r.ResourceAccount != r.Principal.AccountID
}
