package awsops_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/mototest"
)

func TestMain(m *testing.M) { mototest.Main(m) }

// side is one of the two moto accounts.
type side struct {
	profile, account, region string
}

var (
	source      = side{mototest.SourceProfile, mototest.SourceAccount, mototest.SourceRegion}
	destination = side{mototest.DestProfile, mototest.DestAccount, mototest.DestRegion}
	bothSides   = []side{source, destination}
)

func open(t *testing.T, profile string) awsops.Account {
	t.Helper()
	mototest.Start(t)
	acc, err := awsops.Open(t.Context(), profile)
	if err != nil {
		t.Fatalf("Open(%q): %v", profile, err)
	}
	return acc
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func get[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		must(t, err)
		return v
	}
}

func sameJSON(t *testing.T, want, got string) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is no JSON: %v", err)
	}
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		t.Fatalf("got is no JSON: %v\n%s", err, got)
	}
	if !reflect.DeepEqual(w, g) {
		t.Errorf("documents differ\nwant %s\n got %s", want, got)
	}
}

func TestIdentityGivesEachProfileItsAccount(t *testing.T) {
	t.Parallel()
	for _, s := range bothSides {
		id := get[awsops.Identity](t)(open(t, s.profile).Identity(t.Context()))
		if id.AccountID != s.account {
			t.Errorf("%s: account %s, want %s", s.profile, id.AccountID, s.account)
		}
	}
}

// The dst profile assumes its role through STS at AWS_ENDPOINT_URL although the SDK
// hands only AWS_ENDPOINT_URL_STS to that step: Open passes the endpoint on.
func TestAssumeRoleUsesTheGeneralEndpoint(t *testing.T) {
	t.Parallel()
	if os.Getenv("AWS_ENDPOINT_URL_STS") != "" || os.Getenv("AWS_ENDPOINT_URL") == "" {
		t.Fatal("the harness must set AWS_ENDPOINT_URL and not AWS_ENDPOINT_URL_STS")
	}
	id := get[awsops.Identity](t)(open(t, mototest.DestProfile).Identity(t.Context()))
	if !strings.Contains(id.ARN, ":assumed-role/s3repl-test-admin/") {
		t.Errorf("ARN %s is not the assumed role", id.ARN)
	}
}

// A profile's endpoint_url reaches the assume-role step too. Not parallel: it swaps
// the environment of the process.
func TestAssumeRoleUsesTheProfileEndpoint(t *testing.T) {
	server := mototest.Start(t)
	config := filepath.Join(t.TempDir(), "config")
	must(t, os.WriteFile(config, []byte(`[profile ep-src]
aws_access_key_id = AKIAS3REPLTESTENDPNT
aws_secret_access_key = not-a-real-secret
region = us-east-1
endpoint_url = `+server.Endpoint+`

[profile ep-dst]
role_arn = arn:aws:iam::333333333333:role/endpoint-test
source_profile = ep-src
region = eu-west-1
endpoint_url = `+server.Endpoint+`
`), 0o600))
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_ENDPOINT_URL", "")
	must(t, os.Unsetenv("AWS_ENDPOINT_URL"))

	id := get[awsops.Identity](t)(open(t, "ep-dst").Identity(t.Context()))
	if id.AccountID != "333333333333" {
		t.Errorf("account %s, want 333333333333", id.AccountID)
	}
}

func TestBucketRegionFromEitherAccountAndRegion(t *testing.T) {
	t.Parallel()
	buckets := map[string]side{}
	for _, s := range bothSides {
		bucket := mototest.UniqueName("region")
		must(t, open(t, s.profile).CreateBucket(t.Context(), s.region, bucket))
		buckets[bucket] = s
	}
	for _, asker := range bothSides {
		acc := open(t, asker.profile)
		for bucket, owner := range buckets {
			region := get[string](t)(acc.BucketRegion(t.Context(), bucket))
			if region != owner.region {
				t.Errorf("%s asks for %s: Region %q, want %q", asker.profile, bucket, region, owner.region)
			}
		}
	}
}

// A bucket of another account: GetBucketLocation is denied, HeadBucket is denied too
// but names the Region. Not parallel: it points the endpoint at a fake S3.
func TestBucketRegionFromHeadBucketWhenLocationIsDenied(t *testing.T) {
	calls := map[string]int{}
	fakeS3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && r.URL.Query().Has("location"):
			calls["GetBucketLocation"]++
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`)
		case r.Method == http.MethodHead:
			calls["HeadBucket"]++
			w.Header().Set("X-Amz-Bucket-Region", "ap-southeast-2")
			w.WriteHeader(http.StatusForbidden)
		default:
			t.Errorf("unexpected %s %s", r.Method, r.URL)
		}
	}))
	defer fakeS3.Close()
	t.Setenv("AWS_ENDPOINT_URL", fakeS3.URL)

	acc, err := awsops.Open(t.Context(), mototest.SourceProfile)
	must(t, err)
	region := get[string](t)(acc.BucketRegion(t.Context(), "their-bucket"))
	if region != "ap-southeast-2" || calls["GetBucketLocation"] != 1 || calls["HeadBucket"] != 1 {
		t.Errorf("Region %q after calls %v", region, calls)
	}
}

func TestListBucketsShowsOnlyTheAccountsBuckets(t *testing.T) {
	t.Parallel()
	src, dst := open(t, source.profile), open(t, destination.profile)
	srcBucket, dstBucket := mototest.UniqueName("list"), mototest.UniqueName("list")
	must(t, src.CreateBucket(t.Context(), source.region, srcBucket))
	must(t, dst.CreateBucket(t.Context(), destination.region, dstBucket))

	srcList := get[[]awsops.BucketSummary](t)(src.ListBuckets(t.Context()))
	dstList := get[[]awsops.BucketSummary](t)(dst.ListBuckets(t.Context()))
	if !slices.Contains(srcList, awsops.BucketSummary{Name: srcBucket, Region: source.region}) {
		t.Errorf("source list %v lacks %s", srcList, srcBucket)
	}
	if !slices.Contains(dstList, awsops.BucketSummary{Name: dstBucket, Region: destination.region}) {
		t.Errorf("destination list %v lacks %s", dstList, dstBucket)
	}
	for _, b := range dstList {
		if b.Name == srcBucket {
			t.Errorf("the destination account lists the source bucket %s", srcBucket)
		}
	}
}

func TestBucketSettingsAbsentThenSet(t *testing.T) {
	t.Parallel()
	for _, s := range bothSides {
		t.Run(s.profile, func(t *testing.T) {
			t.Parallel()
			acc, ctx, bucket := open(t, s.profile), t.Context(), mototest.UniqueName("settings")
			must(t, acc.CreateBucket(ctx, s.region, bucket))

			if v := get[string](t)(acc.GetBucketVersioning(ctx, s.region, bucket)); v != "" {
				t.Errorf("versioning of a new bucket: %q", v)
			}
			if p := get[string](t)(acc.GetBucketPolicy(ctx, s.region, bucket)); p != "" {
				t.Errorf("policy of a new bucket: %q", p)
			}
			if r := get[string](t)(acc.GetBucketReplication(ctx, s.region, bucket)); r != "" {
				t.Errorf("replication of a new bucket: %q", r)
			}
			if o := get[string](t)(acc.GetBucketOwnership(ctx, s.region, bucket)); o != "BucketOwnerEnforced" {
				t.Errorf("a new bucket enforces bucket-owner ownership, as on AWS: %q", o)
			}
			if l := get[bool](t)(acc.GetObjectLockEnabled(ctx, s.region, bucket)); l {
				t.Error("object lock on for a new bucket")
			}
			if e := get[awsops.Encryption](t)(acc.GetBucketEncryption(ctx, s.region, bucket)); e.Algorithm == "aws:kms" {
				t.Errorf("a new bucket has SSE-KMS: %+v", e)
			}

			must(t, acc.PutBucketVersioning(ctx, s.region, bucket))
			if v := get[string](t)(acc.GetBucketVersioning(ctx, s.region, bucket)); v != "Enabled" {
				t.Errorf("versioning %q after PutBucketVersioning", v)
			}

			keyARN := "arn:aws:kms:" + s.region + ":" + s.account + ":key/0b0a1ab2-0000-4000-8000-000000000001"
			enc := awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: keyARN, BucketKey: true}
			must(t, acc.PutBucketEncryption(ctx, s.region, bucket, enc))
			if got := get[awsops.Encryption](t)(acc.GetBucketEncryption(ctx, s.region, bucket)); got != enc {
				t.Errorf("encryption %+v, want %+v", got, enc)
			}

			policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Replicate","Effect":"Allow",` +
				`"Principal":{"AWS":"arn:aws:iam::123456789012:role/r"},"Action":["s3:ReplicateObject","s3:ReplicateDelete"],` +
				`"Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
			must(t, acc.PutBucketPolicy(ctx, s.region, bucket, policy))
			sameJSON(t, policy, get[string](t)(acc.GetBucketPolicy(ctx, s.region, bucket)))
		})
	}
}

const replicationJSON = `{
  "Role": "arn:aws:iam::123456789012:role/service-role/s3-replication",
  "Rules": [
    {
      "ID": "to-backup",
      "Priority": 1,
      "Filter": {"And": {"Prefix": "logs/", "Tags": [{"Key": "replicate", "Value": "yes"}]}},
      "Status": "Enabled",
      "SourceSelectionCriteria": {
        "SseKmsEncryptedObjects": {"Status": "Enabled"},
        "ReplicaModifications": {"Status": "Enabled"}
      },
      "Destination": {
        "Bucket": "arn:aws:s3:::DEST",
        "Account": "222222222222",
        "StorageClass": "STANDARD_IA",
        "EncryptionConfiguration": {"ReplicaKmsKeyID": "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
        "AccessControlTranslation": {"Owner": "Destination"},
        "ReplicationTime": {"Status": "Enabled", "Time": {"Minutes": 15}},
        "Metrics": {"Status": "Enabled", "EventThreshold": {"Minutes": 15}}
      },
      "DeleteMarkerReplication": {"Status": "Disabled"}
    },
    {
      "ID": "whole-bucket",
      "Priority": 2,
      "Filter": {"Prefix": ""},
      "Status": "Disabled",
      "Destination": {"Bucket": "arn:aws:s3:::DEST"},
      "DeleteMarkerReplication": {"Status": "Enabled"}
    }
  ]
}`

func TestReplicationConfigurationRoundTrip(t *testing.T) {
	t.Parallel()
	src, dst, ctx := open(t, source.profile), open(t, destination.profile), t.Context()
	srcBucket, dstBucket := mototest.UniqueName("repl-src"), mototest.UniqueName("repl-dst")
	must(t, src.CreateBucket(ctx, source.region, srcBucket))
	must(t, src.PutBucketVersioning(ctx, source.region, srcBucket))
	must(t, dst.CreateBucket(ctx, destination.region, dstBucket))
	must(t, dst.PutBucketVersioning(ctx, destination.region, dstBucket))

	config := strings.ReplaceAll(replicationJSON, "DEST", dstBucket)
	must(t, src.PutBucketReplication(ctx, source.region, srcBucket, config))
	sameJSON(t, config, get[string](t)(src.GetBucketReplication(ctx, source.region, srcBucket)))
}

func TestKeysInBothAccounts(t *testing.T) {
	t.Parallel()
	for _, s := range bothSides {
		t.Run(s.profile, func(t *testing.T) {
			t.Parallel()
			acc, ctx := open(t, s.profile), t.Context()
			policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Owner","Effect":"Allow",` +
				`"Principal":{"AWS":"arn:aws:iam::` + s.account + `:root"},"Action":"kms:*","Resource":"*"}]}`
			key := get[awsops.KeyInfo](t)(acc.CreateKey(ctx, s.region, "s3repl test key", policy))
			want := awsops.KeyInfo{
				KeyID: key.KeyID, ARN: "arn:aws:kms:" + s.region + ":" + s.account + ":key/" + key.KeyID,
				Region: s.region, AccountID: s.account, State: "Enabled", Spec: "SYMMETRIC_DEFAULT",
				Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER", Description: "s3repl test key",
			}
			if !reflect.DeepEqual(key, want) {
				t.Errorf("CreateKey gave %+v\nwant %+v", key, want)
			}

			alias := "alias/" + mototest.UniqueName("replica")
			must(t, acc.CreateAlias(ctx, s.region, alias, key.KeyID))
			byAlias := get[awsops.KeyInfo](t)(acc.DescribeKey(ctx, s.region, alias))
			want.Aliases = []string{alias}
			if !reflect.DeepEqual(byAlias, want) {
				t.Errorf("DescribeKey(alias) gave %+v\nwant %+v", byAlias, want)
			}

			listed := get[[]awsops.KeyInfo](t)(acc.ListKeys(ctx, s.region))
			i := slices.IndexFunc(listed, func(k awsops.KeyInfo) bool { return k.KeyID == key.KeyID })
			if i < 0 || !reflect.DeepEqual(listed[i], want) {
				t.Errorf("ListKeys lacks %+v: %+v", want, listed)
			}

			sameJSON(t, policy, get[string](t)(acc.GetKeyPolicy(ctx, s.region, key.ARN)))
			updated := strings.Replace(policy, `"Sid":"Owner"`, `"Sid":"AccountOwner"`, 1)
			must(t, acc.PutKeyPolicy(ctx, s.region, key.KeyID, updated))
			sameJSON(t, updated, get[string](t)(acc.GetKeyPolicy(ctx, s.region, key.KeyID)))
		})
	}
}

func TestRolesWithDecodedPolicies(t *testing.T) {
	t.Parallel()
	for _, s := range bothSides {
		t.Run(s.profile, func(t *testing.T) {
			t.Parallel()
			acc, ctx, name := open(t, s.profile), t.Context(), mototest.UniqueName("role")
			trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},` +
				`"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"` + s.account + `"}}}]}`
			role := get[awsops.Role](t)(acc.CreateRole(ctx, name, trust, "s3repl test role"))
			if role.ARN != "arn:aws:iam::"+s.account+":role/"+name || role.Name != name || role.Path != "/" {
				t.Errorf("CreateRole gave %+v", role)
			}
			sameJSON(t, trust, role.TrustPolicy)
			got := get[awsops.Role](t)(acc.GetRole(ctx, name))
			if got.ARN != role.ARN {
				t.Errorf("GetRole ARN %s, want %s", got.ARN, role.ARN)
			}
			sameJSON(t, trust, got.TrustPolicy)

			updatedTrust := strings.Replace(trust, `"Effect"`, `"Sid":"S3 replication + more","Effect"`, 1)
			must(t, acc.UpdateAssumeRolePolicy(ctx, name, updatedTrust))
			sameJSON(t, updatedTrust, get[awsops.Role](t)(acc.GetRole(ctx, name)).TrustPolicy)

			if names := get[[]string](t)(acc.ListRolePolicies(ctx, name)); len(names) != 0 {
				t.Errorf("a new role has inline policies %v", names)
			}
			policy := `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow",` +
				`"Action":["s3:GetReplicationConfiguration","s3:ListBucket"],"Resource":"arn:aws:s3:::a b+c"}]}`
			must(t, acc.PutRolePolicy(ctx, name, "replication", policy))
			if names := get[[]string](t)(acc.ListRolePolicies(ctx, name)); !slices.Equal(names, []string{"replication"}) {
				t.Errorf("inline policies %v, want [replication]", names)
			}
			sameJSON(t, policy, get[string](t)(acc.GetRolePolicy(ctx, name, "replication")))
		})
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	src, dst, ctx := open(t, source.profile), open(t, destination.profile), t.Context()
	taken := mototest.UniqueName("taken")
	must(t, src.CreateBucket(ctx, source.region, taken))
	missingBucket := mototest.UniqueName("missing")
	role := mototest.UniqueName("role")
	_, err := src.CreateRole(ctx, role, `{"Version":"2012-10-17","Statement":[]}`, "")
	must(t, err)

	cases := []struct {
		name     string
		call     func() error
		kind     awsops.Kind
		op       string
		resource string
	}{
		{"missing bucket", func() error { _, err := dst.GetBucketPolicy(ctx, destination.region, missingBucket); return err },
			awsops.KindNotFound, "s3:GetBucketPolicy", missingBucket},
		{"missing bucket's Region", func() error { _, err := src.BucketRegion(ctx, missingBucket); return err },
			awsops.KindNotFound, "s3:GetBucketLocation", missingBucket},
		{"missing key", func() error {
			_, err := dst.DescribeKey(ctx, destination.region, "alias/s3repl-no-such-key")
			return err
		}, awsops.KindNotFound, "kms:DescribeKey", "alias/s3repl-no-such-key"},
		{"missing role", func() error { _, err := dst.GetRole(ctx, "s3repl-no-such-role"); return err },
			awsops.KindNotFound, "iam:GetRole", "s3repl-no-such-role"},
		{"missing role policy", func() error { _, err := src.GetRolePolicy(ctx, role, "nothing"); return err },
			awsops.KindNotFound, "iam:GetRolePolicy", role + "/nothing"},
		{"role in the other account", func() error { _, err := dst.GetRole(ctx, role); return err },
			awsops.KindNotFound, "iam:GetRole", role},
		{"bucket name taken", func() error { return dst.CreateBucket(ctx, destination.region, taken) },
			awsops.KindConflict, "s3:CreateBucket", taken},
		{"role exists", func() error {
			_, err := src.CreateRole(ctx, role, `{"Version":"2012-10-17","Statement":[]}`, "")
			return err
		}, awsops.KindConflict, "iam:CreateRole", role},
		{"malformed role policy", func() error { return src.PutRolePolicy(ctx, role, "bad", `{"Statement":`) },
			awsops.KindInvalidRequest, "iam:PutRolePolicy", role + "/bad"},
		{"malformed replication configuration", func() error {
			return src.PutBucketReplication(ctx, source.region, taken, `{"Role":"r","Rules":[{"Bogus":1}]}`)
		}, awsops.KindInvalidRequest, "s3:PutReplicationConfiguration", taken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.call()
			var op *awsops.OpError
			if !errorsAs(err, &op) {
				t.Fatalf("error %v is no *OpError", err)
			}
			if op.Kind != c.kind || op.Op != c.op || op.Resource != c.resource {
				t.Errorf("got kind %v, op %s, resource %s; want %v, %s, %s\n%v", op.Kind, op.Op, op.Resource, c.kind, c.op, c.resource, err)
			}
			if awsops.Advice(err) == "" {
				t.Errorf("no advice for %v", err)
			}
		})
	}
}

func TestProfileProblems(t *testing.T) {
	t.Parallel()
	mototest.Start(t)
	_, err := awsops.Open(t.Context(), "s3repl-no-such-profile")
	wantKind(t, err, awsops.KindProfileNotFound, "s3repl-no-such-profile")

	_, err = awsops.Open(t.Context(), mototest.MissingSourceProfile)
	wantKind(t, err, awsops.KindProfileNotFound, mototest.MissingSourceProfile)
	if advice := awsops.Advice(err); !strings.Contains(advice, "[profile no-such-profile]") {
		t.Errorf("advice %q does not name the missing source profile", advice)
	}

	_, err = open(t, mototest.ExpiredSSOProfile).Identity(t.Context())
	wantKind(t, err, awsops.KindExpiredSSO, mototest.ExpiredSSOProfile)
	if advice := awsops.Advice(err); !strings.Contains(advice, "aws sso login --profile "+mototest.ExpiredSSOProfile) {
		t.Errorf("advice %q", advice)
	}

	_, err = open(t, mototest.NoCredentialsProfile).ListBuckets(t.Context())
	wantKind(t, err, awsops.KindNoCredentials, mototest.NoCredentialsProfile)
}

func wantKind(t *testing.T, err error, kind awsops.Kind, profile string) {
	t.Helper()
	var op *awsops.OpError
	if !errorsAs(err, &op) {
		t.Fatalf("error %v is no *OpError", err)
	}
	if op.Kind != kind || op.Profile != profile {
		t.Errorf("kind %v of profile %q, want %v of %q: %v", op.Kind, op.Profile, kind, profile, err)
	}
}

func TestAPICallsCountsEveryCall(t *testing.T) {
	t.Parallel()
	src, ctx := open(t, source.profile), t.Context()
	if n := src.APICalls(); n != 0 {
		t.Fatalf("%d calls before any", n)
	}
	bucket := mototest.UniqueName("count")
	must(t, src.CreateBucket(ctx, source.region, bucket))
	_, _ = src.GetBucketPolicy(ctx, source.region, bucket)
	_, _ = src.GetBucketPolicy(ctx, source.region, mototest.UniqueName("missing"))
	_, _ = src.Identity(ctx)
	if n := src.APICalls(); n != 4 {
		t.Errorf("%d calls counted, want 4", n)
	}

	// The destination's first call needs the role's credentials: AssumeRole counts.
	dst := open(t, destination.profile)
	_, _ = dst.Identity(ctx)
	_, _ = dst.Identity(ctx)
	if n := dst.APICalls(); n != 3 {
		t.Errorf("%d calls counted, want 3 (AssumeRole once, GetCallerIdentity twice)", n)
	}
}

// TestRolePermissionsBoundary: GetRole names a role's permissions boundary and
// ManagedPolicy reads its document, for the doctor's boundary check.
func TestRolePermissionsBoundary(t *testing.T) {
	t.Parallel()
	acc, ctx := open(t, source.profile), t.Context()
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(source.profile))
	must(t, err)
	raw := iam.NewFromConfig(cfg)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","kms:Decrypt"],"Resource":"*"}]}`
	created, err := raw.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(mototest.UniqueName("boundary")), PolicyDocument: aws.String(doc)})
	must(t, err)
	boundary := aws.ToString(created.Policy.Arn)
	name := mototest.UniqueName("bounded")
	_, err = raw.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name), PermissionsBoundary: aws.String(boundary),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	must(t, err)

	role := get[awsops.Role](t)(acc.GetRole(ctx, name))
	if role.PermissionsBoundary != boundary {
		t.Fatalf("PermissionsBoundary = %q, want %q", role.PermissionsBoundary, boundary)
	}
	sameJSON(t, doc, get[string](t)(acc.ManagedPolicy(ctx, boundary)))
	if plain := get[awsops.Role](t)(acc.CreateRole(ctx, mototest.UniqueName("plain"), role.TrustPolicy, "")); plain.PermissionsBoundary != "" {
		t.Fatalf("a role without a boundary names %q", plain.PermissionsBoundary)
	}
	_, err = acc.ManagedPolicy(ctx, "arn:aws:iam::"+source.account+":policy/no-such-policy")
	wantKind(t, err, awsops.KindNotFound, source.profile)
}

// A profile naming an sso_session with no section of that name fails to load; the
// advice gives the section to add. Not parallel: it swaps the config file.
func TestProfileWithoutItsSSOSessionSection(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config")
	must(t, os.WriteFile(config, []byte("[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = us-east-1\n"), 0o600))
	t.Setenv("AWS_CONFIG_FILE", config)

	_, err := awsops.Open(t.Context(), "dev")
	wantKind(t, err, awsops.KindBadProfile, "dev")
	want := "add a section [sso-session corp] to " + config
	if advice := awsops.Advice(err); !strings.Contains(advice, want) || !strings.Contains(advice, "sso_start_url") {
		t.Errorf("advice %q, want it to contain %q and the settings", advice, want)
	}
}
