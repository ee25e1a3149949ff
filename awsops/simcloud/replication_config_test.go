package simcloud

import (
	"fmt"
	"strings"
	"testing"

	"github.com/s3repl/s3repl/awsops"
)

const replicationRole = "arn:aws:iam::" + srcAccount + ":role/service-role/replication"

// ruleJSON is a valid V2 rule to dst-bucket; replace patches parts of it.
func ruleJSON(id string, priority int, replace ...string) string {
	rule := fmt.Sprintf(`{"ID":%q,"Priority":%d,"Filter":{"Prefix":""},"Status":"Enabled",`+
		`"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},`+
		`"Destination":{"Bucket":"arn:aws:s3:::dst-bucket","Account":%q,"AccessControlTranslation":{"Owner":"Destination"},`+
		`"EncryptionConfiguration":{"ReplicaKmsKeyID":"arn:aws:kms:eu-west-1:%s:key/any"}},`+
		`"DeleteMarkerReplication":{"Status":"Disabled"}}`, id, priority, dstAccount, dstAccount)
	return strings.NewReplacer(replace...).Replace(rule)
}

func configJSON(rules ...string) string {
	return `{"Role":"` + replicationRole + `","Rules":[` + strings.Join(rules, ",") + `]}`
}

func replicationWorld(t *testing.T) *twoAccounts {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", true)
	w.bucket(w.dst, dstRegion, "dst-bucket", true)
	return w
}

func TestReplicationConfigurationRoundTrip(t *testing.T) {
	w := replicationWorld(t)
	config := configJSON(ruleJSON("one", 1), ruleJSON("two", 2, `"Filter":{"Prefix":""}`, `"Filter":{"And":{"Prefix":"logs/","Tags":[{"Key":"k","Value":"v"}]}}`))
	w.must(w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", config))
	got, err := w.src.GetBucketReplication(ctx, srcRegion, "src-bucket")
	w.must(err)
	sameJSON(t, got, config)
}

// The SDK-backed Account writes what S3 returns through a map: members come sorted.
func TestReplicationConfigurationMembersSortedAsTheSDKAccountGivesThem(t *testing.T) {
	w := replicationWorld(t)
	w.must(w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", configJSON(ruleJSON("one", 1))))
	got, err := w.src.GetBucketReplication(ctx, srcRegion, "src-bucket")
	w.must(err)
	want := `{"Role":"` + replicationRole + `","Rules":[{"DeleteMarkerReplication":{"Status":"Disabled"},` +
		`"Destination":{"AccessControlTranslation":{"Owner":"Destination"},"Account":"` + dstAccount + `","Bucket":"arn:aws:s3:::dst-bucket",` +
		`"EncryptionConfiguration":{"ReplicaKmsKeyID":"arn:aws:kms:eu-west-1:` + dstAccount + `:key/any"}},` +
		`"Filter":{"Prefix":""},"ID":"one","Priority":1,"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},"Status":"Enabled"}]}`
	if got != want {
		t.Errorf("configuration\n got %s\nwant %s", got, want)
	}
}

func TestReplicationConfigurationGetsRuleIDs(t *testing.T) {
	w := replicationWorld(t)
	w.must(w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", configJSON(ruleJSON("", 1))))
	got, err := w.src.GetBucketReplication(ctx, srcRegion, "src-bucket")
	w.must(err)
	if strings.Contains(got, `"ID":""`) || !strings.Contains(got, `"ID":"`) {
		t.Errorf("a rule without ID should get one: %s", got)
	}
}

func TestReplicationOnUnversionedSource(t *testing.T) {
	w := newTwoAccounts(t)
	w.bucket(w.src, srcRegion, "src-bucket", false)
	w.bucket(w.dst, dstRegion, "dst-bucket", true)
	err := w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", configJSON(ruleJSON("one", 1)))
	wantErr(t, err, awsops.KindInvalidRequest, "InvalidRequest")
	if !strings.Contains(awsops.Advice(err), "Versioning must be 'Enabled'") {
		t.Errorf("advice %q does not pass on S3's message", awsops.Advice(err))
	}
}

func TestReplicationConfigurationRefusals(t *testing.T) {
	w := replicationWorld(t)
	w.bucket(w.dst, dstRegion, "unversioned-bucket", false)
	v1Rule := `{"ID":"v1","Prefix":"a/","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::dst-bucket"}}`
	cases := []struct {
		name, config, code string
	}{
		{"not JSON", `<ReplicationConfiguration/>`, "MalformedXML"},
		{"unknown member", configJSON(ruleJSON("one", 1, `"Status"`, `"Statsu"`)), "MalformedXML"},
		{"no role", strings.Replace(configJSON(ruleJSON("one", 1)), replicationRole, "", 1), "MalformedXML"},
		{"no rules", configJSON(), "MalformedXML"},
		{"role is no role ARN", strings.Replace(configJSON(ruleJSON("one", 1)), ":role/", ":user/", 1), "InvalidArgument"},
		{"status", configJSON(ruleJSON("one", 1, `"Status":"Enabled"`, `"Status":"On"`)), "MalformedXML"},
		{"no priority", configJSON(ruleJSON("one", 1, `"Priority":1,`, ``)), "InvalidRequest"},
		{"no DeleteMarkerReplication", configJSON(ruleJSON("one", 1, `,"DeleteMarkerReplication":{"Status":"Disabled"}`, ``)), "InvalidRequest"},
		{"delete markers with a tag filter", configJSON(ruleJSON("one", 1,
			`"Filter":{"Prefix":""}`, `"Filter":{"Tag":{"Key":"k","Value":"v"}}`,
			`"DeleteMarkerReplication":{"Status":"Disabled"}`, `"DeleteMarkerReplication":{"Status":"Enabled"}`)), "InvalidRequest"},
		{"two filters", configJSON(ruleJSON("one", 1, `"Filter":{"Prefix":""}`, `"Filter":{"Prefix":"","Tag":{"Key":"k","Value":"v"}}`)), "MalformedXML"},
		{"duplicate priorities", configJSON(ruleJSON("one", 1), ruleJSON("two", 1)), "InvalidRequest"},
		{"duplicate IDs", configJSON(ruleJSON("one", 1), ruleJSON("one", 2)), "InvalidArgument"},
		{"V1 and V2 mixed", configJSON(ruleJSON("one", 1), v1Rule), "InvalidRequest"},
		{"missing destination bucket", configJSON(ruleJSON("one", 1, "dst-bucket", "no-such-bucket")), "InvalidRequest"},
		{"unversioned destination", configJSON(ruleJSON("one", 1, "dst-bucket", "unversioned-bucket")), "InvalidRequest"},
		{"destination is the source", configJSON(ruleJSON("one", 1, "dst-bucket", "src-bucket")), "InvalidRequest"},
		{"destination is no bucket ARN", configJSON(ruleJSON("one", 1, "arn:aws:s3:::dst-bucket", "dst-bucket")), "InvalidArgument"},
		{"destination of no partition", configJSON(ruleJSON("one", 1, "arn:aws:s3:::dst-bucket", "arn:azure:s3:::dst-bucket")), "InvalidArgument"},
		{"SSE-KMS objects without replica key", configJSON(ruleJSON("one", 1, `,"EncryptionConfiguration":{"ReplicaKmsKeyID":"arn:aws:kms:eu-west-1:444455556666:key/any"}`, ``)), "InvalidRequest"},
		{"replica key without SSE-KMS objects", configJSON(ruleJSON("one", 1, `"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},`, ``)), "InvalidRequest"},
		{"owner override without account", configJSON(ruleJSON("one", 1, `"Account":"444455556666",`, ``)), "InvalidRequest"},
		{"storage class", configJSON(ruleJSON("one", 1, `"Account"`, `"StorageClass":"CHEAP","Account"`)), "MalformedXML"},
		{"metrics with an event threshold without RTC", configJSON(ruleJSON("one", 1, `"Account"`, `"Metrics":{"Status":"Enabled","EventThreshold":{"Minutes":15}},"Account"`)), "InvalidArgument"},
		{"metrics with an event threshold and RTC disabled", configJSON(ruleJSON("one", 1, `"Account"`, `"ReplicationTime":{"Status":"Disabled","Time":{"Minutes":15}},"Metrics":{"Status":"Enabled","EventThreshold":{"Minutes":15}},"Account"`)), "InvalidArgument"},
		{"RTC without metrics", configJSON(ruleJSON("one", 1, `"Account"`, `"ReplicationTime":{"Status":"Enabled","Time":{"Minutes":15}},"Account"`)), "InvalidRequest"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", c.config)
			wantErr(t, err, awsops.KindInvalidRequest, c.code)
		})
	}
	if got, _ := w.src.GetBucketReplication(ctx, srcRegion, "src-bucket"); got != "" {
		t.Errorf("a refused configuration was stored: %s", got)
	}
}

// TestMetricsWithoutRTC: metrics alone are {Status: Enabled}, which S3 accepts; the
// refusal of a threshold says what S3 says.
func TestMetricsWithoutRTC(t *testing.T) {
	w := replicationWorld(t)
	w.must(w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", configJSON(ruleJSON("one", 1, `"Account"`, `"Metrics":{"Status":"Enabled"},"Account"`))))
	err := w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", configJSON(ruleJSON("one", 1, `"Account"`, `"Metrics":{"Status":"Enabled","EventThreshold":{"Minutes":15}},"Account"`)))
	if !strings.Contains(awsops.Advice(err), "Metrics cannot contain an event threshold when ReplicationTime is not specified or Disabled") {
		t.Errorf("advice %q does not pass on S3's message", awsops.Advice(err))
	}
}

// TestReplicationConfigurationsS3Accepts: RTC switched off stands without metrics
// (only an enabled RTC needs them) and the role and bucket ARNs of every partition
// are accepted.
func TestReplicationConfigurationsS3Accepts(t *testing.T) {
	w := replicationWorld(t)
	for name, config := range map[string]string{
		"RTC disabled without metrics": configJSON(ruleJSON("one", 1, `"Account"`, `"ReplicationTime":{"Status":"Disabled","Time":{"Minutes":15}},"Account"`)),
		"aws-cn ARNs":                  strings.ReplaceAll(configJSON(ruleJSON("one", 1)), "arn:aws:", "arn:aws-cn:"),
		"aws-us-gov ARNs":              strings.ReplaceAll(configJSON(ruleJSON("one", 1)), "arn:aws:", "arn:aws-us-gov:"),
		"aws-eusc ARNs":                strings.ReplaceAll(configJSON(ruleJSON("one", 1)), "arn:aws:", "arn:aws-eusc:"),
	} {
		if err := w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", config); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestReplicationConfigurationV1(t *testing.T) {
	w := replicationWorld(t)
	config := `{"Role":"` + replicationRole + `","Rules":[{"ID":"v1","Prefix":"a/","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::dst-bucket"}}]}`
	w.must(w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", config))
}

func TestReplicationIgnoresRoleAndKey(t *testing.T) {
	w := replicationWorld(t)
	config := strings.Replace(configJSON(ruleJSON("one", 1)), "service-role/replication", "nobody", 1)
	if err := w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", config); err != nil {
		t.Fatalf("S3 checks neither the role nor the replica key at PutBucketReplication: %v", err)
	}
}

func TestVersioningCannotBeSuspendedUnderReplication(t *testing.T) {
	w := replicationWorld(t)
	w.must(w.src.PutBucketReplication(ctx, srcRegion, "src-bucket", configJSON(ruleJSON("one", 1))))
	wantErr(t, w.cloud.SetBucketVersioning("src-bucket", "Suspended"), awsops.KindInvalidRequest, "InvalidBucketState")
	w.must(w.cloud.SetBucketVersioning("dst-bucket", "Suspended"))
}

func TestReplicationOnAMissingBucket(t *testing.T) {
	w := replicationWorld(t)
	err := w.src.PutBucketReplication(ctx, srcRegion, "no-such-bucket", configJSON(ruleJSON("one", 1)))
	wantErr(t, err, awsops.KindNotFound, "NoSuchBucket")
	_, err = w.src.GetBucketReplication(ctx, srcRegion, "no-such-bucket")
	wantErr(t, err, awsops.KindNotFound, "NoSuchBucket")
}
