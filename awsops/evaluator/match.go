package evaluator

import (
	"net/netip"
	"strings"
)

// wildcardMatch reports whether s matches pattern, where '*' stands for any run of
// characters (also none) and '?' for exactly one character. It is case-sensitive.
func wildcardMatch(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, resume := -1, 0 // last '*' seen in the pattern, and where s resumes after it
	for si < len(str) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, resume = pi, si
			pi++
		case star >= 0:
			// Let the last '*' swallow one more character and retry from there.
			resume++
			pi, si = star+1, resume
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// wildcardMatchFold is wildcardMatch ignoring case, as IAM compares actions.
func wildcardMatchFold(pattern, s string) bool {
	return wildcardMatch(strings.ToLower(pattern), strings.ToLower(s))
}

// arnMatch compares an ARN against a pattern the way IAM compares Resource elements
// and the Arn condition operators: each of the six colon-separated components is
// matched on its own, so a wildcard never spans a colon before the resource part.
// Patterns that are not six-component ARNs ("*", "arn:aws:*") match as a whole.
func arnMatch(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	patternParts := strings.SplitN(pattern, ":", 6)
	arnParts := strings.SplitN(arn, ":", 6)
	if len(patternParts) != 6 || len(arnParts) != 6 {
		return wildcardMatch(pattern, arn)
	}
	for i := range patternParts {
		if !wildcardMatch(patternParts[i], arnParts[i]) {
			return false
		}
	}
	return true
}

// ipMatch reports whether address lies in the CIDR block (or equals the single
// address) given by the policy, as IpAddress does.
func ipMatch(policyBlock, address string) bool {
	addr, err := netip.ParseAddr(address)
	if err != nil {
		return false
	}
	if !strings.Contains(policyBlock, "/") {
		single, err := netip.ParseAddr(policyBlock)
		return err == nil && single == addr
	}
	prefix, err := netip.ParsePrefix(policyBlock)
	return err == nil && prefix.Contains(addr)
}

// arn is a parsed Amazon Resource Name.
type arn struct {
	partition, service, region, account, resource string
}

// parseARN splits s into its components; ok is false when s is not an ARN.
func parseARN(s string) (parsed arn, ok bool) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return arn{}, false
	}
	return arn{partition: parts[1], service: parts[2], region: parts[3], account: parts[4], resource: parts[5]}, true
}

// WildcardMatch matches s against an IAM pattern, where * is any run of characters
// and ? any one, case-sensitively: for other packages that check policy elements.
func WildcardMatch(pattern, s string) bool { return wildcardMatch(pattern, s) }
