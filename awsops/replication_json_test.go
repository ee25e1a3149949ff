package awsops

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestReplicationJSONRoundTrip(t *testing.T) {
	docs := map[string]string{
		"V2 with everything": `{"Role":"arn:aws:iam::111111111111:role/service-role/repl","Rules":[{
			"ID":"to-backup","Priority":3,"Status":"Enabled",
			"Filter":{"And":{"Prefix":"logs/","Tags":[{"Key":"a","Value":""},{"Key":"b","Value":"2"}]}},
			"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"},"ReplicaModifications":{"Status":"Disabled"}},
			"Destination":{"Bucket":"arn:aws:s3:::dst","Account":"222222222222","StorageClass":"GLACIER_IR",
				"EncryptionConfiguration":{"ReplicaKmsKeyID":"arn:aws:kms:eu-west-1:222222222222:key/k"},
				"AccessControlTranslation":{"Owner":"Destination"},
				"ReplicationTime":{"Status":"Enabled","Time":{"Minutes":15}},
				"Metrics":{"Status":"Enabled","EventThreshold":{"Minutes":15}}},
			"DeleteMarkerReplication":{"Status":"Disabled"},
			"ExistingObjectReplication":{"Status":"Enabled"}}]}`,
		"V2 tag and empty filters": `{"Role":"r","Rules":[
			{"ID":"tag","Priority":1,"Status":"Enabled","Filter":{"Tag":{"Key":"k","Value":"v"}},"Destination":{"Bucket":"arn:aws:s3:::d"},"DeleteMarkerReplication":{"Status":"Disabled"}},
			{"ID":"all","Priority":2,"Status":"Enabled","Filter":{"Prefix":""},"Destination":{"Bucket":"arn:aws:s3:::d"},"DeleteMarkerReplication":{"Status":"Enabled"}},
			{"ID":"empty","Priority":0,"Status":"Enabled","Filter":{},"Destination":{"Bucket":"arn:aws:s3:::d"},"DeleteMarkerReplication":{"Status":"Enabled"}}]}`,
		"V1 prefix rules": `{"Role":"r","Rules":[
			{"ID":"","Prefix":"","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::d"}},
			{"Prefix":"docs/","Status":"Disabled","Destination":{"Bucket":"arn:aws:s3:::d","StorageClass":"STANDARD"}}]}`,
	}
	for name, doc := range docs {
		t.Run(name, func(t *testing.T) {
			config, err := replicationFromJSON(doc)
			if err != nil {
				t.Fatal(err)
			}
			back, err := replicationToJSON(config)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			_ = json.Unmarshal([]byte(doc), &want)
			if err := json.Unmarshal([]byte(back), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(want, got) {
				t.Errorf("round trip changed the document\nwant %s\n got %s", doc, back)
			}
		})
	}
}

func TestReplicationFromJSONFillsSDKTypes(t *testing.T) {
	config, err := replicationFromJSON(`{"Role":"r","Rules":[{"ID":"x","Priority":2,"Status":"Enabled",
		"Filter":{"Prefix":"p/"},"Destination":{"Bucket":"arn:aws:s3:::d","EncryptionConfiguration":{"ReplicaKmsKeyID":"k"}},
		"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}}}]}`)
	if err != nil {
		t.Fatal(err)
	}
	rule := config.Rules[0]
	if aws.ToInt32(rule.Priority) != 2 || rule.Status != types.ReplicationRuleStatusEnabled ||
		aws.ToString(rule.Filter.Prefix) != "p/" ||
		aws.ToString(rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID) != "k" ||
		rule.SourceSelectionCriteria.SseKmsEncryptedObjects.Status != types.SseKmsEncryptedObjectsStatusEnabled {
		t.Errorf("read %+v", rule)
	}
}

func TestReplicationFromJSONRefusesUnknownMembers(t *testing.T) {
	for _, doc := range []string{`{"Role":"r","Rules":[{"Destination":{"Bukket":"x"}}]}`, `{"Role":`, `[]`} {
		_, err := replicationFromJSON(doc)
		if kindOfSDKError(err) != KindInvalidRequest {
			t.Errorf("%s: error %v, want an invalid request", doc, err)
		}
	}
}
