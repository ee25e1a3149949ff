package steps

import (
	"context"
	"errors"
	"fmt"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
)

// What makes a create safe to repeat: a rerun, or the SDK's own retry after a lost
// answer, must find what an earlier attempt made instead of making it twice or
// refusing it as someone else's.

// keyTagAlias is the tag s3repl gives the replica key it creates: the alias the key
// is for. A rerun finds a key whose CreateKey answer was lost by it.
const keyTagAlias = "s3repl:replica-key-for"

func (a *applier) tagsFor(c Change) map[string]string {
	if c.kind != kindCreateKey {
		return nil
	}
	return map[string]string{keyTagAlias: a.alias, "created-by": "s3repl"}
}

// createKey makes the replica key, or takes the one an earlier run of this setup
// made and left without its alias, giving it the planned policy.
func (a *applier) createKey(ctx context.Context, c Change, policyDoc string) error {
	acc := a.account(c)
	earlier, found, err := a.earlierKey(ctx, c)
	if err != nil {
		return err
	}
	if found {
		a.newKeyARN = earlier.ARN
		a.notes = append(a.notes, fmt.Sprintf("key %s, made by an earlier s3repl run for %s, is used instead of a new key", earlier.ARN, a.alias))
		return a.retryPropagation(ctx, func() error { return acc.PutKeyPolicy(ctx, c.Region, earlier.ARN, policyDoc) })
	}
	return a.retryPropagation(ctx, func() error {
		key, err := acc.CreateKeyWithTags(ctx, c.Region, "S3 replica key for "+a.alias+", created by s3repl", policyDoc, a.tagsFor(c))
		if err == nil {
			a.newKeyARN = key.ARN
		}
		return err
	})
}

// earlierKey finds a key that an earlier run of this setup created and that got no
// alias: by the journal's done entries (a DescribeKey and a tag check each) and, only
// when a CreateKey answer was lost, by the tag among the Region's keys without alias.
// Other such keys are named with the command to delete them.
func (a *applier) earlierKey(ctx context.Context, c Change) (awsops.KeyInfo, bool, error) {
	j := a.opts.Journal
	if j == nil {
		return awsops.KeyInfo{}, false, nil
	}
	history, err := History(j.Dir())
	if err != nil {
		return awsops.KeyInfo{}, false, err
	}
	acc := a.account(c)
	var keys []awsops.KeyInfo
	seen := map[string]bool{}
	lost := false
	for _, e := range history {
		if e.Change != c.ID || e.Account != c.Account || e.Region != c.Region || e.Tags[keyTagAlias] != a.alias {
			continue
		}
		lost = lost || e.Phase == "unknown"
		if e.Phase != "done" || seen[e.Resource] {
			continue
		}
		seen[e.Resource] = true
		key, ours, err := a.ourKey(ctx, acc, c.Region, e.Resource)
		if err != nil {
			return awsops.KeyInfo{}, false, err
		}
		if ours {
			keys = append(keys, key)
		}
	}
	if lost {
		tagged, err := acc.KeysTagged(ctx, c.Region, keyTagAlias, a.alias)
		if err != nil {
			return awsops.KeyInfo{}, false, err
		}
		for _, key := range tagged {
			if !seen[key.ARN] && key.State == "Enabled" {
				seen[key.ARN] = true
				keys = append(keys, key)
			}
		}
	}
	if len(keys) == 0 {
		return awsops.KeyInfo{}, false, nil
	}
	for _, unused := range keys[1:] {
		a.notes = append(a.notes, unusedKeyNote(unused, acc.Profile()))
	}
	return keys[0], true, nil
}

// ourKey reports whether the key the journal names still exists, is enabled and
// carries this setup's tag.
func (a *applier) ourKey(ctx context.Context, acc awsops.Account, region, arn string) (awsops.KeyInfo, bool, error) {
	key, err := acc.DescribeKey(ctx, region, arn)
	if awsops.IsNotFound(err) || awsops.IsAccessDenied(err) {
		return key, false, nil
	}
	if err != nil || key.State != "Enabled" {
		return key, false, err
	}
	tags, err := acc.KeyTags(ctx, region, arn)
	if awsops.IsAccessDenied(err) {
		return key, true, nil // the journal names it as made for this alias; the tag was a check
	}
	if err != nil {
		return key, false, err
	}
	return key, tags[keyTagAlias] == a.alias, nil
}

func unusedKeyNote(key awsops.KeyInfo, profile string) string {
	cmd := fmt.Sprintf("aws kms schedule-key-deletion --key-id %s --pending-window-in-days 7 --region %s", key.ARN, key.Region)
	if profile != "" {
		cmd += " --profile " + profile
	}
	return fmt.Sprintf("key %s was made by s3repl and nothing uses it: schedule its deletion with `%s`", key.ARN, cmd)
}

// createAlias points the alias at the key made in this run. An alias that exists
// already and points at that key was made by an earlier attempt whose answer was lost.
func (a *applier) createAlias(ctx context.Context, c Change) error {
	acc := a.account(c)
	err := acc.CreateAlias(ctx, c.Region, c.target, a.newKeyARN)
	switch {
	case err == nil || awsops.IsOutcomeUnknown(err):
		return err
	case awsops.KindOf(err) == awsops.KindConflict:
		current, derr := acc.DescribeKey(ctx, c.Region, c.target)
		if derr == nil && current.ARN == a.newKeyARN {
			return nil
		}
		if derr == nil {
			a.notes = append(a.notes, unusedKeyNote(awsops.KeyInfo{ARN: a.newKeyARN, Region: c.Region}, acc.Profile()))
			return fmt.Errorf("%w; %s was created meanwhile for key %s: run plan again to use that key", err, c.target, current.ARN)
		}
		return err
	}
	return fmt.Errorf("%w; key %s was made for %s and is kept: run apply again, it takes that key from the journal and creates only what is missing", err, a.newKeyARN, c.target)
}

// sameRole accepts a role that exists with the trust policy this run was creating it
// with: an earlier attempt whose answer was lost made it.
func (a *applier) sameRole(ctx context.Context, c Change, conflict error) error {
	role, err := a.account(c).GetRole(ctx, c.target)
	if err != nil {
		return conflict
	}
	if same, err := policy.EquivalentDocs(role.TrustPolicy, c.After); err == nil && same {
		return nil
	}
	return &ChangedError{Change: c, Current: role.TrustPolicy}
}

// sameBucket accepts BucketAlreadyOwnedByYou for a bucket in the Region asked: an
// earlier attempt whose answer was lost made it. A bucket of another account is not.
func (a *applier) sameBucket(ctx context.Context, c Change, conflict error) error {
	var op *awsops.OpError
	if !asOpError(conflict, &op) || op.Code != "BucketAlreadyOwnedByYou" {
		return conflict
	}
	region, err := a.account(c).BucketRegion(ctx, c.target)
	if err != nil || region != c.Region {
		return conflict
	}
	return nil
}

func compactDoc(doc string) string { return policy.Compact(doc) }

func asOpError(err error, op **awsops.OpError) bool { return errors.As(err, op) }
