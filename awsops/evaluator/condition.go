package evaluator

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	iam "github.com/micahhausler/aws-iam-policy/policy"
)

// conditionBlock is a statement's Condition element: operator -> key -> values.
type conditionBlock = map[string]map[string]*iam.ConditionValue

// requestContext holds the request's condition keys under their lower-cased names,
// because condition key names are case-insensitive, and the keys it cannot know.
type requestContext struct {
	values     map[string][]string
	unknowable []string // lower-cased; a trailing "/" covers a family
}

func newRequestContext(keys map[string][]string, unknowable []string) requestContext {
	ctx := requestContext{values: map[string][]string{}}
	for key, vals := range keys {
		lower := strings.ToLower(key)
		ctx.values[lower] = append(ctx.values[lower], vals...)
	}
	for _, key := range unknowable {
		ctx.unknowable = append(ctx.unknowable, strings.ToLower(key))
	}
	return ctx
}

func (c requestContext) setDefault(key, value string) {
	lower := strings.ToLower(key)
	if _, set := c.values[lower]; !set && value != "" {
		c.values[lower] = []string{value}
	}
}

// lookup returns a key's values; present is false when the request lacks the key
// or has it without values.
func (c requestContext) lookup(key string) (vals []string, present bool) {
	vals = c.values[strings.ToLower(key)]
	return vals, len(vals) > 0
}

// cannotKnow reports whether the request lacks a key because its value is unknown,
// not because the request has none.
func (c requestContext) cannotKnow(key string) bool {
	lower := strings.ToLower(key)
	for _, u := range c.unknowable {
		if u == lower || strings.HasSuffix(u, "/") && strings.HasPrefix(lower, u) {
			return true
		}
	}
	return false
}

// checkCondition returns failure "" when every operator and key of the block holds
// for the request (operators AND, keys AND, a key's values OR), and otherwise says
// which operator and key does not hold. A condition on a key the request cannot know
// neither holds nor fails: uncertain says which, when nothing else fails.
func checkCondition(block conditionBlock, ctx requestContext) (failure, uncertain string) {
	for _, name := range sortedKeys(block) {
		op, err := parseOperator(name)
		if err != nil {
			return err.Error(), ""
		}
		for _, key := range sortedKeys(block[name]) {
			wanted := conditionValues(block[name][key])
			got, present := ctx.lookup(key)
			switch {
			case !present && ctx.cannotKnow(key):
				if uncertain == "" {
					uncertain = fmt.Sprintf("condition %s %s %s depends on %s, which cannot be checked here", name, key, quoteAll(wanted), key)
				}
			case !op.holds(wanted, got, present):
				return describeFailure(name, key, wanted, got, present), ""
			}
		}
	}
	return "", uncertain
}

func describeFailure(operator, key string, wanted, got []string, present bool) string {
	condition := fmt.Sprintf("condition %s %s %s", operator, key, quoteAll(wanted))
	if !present {
		return fmt.Sprintf("%s is false: the request has no %s", condition, key)
	}
	return fmt.Sprintf("%s is false for the request's %s", condition, quoteAll(got))
}

type setQualifier int

const (
	singleValued setQualifier = iota
	forAnyValue               // ForAnyValue: at least one request value satisfies the operator
	forAllValues              // ForAllValues: every request value satisfies the operator
)

// comparison is how a base operator (StringLike, ArnNotEquals, ...) compares values.
type comparison struct {
	compare func(policyValue, requestValue string) bool
	// negated operators (StringNotEquals, ArnNotLike, ...) hold when no policy value
	// matches, and also when the key is missing.
	negated bool
}

// conditionOperator is a parsed operator name such as "ForAnyValue:StringLikeIfExists".
type conditionOperator struct {
	comparison
	qualifier setQualifier
	ifExists  bool
	isNull    bool
}

// comparisons maps lower-cased base operator names to how they compare values.
var comparisons = buildComparisons()

func buildComparisons() map[string]comparison {
	pairs := []struct {
		positive, negative string
		compare            func(policyValue, requestValue string) bool
	}{
		{"StringEquals", "StringNotEquals", func(p, r string) bool { return p == r }},
		{"StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", strings.EqualFold},
		{"StringLike", "StringNotLike", wildcardMatch},
		// ArnEquals and ArnLike behave the same: both accept wildcards per component.
		{"ArnEquals", "ArnNotEquals", arnMatch},
		{"ArnLike", "ArnNotLike", arnMatch},
		{"IpAddress", "NotIpAddress", ipMatch},
		{"Bool", "", strings.EqualFold},
	}
	byName := map[string]comparison{}
	for _, pair := range pairs {
		byName[strings.ToLower(pair.positive)] = comparison{compare: pair.compare}
		if pair.negative != "" {
			byName[strings.ToLower(pair.negative)] = comparison{compare: pair.compare, negated: true}
		}
	}
	return byName
}

func parseOperator(name string) (conditionOperator, error) {
	var op conditionOperator
	base := name
	if qualifier, rest, found := strings.Cut(name, ":"); found {
		switch strings.ToLower(qualifier) {
		case "foranyvalue":
			op.qualifier = forAnyValue
		case "forallvalues":
			op.qualifier = forAllValues
		default:
			return op, fmt.Errorf("unknown condition set qualifier %q in %s", qualifier, name)
		}
		base = rest
	}
	if strings.HasSuffix(strings.ToLower(base), "ifexists") {
		op.ifExists = true
		base = base[:len(base)-len("IfExists")]
	}
	if strings.EqualFold(base, "Null") {
		op.isNull = true
		return op, nil
	}
	found, ok := comparisons[strings.ToLower(base)]
	if !ok {
		return op, fmt.Errorf("condition operator %s is not supported by the evaluator", name)
	}
	op.comparison = found
	return op, nil
}

// holds reports whether the operator is satisfied by the request's values for a key.
func (op conditionOperator) holds(wanted, got []string, present bool) bool {
	if op.isNull {
		return nullHolds(wanted, present)
	}
	if !present {
		return op.holdsForMissingKey()
	}
	satisfies := func(requestValue string) bool {
		matched := slices.ContainsFunc(wanted, func(policyValue string) bool {
			return op.compare(policyValue, requestValue)
		})
		return matched != op.negated
	}
	switch op.qualifier {
	case forAllValues:
		return allOf(got, satisfies)
	case forAnyValue:
		return slices.ContainsFunc(got, satisfies)
	}
	// Without a qualifier the values are one set: a positive operator needs some
	// match, a negated one needs no match at all.
	anyMatch := slices.ContainsFunc(got, func(requestValue string) bool {
		return slices.ContainsFunc(wanted, func(policyValue string) bool {
			return op.compare(policyValue, requestValue)
		})
	})
	return anyMatch != op.negated
}

func (op conditionOperator) holdsForMissingKey() bool {
	switch {
	case op.ifExists:
		return true
	case op.qualifier == forAllValues:
		return true // vacuously: there is no value that fails
	case op.qualifier == forAnyValue:
		return false
	}
	return op.negated
}

// nullHolds implements Null: "true" asks for the key to be absent, "false" present.
func nullHolds(wanted []string, present bool) bool {
	return slices.ContainsFunc(wanted, func(policyValue string) bool {
		absent, err := strconv.ParseBool(policyValue)
		return err == nil && absent != present
	})
}

func allOf(vals []string, test func(string) bool) bool {
	for _, v := range vals {
		if !test(v) {
			return false
		}
	}
	return true
}

// conditionValues renders a condition's values as strings; JSON booleans and
// numbers (account ids are sometimes written unquoted) compare as their text.
func conditionValues(value *iam.ConditionValue) []string {
	if value == nil {
		return nil
	}
	strs, bools, nums := value.Values()
	out := slices.Clone(strs)
	for _, b := range bools {
		out = append(out, strconv.FormatBool(b))
	}
	for _, n := range nums {
		out = append(out, strconv.FormatFloat(n, 'f', -1, 64))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func quoteAll(vals []string) string {
	quoted := make([]string, len(vals))
	for i, v := range vals {
		quoted[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
