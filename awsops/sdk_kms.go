package awsops

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"golang.org/x/sync/errgroup"
)

// defaultKeyPolicy is the only policy name KMS knows.
const defaultKeyPolicy = "default"

// ListKeys lists the Region's keys with their aliases. A key this identity may list
// but not describe (its key policy says no) is kept with only its id, ARN and aliases.
func (a *sdkAccount) ListKeys(ctx context.Context, region string) ([]KeyInfo, error) {
	_, keys, err := readEachKey(ctx, a, region, func(ctx context.Context, entry types.KeyListEntry, aliases map[string][]string) (KeyInfo, error) {
		key, err := a.DescribeKey(ctx, region, aws.ToString(entry.KeyArn))
		if IsAccessDenied(err) {
			key, err = keyFromARN(aws.ToString(entry.KeyArn)), nil
		}
		key.Aliases = aliases[key.KeyID]
		return key, err
	})
	return keys, err
}

// readEachKey lists the Region's keys and their aliases, then reads each key with read,
// describeConcurrency at a time; what read found for entries[i] is at found[i].
func readEachKey[T any](ctx context.Context, a *sdkAccount, region string, read func(ctx context.Context, entry types.KeyListEntry, aliases map[string][]string) (T, error)) (entries []types.KeyListEntry, found []T, err error) {
	entries, err = a.listKeyEntries(ctx, region)
	if err != nil {
		return nil, nil, err
	}
	aliases, err := a.aliasesByKey(ctx, region)
	if err != nil {
		return nil, nil, err
	}
	found = make([]T, len(entries))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(describeConcurrency)
	for i, entry := range entries {
		g.Go(func() error {
			var err error
			found[i], err = read(gctx, entry, aliases)
			return err
		})
	}
	return entries, found, g.Wait()
}

func (a *sdkAccount) listKeyEntries(ctx context.Context, region string) ([]types.KeyListEntry, error) {
	var entries []types.KeyListEntry
	pages := kms.NewListKeysPaginator(a.kmsClient(region), &kms.ListKeysInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("kms:ListKeys", "keys in "+region, err)
		}
		entries = append(entries, page.Keys...)
	}
	return entries, nil
}

// aliasesByKey maps key ids to their alias names, for all keys of the Region at once.
func (a *sdkAccount) aliasesByKey(ctx context.Context, region string) (map[string][]string, error) {
	aliases := map[string][]string{}
	pages := kms.NewListAliasesPaginator(a.kmsClient(region), &kms.ListAliasesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("kms:ListAliases", "aliases in "+region, err)
		}
		for _, alias := range page.Aliases {
			if target := aws.ToString(alias.TargetKeyId); target != "" {
				aliases[target] = append(aliases[target], aws.ToString(alias.AliasName))
			}
		}
	}
	return aliases, nil
}

// DescribeKey accepts a key id, key ARN, alias name or alias ARN. Aliases holds the
// alias it was asked by, if any; ListKeys gives all of them.
func (a *sdkAccount) DescribeKey(ctx context.Context, region, keyID string) (KeyInfo, error) {
	out, err := a.kmsClient(region).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: &keyID})
	if err != nil {
		return KeyInfo{}, a.fail("kms:DescribeKey", keyID, err)
	}
	key := keyInfo(out.KeyMetadata)
	if alias := aliasName(keyID); alias != "" {
		key.Aliases = []string{alias}
	}
	return key, nil
}

// aliasName is the alias name in an alias name or alias ARN, "" for key ids and ARNs.
func aliasName(keyID string) string {
	if strings.HasPrefix(keyID, "alias/") {
		return keyID
	}
	if _, after, found := strings.Cut(keyID, ":alias/"); found {
		return "alias/" + after
	}
	return ""
}

func keyInfo(m *types.KeyMetadata) KeyInfo {
	if m == nil {
		return KeyInfo{}
	}
	key := keyFromARN(aws.ToString(m.Arn))
	key.KeyID = aws.ToString(m.KeyId)
	key.AccountID = aws.ToString(m.AWSAccountId)
	key.State = string(m.KeyState)
	key.Spec = string(m.KeySpec)
	key.Usage = string(m.KeyUsage)
	key.Manager = string(m.KeyManager)
	key.MultiRegion = aws.ToBool(m.MultiRegion)
	key.Description = aws.ToString(m.Description)
	if m.MultiRegionConfiguration != nil {
		key.MultiRegionRole = string(m.MultiRegionConfiguration.MultiRegionKeyType)
	}
	return key
}

// keyFromARN fills what a key ARN (arn:PARTITION:kms:REGION:ACCOUNT:key/ID) tells.
func keyFromARN(arn string) KeyInfo {
	key := KeyInfo{ARN: arn}
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) == 6 {
		key.Region, key.AccountID = parts[3], parts[4]
		key.KeyID = strings.TrimPrefix(parts[5], "key/")
	}
	return key
}

func (a *sdkAccount) GetKeyPolicy(ctx context.Context, region, keyID string) (string, error) {
	out, err := a.kmsClient(region).GetKeyPolicy(ctx, &kms.GetKeyPolicyInput{
		KeyId:      &keyID,
		PolicyName: aws.String(defaultKeyPolicy),
	})
	if err != nil {
		return "", a.fail("kms:GetKeyPolicy", keyID, err)
	}
	return aws.ToString(out.Policy), nil
}

// PutKeyPolicy keeps KMS's lockout safety check on: a policy that would lock the
// caller out of the key is refused rather than applied.
func (a *sdkAccount) PutKeyPolicy(ctx context.Context, region, keyID, policy string) error {
	_, err := a.kmsClient(region).PutKeyPolicy(ctx, &kms.PutKeyPolicyInput{
		KeyId:                          &keyID,
		PolicyName:                     aws.String(defaultKeyPolicy),
		Policy:                         &policy,
		BypassPolicyLockoutSafetyCheck: false,
	})
	if err != nil {
		return a.fail("kms:PutKeyPolicy", keyID, err)
	}
	return nil
}

// CreateKey creates a symmetric encryption key; an empty policy gets KMS's default.
func (a *sdkAccount) CreateKey(ctx context.Context, region, description, policy string) (KeyInfo, error) {
	return a.CreateKeyWithTags(ctx, region, description, policy, nil)
}

// CreateKeyWithTags is CreateKey with tags written at creation. KMS has no
// idempotency token for CreateKey, so the SDK must not repeat it by itself: a retry
// after an answer that was lost makes a second key. One attempt only; a lost answer
// is KindOutcomeUnknown, and the caller finds the key by its tags.
func (a *sdkAccount) CreateKeyWithTags(ctx context.Context, region, description, policy string, tags map[string]string) (KeyInfo, error) {
	in := &kms.CreateKeyInput{
		Description:                    &description,
		KeySpec:                        types.KeySpecSymmetricDefault,
		KeyUsage:                       types.KeyUsageTypeEncryptDecrypt,
		BypassPolicyLockoutSafetyCheck: false,
	}
	if policy != "" {
		in.Policy = &policy
	}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		in.Tags = append(in.Tags, types.Tag{TagKey: aws.String(k), TagValue: aws.String(tags[k])})
	}
	out, err := a.kmsClient(region).CreateKey(ctx, in, func(o *kms.Options) {
		o.Retryer = retry.AddWithMaxAttempts(o.Retryer, 1)
	})
	if err != nil {
		return KeyInfo{}, a.fail("kms:CreateKey", "a key in "+region, err)
	}
	return keyInfo(out.KeyMetadata), nil
}

// KeyTags reads a key's tags.
func (a *sdkAccount) KeyTags(ctx context.Context, region, keyID string) (map[string]string, error) {
	tags := map[string]string{}
	pages := kms.NewListResourceTagsPaginator(a.kmsClient(region), &kms.ListResourceTagsInput{KeyId: &keyID})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, a.fail("kms:ListResourceTags", keyID, err)
		}
		for _, t := range page.Tags {
			tags[aws.ToString(t.TagKey)] = aws.ToString(t.TagValue)
		}
	}
	return tags, nil
}

// KeysTagged finds the Region's keys that carry tag key=value and have no alias. It
// reads the tags of every key without an alias: one call per key, so callers use it
// only when they know such a key may exist (a CreateKey whose answer was lost).
func (a *sdkAccount) KeysTagged(ctx context.Context, region, key, value string) ([]KeyInfo, error) {
	entries, found, err := readEachKey(ctx, a, region, func(ctx context.Context, entry types.KeyListEntry, aliases map[string][]string) (bool, error) {
		if len(aliases[aws.ToString(entry.KeyId)]) > 0 {
			return false, nil
		}
		tags, err := a.KeyTags(ctx, region, aws.ToString(entry.KeyArn))
		if IsAccessDenied(err) || IsNotFound(err) {
			return false, nil // not a key this identity made
		}
		return err == nil && tags[key] == value, err
	})
	if err != nil {
		return nil, err
	}
	var keys []KeyInfo
	for i, entry := range entries {
		if !found[i] {
			continue
		}
		info, err := a.DescribeKey(ctx, region, aws.ToString(entry.KeyArn))
		if err != nil {
			return nil, err
		}
		keys = append(keys, info)
	}
	return keys, nil
}

// CreateAlias accepts the alias with or without its "alias/" prefix.
func (a *sdkAccount) CreateAlias(ctx context.Context, region, alias, keyID string) error {
	if !strings.HasPrefix(alias, "alias/") {
		alias = "alias/" + alias
	}
	_, err := a.kmsClient(region).CreateAlias(ctx, &kms.CreateAliasInput{AliasName: &alias, TargetKeyId: &keyID})
	if err != nil {
		return a.fail("kms:CreateAlias", alias, err)
	}
	return nil
}
