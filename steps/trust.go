package steps

import (
	"fmt"
	"slices"
	"strings"

	"github.com/s3repl/s3repl/awsops/evaluator"
	"github.com/s3repl/s3repl/awsops/policy"
)

// sourceKeys are the condition keys a trust may use to tie the role to the source
// bucket. AWS documents the replication role's trust as s3.amazonaws.com with
// sts:AssumeRole and no condition [setting-repl-config-perm-overview], and does not
// say S3 sends these keys when it assumes the role; a condition that needs them (a
// StringEquals or ArnLike without IfExists) does not hold when they are absent.
var sourceKeys = []string{"aws:SourceAccount", "aws:SourceArn"}

// trustVerdict is what a trust policy does with S3's AssumeRole for the source
// bucket, asked twice: as AWS documents the request (without aws:SourceAccount and
// aws:SourceArn) and as it would be if S3 sent them.
type trustVerdict struct {
	withoutKeys, withKeys evaluator.Decision
}

func judgeTrust(trust, roleARN, account, sourceBucketARN string) trustVerdict {
	req := evaluator.Request{
		Principal: evaluator.Principal{Service: "s3.amazonaws.com"}, Action: "sts:AssumeRole",
		Resource: roleARN, ResourceAccount: account,
	}
	without := evaluator.Evaluate(req, nil, trust, evaluator.IAMTrust)
	req.Context = map[string][]string{"aws:SourceAccount": {account}, "aws:SourceArn": {sourceBucketARN}}
	return trustVerdict{withoutKeys: without, withKeys: evaluator.Evaluate(req, nil, trust, evaluator.IAMTrust)}
}

// works reports whether S3 gets in whether or not it sends the source keys.
func (v trustVerdict) works() bool { return v.withoutKeys.Allowed && v.withKeys.Allowed }

// dependsOnSourceKeys reports whether S3 gets in only if it sends the source keys
// (or only if it does not): what the current User Guide leaves open decides.
func (v trustVerdict) dependsOnSourceKeys() bool { return v.withoutKeys.Allowed != v.withKeys.Allowed }

// statementsNeedingSourceKeys names the trust's Allow statements whose conditions
// need aws:SourceAccount or aws:SourceArn to be present (operators without IfExists).
func statementsNeedingSourceKeys(trust string) []string {
	parsed, err := policy.Parse(trust)
	if err != nil {
		return nil
	}
	statements, err := parsed.TypedStatements()
	if err != nil {
		return nil
	}
	var names []string
	for i, st := range statements {
		if !strings.EqualFold(string(st.Effect), "Allow") {
			continue
		}
		var needs []string
		for operator, block := range st.Condition {
			if strings.HasSuffix(strings.ToLower(operator), "ifexists") {
				continue
			}
			for key := range block {
				if slices.ContainsFunc(sourceKeys, func(k string) bool { return strings.EqualFold(k, key) }) {
					needs = append(needs, operator+" "+key)
				}
			}
		}
		if len(needs) > 0 {
			slices.Sort(needs)
			names = append(names, fmt.Sprintf("statement %s (%s)", statementName(st.Sid, i), strings.Join(needs, ", ")))
		}
	}
	return names
}
