package evaluator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	iam "github.com/micahhausler/aws-iam-policy/policy"
)

// parsePolicy reads a policy document's statements. An empty document has none. IAM
// hands out documents URL-encoded, so a document not starting with '{' is decoded.
func parsePolicy(doc string) ([]iam.Statement, error) {
	doc = strings.TrimSpace(doc)
	if doc == "" {
		return nil, nil
	}
	if !strings.HasPrefix(doc, "{") {
		decoded, err := url.QueryUnescape(doc)
		if err != nil {
			return nil, fmt.Errorf("neither JSON nor URL-encoded JSON: %w", err)
		}
		doc = decoded
	}
	var parsed iam.Policy
	if err := json.Unmarshal([]byte(doc), &parsed); err != nil {
		return nil, err
	}
	if parsed.Statements == nil {
		return nil, nil
	}
	return parsed.Statements.Values(), nil
}

// statementOutcome is what one statement says about a request.
type statementOutcome struct {
	applies    bool
	viaAccount bool // the statement names the principal's account, not the principal
	// failedCondition is set when action, resource and principal match but the
	// condition does not hold.
	failedCondition string
	// uncertainCondition is set when they match and the condition holds but for a
	// key the request marks unknowable.
	uncertainCondition string
}

func evaluateStatement(s iam.Statement, req *request, resourcePolicy bool) statementOutcome {
	if !matchesAction(s, req.Action) || !matchesResource(s, req.Resource, resourcePolicy) {
		return statementOutcome{}
	}
	match := directMatch
	if resourcePolicy {
		match = principalMatchOf(s, req.Principal)
	}
	if match == noMatch {
		return statementOutcome{}
	}
	failure, uncertain := checkCondition(s.Condition, req.ctx)
	switch {
	case failure != "":
		return statementOutcome{failedCondition: failure}
	case uncertain != "":
		return statementOutcome{uncertainCondition: uncertain}
	}
	return statementOutcome{applies: true, viaAccount: match == accountMatch}
}

func matchesAction(s iam.Statement, action string) bool {
	switch {
	case s.Action != nil:
		return anyMatch(values(s.Action), action, wildcardMatchFold)
	case s.NotAction != nil:
		return !anyMatch(values(s.NotAction), action, wildcardMatchFold)
	}
	return false
}

func matchesResource(s iam.Statement, resource string, resourcePolicy bool) bool {
	switch {
	case s.Resource != nil:
		return anyMatch(values(s.Resource), resource, arnMatch)
	case s.NotResource != nil:
		return !anyMatch(values(s.NotResource), resource, arnMatch)
	}
	// Trust policies have no Resource element: the policy's own role is the resource.
	return resourcePolicy
}

// principalMatchOf applies a resource policy statement's Principal or NotPrincipal.
// A statement with neither names nobody.
func principalMatchOf(s iam.Statement, p Principal) principalMatch {
	switch {
	case s.Principal != nil:
		return matchPrincipalElement(s.Principal, p)
	case s.NotPrincipal != nil && !p.excludedBy(s.NotPrincipal):
		return directMatch
	}
	return noMatch
}

func anyMatch(patterns []string, s string, match func(pattern, s string) bool) bool {
	for _, pattern := range patterns {
		if match(pattern, s) {
			return true
		}
	}
	return false
}

// policySetResult is what a set of policies (all identity policies of a principal,
// or the one resource policy) says about a request.
type policySetResult struct {
	name       string // "the identity policies", "the key policy", ... for reasons
	side       Side
	statements int
	deny       *hit // first Deny statement that applies
	// denies are every Deny statement that applies, and uncertainDenies every one
	// that applies but for a condition on an unknowable key, in policy order.
	denies          []Denial
	uncertainDenies []UncertainStatement
	allow           *hit // an Allow statement that applies, one naming the principal preferred
	// uncertainDeny and uncertainAllow are the first Deny and Allow statements that
	// apply but for a condition on an unknowable key.
	uncertainDeny, uncertainAllow *UncertainStatement
	// nearMisses are Allow statements that match but for their condition.
	nearMisses []string
	invalid    []string
}

type hit struct {
	label      string
	sid        string
	viaAccount bool
}

func evaluatePolicySet(docs []string, req *request, name string, side Side) policySetResult {
	result := policySetResult{name: name, side: side}
	resourcePolicy := side == ResourceSide
	for docIndex, doc := range docs {
		statements, err := parsePolicy(doc)
		if err != nil {
			result.invalid = append(result.invalid, fmt.Sprintf("%s is not a valid policy document (%v)", result.policyLabel(docIndex, len(docs)), err))
			continue
		}
		result.statements += len(statements)
		for i, s := range statements {
			label := statementLabel(s.Sid, i, docIndex, len(docs))
			result.record(s, label, evaluateStatement(s, req, resourcePolicy))
		}
	}
	return result
}

func (r *policySetResult) record(s iam.Statement, label string, outcome statementOutcome) {
	found := &hit{label: label, sid: s.Sid, viaAccount: outcome.viaAccount}
	switch {
	case outcome.applies && s.Effect == iam.EffectDeny:
		r.denies = append(r.denies, Denial{Statement: label + " of " + r.name, Side: r.side})
	case outcome.uncertainCondition != "" && s.Effect == iam.EffectDeny:
		r.uncertainDenies = append(r.uncertainDenies, UncertainStatement{Statement: label + " of " + r.name, Condition: outcome.uncertainCondition})
	}
	switch {
	case outcome.applies && s.Effect == iam.EffectDeny && r.deny == nil:
		r.deny = found
	case outcome.applies && s.Effect == iam.EffectAllow && (r.allow == nil || r.allow.viaAccount && !found.viaAccount):
		r.allow = found
	case outcome.failedCondition != "" && s.Effect == iam.EffectAllow:
		r.nearMisses = append(r.nearMisses, fmt.Sprintf("%s matches but its %s", label, outcome.failedCondition))
	case outcome.uncertainCondition != "" && s.Effect == iam.EffectDeny && r.uncertainDeny == nil:
		r.uncertainDeny = &UncertainStatement{Statement: label + " of " + r.name, Condition: outcome.uncertainCondition}
	case outcome.uncertainCondition != "" && s.Effect == iam.EffectAllow:
		r.nearMisses = append(r.nearMisses, fmt.Sprintf("%s matches but its %s", label, outcome.uncertainCondition))
		if r.uncertainAllow == nil {
			r.uncertainAllow = &UncertainStatement{Statement: label + " of " + r.name, Condition: outcome.uncertainCondition}
		}
	}
}

func (r policySetResult) decision(req *request) Decision {
	d := r.decide(req)
	d.Denials = r.denies
	if len(r.denies) == 0 {
		d.UncertainDenials = r.uncertainDenies
	}
	if !d.ExplicitDeny {
		d.Uncertain = r.uncertainDeny
	}
	if !d.Allowed && !d.ExplicitDeny {
		d.MaybeAllowed = r.uncertainAllow
	}
	return d
}

func (r policySetResult) decide(req *request) Decision {
	switch {
	case r.deny != nil:
		statement := r.deny.label + " of " + r.name
		return Decision{ExplicitDeny: true, MatchedSid: r.deny.sid, DecidedBy: r.side, Statement: statement,
			Reason: fmt.Sprintf("%s explicitly denies %s", statement, req)}
	case r.allow != nil && r.allow.viaAccount:
		statement := r.allow.label + " of " + r.name
		return Decision{Allowed: true, ViaAccount: true, MatchedSid: r.allow.sid, DecidedBy: r.side, Statement: statement,
			Reason: fmt.Sprintf("%s allows %s only by naming account %s, which leaves the decision to that account's identity policies",
				statement, req.Action, req.Principal.AccountID)}
	case r.allow != nil:
		statement := r.allow.label + " of " + r.name
		return Decision{Allowed: true, MatchedSid: r.allow.sid, DecidedBy: r.side, Statement: statement,
			Reason: fmt.Sprintf("%s allows %s", statement, req)}
	}
	return Decision{DecidedBy: r.side, Reason: r.noAllowReason(req)}
}

func (r policySetResult) noAllowReason(req *request) string {
	reason := fmt.Sprintf("no statement of %s allows %s", r.name, req)
	if r.statements == 0 && len(r.invalid) == 0 {
		reason += fmt.Sprintf(" (there are no statements in %s)", r.name)
	}
	for _, detail := range append(r.nearMisses, r.invalid...) {
		reason += "; " + detail
	}
	return reason
}

func statementLabel(sid string, index, docIndex, docCount int) string {
	switch {
	case sid != "":
		return fmt.Sprintf("statement %q", sid)
	case docCount > 1:
		return fmt.Sprintf("statement %d of policy %d", index+1, docIndex+1)
	}
	return fmt.Sprintf("statement %d", index+1)
}

func (r policySetResult) policyLabel(docIndex, docCount int) string {
	if docCount > 1 || r.side == IdentitySide {
		return fmt.Sprintf("policy %d of %s", docIndex+1, r.name)
	}
	return r.name
}
