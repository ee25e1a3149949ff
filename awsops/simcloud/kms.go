package simcloud

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/arn"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/evaluator"
)

// kmsKey is a KMS key of one account in one Region.
type kmsKey struct {
	id, arn, account, region    string
	state, spec, usage, manager string
	multiRegion                 bool
	description, policy         string
	tags                        map[string]string
}

type aliasRef struct{ account, region, name string }

// s3ManagedAlias names the AWS managed key S3 uses when no key is given.
const s3ManagedAlias = "alias/aws/s3"

func (k *kmsKey) info(aliases []string) awsops.KeyInfo {
	info := awsops.KeyInfo{
		KeyID: k.id, ARN: k.arn, Region: k.region, AccountID: k.account,
		State: k.state, Spec: k.spec, Usage: k.usage, Manager: k.manager,
		MultiRegion: k.multiRegion, Aliases: aliases, Description: k.description,
	}
	if k.multiRegion {
		info.MultiRegionRole = "PRIMARY"
	}
	return info
}

func (k *kmsKey) symmetric() bool {
	return k.spec == "SYMMETRIC_DEFAULT" && k.usage == "ENCRYPT_DECRYPT"
}

func (c *Cloud) aliasesOf(k *kmsKey) []string {
	var names []string
	for ref, target := range c.aliases {
		if target == k.arn {
			names = append(names, ref.name)
		}
	}
	slices.Sort(names)
	return names
}

func (c *Cloud) keyByARN(arn string) *kmsKey {
	for _, k := range c.keys {
		if k.arn == arn {
			return k
		}
	}
	return nil
}

func keyARN(account, region, id string) string {
	return "arn:aws:kms:" + region + ":" + account + ":key/" + id
}

// lookupKey finds a key as KMS does for a caller of account at region's endpoint: a
// key id or alias name means one of the caller's own keys, an ARN any account's.
// The AWS managed aws/s3 key is created the first time it is asked for.
func (c *Cloud) lookupKey(account, region, ref string) (*kmsKey, error) {
	if parsed, err := arn.Parse(ref); err == nil {
		if parsed.Service != "kms" || parsed.Region != region {
			return nil, notFound("NotFoundException", "Invalid arn %s for a call in %s", ref, region)
		}
		account, ref = parsed.AccountID, parsed.Resource
	}
	target := keyARN(account, region, strings.TrimPrefix(ref, "key/"))
	if strings.HasPrefix(ref, "alias/") {
		target = c.aliases[aliasRef{account, region, ref}]
		if target == "" && ref == s3ManagedAlias {
			target = c.managedS3Key(account, region).arn
		}
	}
	if k := c.keyByARN(target); k != nil {
		return k, nil
	}
	return nil, notFound("NotFoundException", "Key '%s' does not exist", ref)
}

// managedS3Key returns the account's aws/s3 key in region, creating it when needed.
func (c *Cloud) managedS3Key(account, region string) *kmsKey {
	if k := c.keyByARN(c.aliases[aliasRef{account, region, s3ManagedAlias}]); k != nil {
		return k
	}
	return c.addKey(KeySpec{
		AccountID: account, Region: region, Manager: "AWS", Alias: s3ManagedAlias,
		Description: "Default key that protects my S3 objects when no other key is defined",
		Policy:      managedS3KeyPolicy(account, region),
	})
}

func managedS3KeyPolicy(account, region string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Id":"auto-s3-2","Statement":[`+
		`{"Sid":"Allow access through S3 for all principals in the account that are authorized to use S3","Effect":"Allow","Principal":{"AWS":"*"},`+
		`"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:DescribeKey"],"Resource":"*",`+
		`"Condition":{"StringEquals":{"kms:CallerAccount":"%[1]s","kms:ViaService":"s3.%[2]s.amazonaws.com"}}},`+
		`{"Sid":"Allow direct access to key metadata to the account","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::%[1]s:root"},`+
		`"Action":["kms:Describe*","kms:Get*","kms:List*"],"Resource":"*"}]}`, account, region)
}

// DefaultKeyPolicy is the policy KMS gives a key created without one: the account
// decides through its IAM policies.
func DefaultKeyPolicy(account string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow",` +
		`"Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

// kmsContext is the context every KMS request carries.
func kmsContext(callerAccount string, extra map[string][]string) map[string][]string {
	ctx := map[string][]string{"kms:CallerAccount": {callerAccount}}
	maps.Copy(ctx, extra)
	return ctx
}

// authorizeKey checks the caller may make a KMS request on k: the key policy decides.
func (a *Account) authorizeKey(k *kmsKey, action string, extra map[string][]string) error {
	d := a.authorize(action, k.arn, k.account, k.policy, evaluator.KMSKey, kmsContext(a.accountID(), extra))
	if !d.Allowed {
		return accessDenied("AccessDeniedException", "User: %s is not authorized to perform: %s on resource: %s because no resource-based policy allows the %s action",
			a.profile.PrincipalARN, action, k.arn, action)
	}
	return nil
}

// checkRegion refuses a call to a Region the account has not enabled, as its
// endpoint refuses the account's credentials.
func (a *Account) checkRegion(region string) error {
	if !slices.Contains(a.cloud.regions, region) {
		return newFault("UnrecognizedClientException", awsops.KindBadCredentials, "The security token included in the request is invalid for %s", region)
	}
	return nil
}

// key finds a key for a call and checks the caller may make it.
func (a *Account) key(region, ref, action string) (*kmsKey, error) {
	if err := a.checkRegion(region); err != nil {
		return nil, err
	}
	k, err := a.cloud.lookupKey(a.accountID(), region, ref)
	if err != nil {
		return nil, err
	}
	return k, a.authorizeKey(k, action, nil)
}

// ListKeys lists the account's keys in region, in creation order, with all aliases.
func (a *Account) ListKeys(ctx context.Context, region string) ([]awsops.KeyInfo, error) {
	var keys []awsops.KeyInfo
	err := a.do(ctx, "kms:ListKeys", "keys in "+region, func() error {
		if err := a.checkRegion(region); err != nil {
			return err
		}
		for _, k := range a.cloud.keys {
			if k.account == a.accountID() && k.region == region {
				keys = append(keys, k.info(a.cloud.aliasesOf(k)))
			}
		}
		return nil
	})
	return keys, err
}

// DescribeKey accepts a key id, key ARN, alias name or alias ARN. Aliases holds the
// alias it was asked by, if any, as with the SDK-backed Account.
func (a *Account) DescribeKey(ctx context.Context, region, keyID string) (awsops.KeyInfo, error) {
	var info awsops.KeyInfo
	err := a.do(ctx, "kms:DescribeKey", keyID, func() error {
		k, err := a.key(region, keyID, "kms:DescribeKey")
		if err != nil {
			return err
		}
		var asked []string
		if _, alias, found := strings.Cut(keyID, "alias/"); found {
			asked = []string{"alias/" + alias}
		}
		info = k.info(asked)
		return nil
	})
	return info, err
}

func (a *Account) GetKeyPolicy(ctx context.Context, region, keyID string) (string, error) {
	var doc string
	err := a.do(ctx, "kms:GetKeyPolicy", keyID, func() error {
		k, err := a.key(region, keyID, "kms:GetKeyPolicy")
		if err == nil {
			doc = k.policy
		}
		return err
	})
	return doc, err
}

// PutKeyPolicy keeps KMS's lockout safety check: a policy that would not let the
// caller change it again is refused.
func (a *Account) PutKeyPolicy(ctx context.Context, region, keyID, policy string) error {
	return a.do(ctx, "kms:PutKeyPolicy", keyID, func() error {
		k, err := a.key(region, keyID, "kms:PutKeyPolicy")
		if err != nil {
			return err
		}
		if err := a.checkKeyPolicy(k.arn, policy); err != nil {
			return err
		}
		k.policy = policy
		return nil
	})
}

func (a *Account) checkKeyPolicy(arn, policy string) error {
	if err := checkKeyPolicySize(policy); err != nil {
		return err
	}
	if why := a.cloud.policyProblem(policy, keyPolicyKind, ""); why != "" {
		return invalid("MalformedPolicyDocumentException", "%s", why)
	}
	if !a.authorize("kms:PutKeyPolicy", arn, a.accountID(), policy, evaluator.KMSKey, kmsContext(a.accountID(), nil)).Allowed {
		return invalid("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.")
	}
	return nil
}

// CreateKey creates a symmetric encryption key; an empty policy gets KMS's default.
func (a *Account) CreateKey(ctx context.Context, region, description, policy string) (awsops.KeyInfo, error) {
	return a.CreateKeyWithTags(ctx, region, description, policy, nil)
}

// CreateKeyWithTags creates a key with tags, as CreateKey's Tags parameter does.
func (a *Account) CreateKeyWithTags(ctx context.Context, region, description, policy string, tags map[string]string) (awsops.KeyInfo, error) {
	var info awsops.KeyInfo
	err := a.do(ctx, "kms:CreateKey", "a key in "+region, func() error {
		if err := a.checkRegion(region); err != nil {
			return err
		}
		if policy == "" {
			policy = DefaultKeyPolicy(a.accountID())
		}
		// The key's ARN is not known before it exists; the lockout check does not need it.
		if err := a.checkKeyPolicy(keyARN(a.accountID(), region, "new"), policy); err != nil {
			return err
		}
		k := a.cloud.addKey(KeySpec{AccountID: a.accountID(), Region: region, Description: description, Policy: policy, Tags: tags})
		info = k.info(nil)
		return nil
	})
	return info, err
}

// KeyTags reads a key's tags (ListResourceTags).
func (a *Account) KeyTags(ctx context.Context, region, keyID string) (map[string]string, error) {
	var tags map[string]string
	err := a.do(ctx, "kms:ListResourceTags", keyID, func() error {
		k, err := a.key(region, keyID, "kms:ListResourceTags")
		if err == nil {
			tags = maps.Clone(k.tags)
		}
		return err
	})
	if tags == nil && err == nil {
		tags = map[string]string{}
	}
	return tags, err
}

// KeysTagged finds the account's keys in region without an alias that carry the tag.
func (a *Account) KeysTagged(ctx context.Context, region, key, value string) ([]awsops.KeyInfo, error) {
	var keys []awsops.KeyInfo
	err := a.do(ctx, "kms:ListResourceTags", "keys in "+region, func() error {
		if err := a.checkRegion(region); err != nil {
			return err
		}
		for _, k := range a.cloud.keys {
			if k.account == a.accountID() && k.region == region && len(a.cloud.aliasesOf(k)) == 0 && k.tags[key] == value {
				keys = append(keys, k.info(nil))
			}
		}
		return nil
	})
	return keys, err
}

var aliasPattern = regexp.MustCompile(`^alias/[a-zA-Z0-9/_-]{1,250}$`)

// CreateAlias accepts the alias with or without its "alias/" prefix.
func (a *Account) CreateAlias(ctx context.Context, region, alias, keyID string) error {
	if !strings.HasPrefix(alias, "alias/") {
		alias = "alias/" + alias
	}
	return a.do(ctx, "kms:CreateAlias", alias, func() error {
		switch {
		case !aliasPattern.MatchString(alias):
			return invalid("ValidationException", "Alias %s must satisfy the pattern ^[a-zA-Z0-9/_-]+$", alias)
		case strings.HasPrefix(alias, "alias/aws/"):
			return invalid("InvalidAliasNameException", "Alias %s cannot begin with alias/aws/, which is reserved for AWS managed keys", alias)
		case strings.HasPrefix(keyID, "alias/") || strings.Contains(keyID, ":alias/"):
			return invalid("ValidationException", "An alias must point to a key id or key ARN, not to %s", keyID)
		}
		ref := aliasRef{a.accountID(), region, alias}
		if a.cloud.aliases[ref] != "" {
			return conflict("AlreadyExistsException", "An alias with the name arn:aws:kms:%s:%s:%s already exists", region, a.accountID(), alias)
		}
		k, err := a.key(region, keyID, "kms:CreateAlias")
		if err != nil {
			return err
		}
		if k.account != a.accountID() {
			return accessDenied("AccessDeniedException", "An alias can only point to a key of its own account")
		}
		a.cloud.aliases[ref] = k.arn
		return nil
	})
}
