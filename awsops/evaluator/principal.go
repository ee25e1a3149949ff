package evaluator

import (
	"slices"
	"strings"

	iam "github.com/micahhausler/aws-iam-policy/policy"
)

// Principal is who makes a request.
type Principal struct {
	// AccountID is the account the principal belongs to; derived from ARN when empty.
	AccountID string
	// ARN is an IAM role or user ARN (arn:aws:iam::111122223333:role/path/name), an
	// assumed-role session ARN (arn:aws:sts::111122223333:assumed-role/name/session)
	// or an account root ARN (arn:aws:iam::111122223333:root). A service name given
	// here instead ("s3.amazonaws.com") is taken as Service.
	ARN string
	// Service is a service principal such as "s3.amazonaws.com". Identity policies
	// never apply to service principals.
	Service string
}

// String names the principal for reasons.
func (p Principal) String() string {
	switch {
	case p.Service != "":
		return p.Service
	case p.ARN != "":
		return p.ARN
	}
	return "account " + p.AccountID
}

func (p Principal) normalized() Principal {
	if p.Service == "" && p.ARN != "" && !strings.HasPrefix(p.ARN, "arn:") {
		p.Service, p.ARN = p.ARN, ""
	}
	if parsed, ok := parseARN(p.ARN); ok && p.AccountID == "" {
		p.AccountID = parsed.account
	}
	return p
}

func (p Principal) isService() bool { return p.Service != "" }

func (p Principal) isAccountRoot() bool {
	parsed, ok := parseARN(p.ARN)
	return ok && parsed.service == "iam" && parsed.resource == "root"
}

func (p Principal) isSession() bool {
	_, ok := sessionRoleName(p.ARN)
	return ok
}

// principalMatch is how a Principal element names the requester.
type principalMatch int

const (
	noMatch principalMatch = iota
	// accountMatch: the element names the requester's account, not the requester.
	// That delegates the decision to the account's identity policies.
	accountMatch
	// directMatch: the element names the requester itself, or everyone.
	directMatch
)

// matchPrincipalElement reports how a statement's Principal element names p.
func matchPrincipalElement(element *iam.Principal, p Principal) principalMatch {
	if element == nil {
		return noMatch
	}
	if namesEveryone(element) || p.namedByService(element) {
		return directMatch
	}
	best := noMatch
	for _, entry := range values(element.AWS()) {
		best = max(best, p.matchAWSEntry(entry))
	}
	return best
}

// excludedBy reports whether a NotPrincipal element exempts p. AWS checks the
// account, then the role, then the session, so p is exempt only when each of them
// is listed; naming just the role leaves its account, and so the role, denied.
func (p Principal) excludedBy(element *iam.Principal) bool {
	if element == nil {
		return false
	}
	if namesEveryone(element) {
		return true
	}
	if p.isService() {
		return p.namedByService(element)
	}
	entries := values(element.AWS())
	if !slices.ContainsFunc(entries, p.isOwnAccount) {
		return false
	}
	switch {
	case p.isAccountRoot():
		return true
	case p.isSession():
		return slices.ContainsFunc(entries, p.isSessionOf) && slices.Contains(entries, p.ARN)
	}
	return slices.Contains(entries, p.ARN)
}

func namesEveryone(element *iam.Principal) bool {
	return slices.Contains(element.Kinds(), iam.PrincipalKindAll) || slices.Contains(values(element.AWS()), "*")
}

func (p Principal) namedByService(element *iam.Principal) bool {
	if !p.isService() {
		return false
	}
	return slices.ContainsFunc(values(element.Service()), func(entry string) bool {
		return strings.EqualFold(entry, p.Service)
	})
}

func (p Principal) matchAWSEntry(entry string) principalMatch {
	if p.isService() {
		return noMatch
	}
	if account, ok := accountEntry(entry); ok {
		switch {
		case account != p.AccountID:
			return noMatch
		case p.isAccountRoot():
			return directMatch
		}
		return accountMatch
	}
	if entry == p.ARN || p.isSessionOf(entry) {
		return directMatch
	}
	return noMatch
}

func (p Principal) isOwnAccount(entry string) bool {
	account, ok := accountEntry(entry)
	return ok && account == p.AccountID
}

// isSessionOf reports whether p is an assumed-role session of roleARN. A session ARN
// carries the role's name but not its path, so the path is not compared.
func (p Principal) isSessionOf(roleARN string) bool {
	sessionRole, ok := sessionRoleName(p.ARN)
	if !ok {
		return false
	}
	role, ok := parseARN(roleARN)
	if !ok || role.service != "iam" || !strings.HasPrefix(role.resource, "role/") {
		return false
	}
	session, _ := parseARN(p.ARN)
	name := role.resource[strings.LastIndex(role.resource, "/")+1:]
	return session.partition == role.partition && session.account == role.account && sessionRole == name
}

// sessionRoleName returns the role name of an assumed-role session ARN
// (arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION).
func sessionRoleName(sessionARN string) (string, bool) {
	parsed, ok := parseARN(sessionARN)
	if !ok || parsed.service != "sts" {
		return "", false
	}
	rest, ok := strings.CutPrefix(parsed.resource, "assumed-role/")
	if !ok {
		return "", false
	}
	name, _, ok := strings.Cut(rest, "/")
	return name, ok
}

// accountEntry returns the account a principal entry names as a whole: a bare
// 12-digit account id or arn:PARTITION:iam::ACCOUNT:root.
func accountEntry(entry string) (string, bool) {
	if isAccountID(entry) {
		return entry, true
	}
	parsed, ok := parseARN(entry)
	if ok && parsed.service == "iam" && parsed.resource == "root" {
		return parsed.account, true
	}
	return "", false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// values returns the strings of an optional policy element.
func values(element *iam.StringOrSlice) []string {
	if element == nil {
		return nil
	}
	return element.Values()
}

// IsAccountID reports whether s is an AWS account id (12 digits), as a Principal
// element may name one: for other packages that check policy elements.
func IsAccountID(s string) bool { return isAccountID(s) }

// StringValues returns the strings of an optional policy element, none when it is
// absent: for other packages that read policy elements.
func StringValues(element *iam.StringOrSlice) []string { return values(element) }
