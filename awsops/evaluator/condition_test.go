package evaluator

import (
	"encoding/json"
	"strings"
	"testing"
)

// missing marks a condition key the request does not have.
var missing []string

func TestConditionOperators(t *testing.T) {
	cases := []struct {
		name      string
		condition string // the Condition element, as JSON
		key       string // request key; "" when the request has no keys
		value     []string
		want      bool
	}{
		// String operators; the first is the documented aws:PrincipalTag example.
		{"StringEquals match", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, "aws:PrincipalTag/job-category", []string{"iamuser-admin"}, true},
		{"StringEquals other value", `{"StringEquals":{"aws:PrincipalTag/job-category":"iamuser-admin"}}`, "aws:PrincipalTag/job-category", []string{"dev"}, false},
		{"StringEquals is case-sensitive", `{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, "kms:ViaService", []string{"S3.us-east-1.amazonaws.com"}, false},
		{"StringEquals missing key", `{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, "", missing, false},
		{"StringEquals values OR", `{"StringEquals":{"kms:ViaService":["s3.us-east-1.amazonaws.com","s3.eu-west-1.amazonaws.com"]}}`, "kms:ViaService", []string{"s3.eu-west-1.amazonaws.com"}, true},
		{"StringEquals JSON number", `{"StringEquals":{"aws:SourceAccount":111122223333}}`, "aws:SourceAccount", []string{"111122223333"}, true},
		{"StringEquals any of several request values", `{"StringEquals":{"k":"b"}}`, "k", []string{"a", "b"}, true},
		{"StringNotEquals other value", `{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`, "aws:SourceVpce", []string{"vpce-9"}, true},
		{"StringNotEquals same value", `{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`, "aws:SourceVpce", []string{"vpce-1a2b3c4d"}, false},
		{"StringNotEquals none of the values", `{"StringNotEquals":{"aws:PrincipalTag/role":["audit","security"]}}`, "aws:PrincipalTag/role", []string{"security"}, false},
		{"StringNotEquals missing key is true", `{"StringNotEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}`, "", missing, true},
		{"StringNotEquals with one of several request values", `{"StringNotEquals":{"k":"b"}}`, "k", []string{"a", "b"}, false},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, "kms:ViaService", []string{"S3.US-EAST-1.amazonaws.com"}, true},
		{"StringNotEqualsIgnoreCase same value", `{"StringNotEqualsIgnoreCase":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, "kms:ViaService", []string{"S3.US-EAST-1.AMAZONAWS.COM"}, false},
		{"StringNotEqualsIgnoreCase missing key", `{"StringNotEqualsIgnoreCase":{"kms:ViaService":"x"}}`, "", missing, true},
		{"StringLike object ARN", `{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::SRC/*"}}`, "kms:EncryptionContext:aws:s3:arn", []string{"arn:aws:s3:::SRC/key"}, true},
		{"StringLike bucket-key context", `{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::SRC/*"}}`, "kms:EncryptionContext:aws:s3:arn", []string{"arn:aws:s3:::SRC"}, false},
		{"StringLike either form", `{"StringLike":{"kms:EncryptionContext:aws:s3:arn":["arn:aws:s3:::SRC","arn:aws:s3:::SRC/*"]}}`, "kms:EncryptionContext:aws:s3:arn", []string{"arn:aws:s3:::SRC"}, true},
		{"StringLike ?", `{"StringLike":{"s3:prefix":"home/?/"}}`, "s3:prefix", []string{"home/a/"}, true},
		{"StringLike missing key", `{"StringLike":{"s3:prefix":"home/*"}}`, "", missing, false},
		{"StringNotLike match", `{"StringNotLike":{"s3:prefix":"home/*"}}`, "s3:prefix", []string{"home/x"}, false},
		{"StringNotLike no match", `{"StringNotLike":{"s3:prefix":"home/*"}}`, "s3:prefix", []string{"tmp/x"}, true},
		{"StringNotLike missing key is true", `{"StringNotLike":{"s3:prefix":"home/*"}}`, "", missing, true},

		// ARN operators; ArnLike with aws:SourceArn is the documented confused-deputy pattern.
		{"ArnLike source bucket", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::SRC"}}`, "aws:SourceArn", []string{"arn:aws:s3:::SRC"}, true},
		{"ArnLike wildcard account", `{"ArnLike":{"aws:SourceArn":"arn:aws:sns:us-east-1:*:topic"}}`, "aws:SourceArn", []string{"arn:aws:sns:us-east-1:111122223333:topic"}, true},
		{"ArnLike other bucket", `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::SRC"}}`, "aws:SourceArn", []string{"arn:aws:s3:::OTHER"}, false},
		{"ArnEquals accepts wildcards too", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}`, "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/r"}, true},
		{"ArnEquals is case-sensitive", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/R"}}`, "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/r"}, false},
		{"ArnNotEquals other", `{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/admin"}}`, "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/r"}, true},
		{"ArnNotLike match", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin*"}}`, "aws:PrincipalArn", []string{"arn:aws:iam::111122223333:role/admin-1"}, false},
		{"ArnNotLike missing key", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/admin*"}}`, "", missing, true},

		// Bool, Null and IfExists; the MFA and TokenIssueTime cases are the documented examples.
		{"Bool false string", `{"Bool":{"aws:SecureTransport":"false"}}`, "aws:SecureTransport", []string{"false"}, true},
		{"Bool JSON literal", `{"Bool":{"aws:SecureTransport":false}}`, "aws:SecureTransport", []string{"false"}, true},
		{"Bool other value", `{"Bool":{"aws:SecureTransport":"false"}}`, "aws:SecureTransport", []string{"true"}, false},
		{"Bool is case-insensitive", `{"Bool":{"aws:SecureTransport":"FALSE"}}`, "aws:SecureTransport", []string{"false"}, true},
		{"Bool missing key", `{"Bool":{"aws:MultiFactorAuthPresent":"false"}}`, "", missing, false},
		{"BoolIfExists missing key", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, "", missing, true},
		{"BoolIfExists present", `{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}`, "aws:MultiFactorAuthPresent", []string{"true"}, false},
		{"Null true, key absent", `{"Null":{"aws:TokenIssueTime":"true"}}`, "", missing, true},
		{"Null true, key present", `{"Null":{"aws:TokenIssueTime":"true"}}`, "aws:TokenIssueTime", []string{"2024-01-01T00:00:00Z"}, false},
		{"Null false, key present", `{"Null":{"aws:TokenIssueTime":"false"}}`, "aws:TokenIssueTime", []string{"2024-01-01T00:00:00Z"}, true},
		{"Null false, key absent", `{"Null":{"aws:TokenIssueTime":false}}`, "", missing, false},
		{"StringLikeIfExists missing key", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, "", missing, true},
		{"StringLikeIfExists present, no match", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, "ec2:InstanceType", []string{"m5.large"}, false},
		{"StringLikeIfExists present, match", `{"StringLikeIfExists":{"ec2:InstanceType":["t1.*","t2.*","m3.*"]}}`, "ec2:InstanceType", []string{"t2.micro"}, true},
		{"StringEqualsIfExists present, no match", `{"StringEqualsIfExists":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, "kms:ViaService", []string{"ec2.us-east-1.amazonaws.com"}, false},
		{"StringNotEqualsIfExists missing key", `{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`, "", missing, true},
		{"StringNotEqualsIfExists same value", `{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}`, "aws:SourceVpce", []string{"vpce-1"}, false},
		{"ArnLikeIfExists missing key", `{"ArnLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::SRC"}}`, "", missing, true},
		{"ArnNotLikeIfExists present match", `{"ArnNotLikeIfExists":{"aws:SourceArn":"arn:aws:s3:::SRC"}}`, "aws:SourceArn", []string{"arn:aws:s3:::SRC"}, false},

		// IP addresses: network conditions on key policies break S3 replication.
		{"IpAddress inside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, "aws:SourceIp", []string{"203.0.113.9"}, true},
		{"IpAddress missing key", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, "", missing, false},
		{"NotIpAddress inside", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, "aws:SourceIp", []string{"203.0.113.9"}, false},
		{"NotIpAddress missing key", `{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, "", missing, true},

		// Set qualifiers, from the documented aws:TagKeys examples.
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, "aws:TagKeys", []string{"environment", "owner"}, true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, "aws:TagKeys", []string{"owner"}, false},
		{"ForAnyValue missing key", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, "", missing, false},
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, "aws:TagKeys", []string{"environment", "cost-center"}, true},
		{"ForAllValues not a subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, "aws:TagKeys", []string{"environment", "owner"}, false},
		{"ForAllValues missing key is true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}`, "", missing, true},
		{"ForAllValues:StringLike", `{"ForAllValues:StringLike":{"aws:TagKeys":"Created*"}}`, "aws:TagKeys", []string{"CreatedBy", "CreatedAt"}, true},
		{"ForAnyValue:StringNotEquals one outside", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, "aws:TagKeys", []string{"a", "c"}, true},
		{"ForAnyValue:StringNotEquals all inside", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, "aws:TagKeys", []string{"a", "b"}, false},
		{"ForAllValues:StringNotEquals none inside", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, "aws:TagKeys", []string{"c", "d"}, true},
		{"ForAllValues:StringNotEquals one inside", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, "aws:TagKeys", []string{"a", "d"}, false},
		{"ForAnyValue:StringEqualsIfExists missing key", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`, "", missing, true},
		{"qualifier is case-insensitive", `{"forallvalues:StringEquals":{"aws:TagKeys":"a"}}`, "aws:TagKeys", []string{"b"}, false},

		// Blocks, keys and unsupported operators.
		{"keys are case-insensitive", `{"StringEquals":{"KMS:VIASERVICE":"s3.us-east-1.amazonaws.com"}}`, "kms:viaservice", []string{"s3.us-east-1.amazonaws.com"}, true},
		{"keys in a block AND", `{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com","kms:CallerAccount":"111122223333"}}`, "kms:ViaService", []string{"s3.us-east-1.amazonaws.com"}, false},
		{"operators AND", `{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"},"Bool":{"aws:SecureTransport":"true"}}`, "kms:ViaService", []string{"s3.us-east-1.amazonaws.com"}, false},
		{"unsupported operator never holds", `{"NumericLessThan":{"s3:max-keys":"10"}}`, "s3:max-keys", []string{"5"}, false},
		{"unknown qualifier never holds", `{"ForSomeValues:StringEquals":{"k":"a"}}`, "k", []string{"a"}, false},
		{"empty block holds", `{}`, "", missing, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var block conditionBlock
			if err := json.Unmarshal([]byte(c.condition), &block); err != nil {
				t.Fatal(err)
			}
			keys := map[string][]string{}
			if c.key != "" {
				keys[c.key] = c.value
			}
			failure, _ := checkCondition(block, newRequestContext(keys, nil))
			if got := failure == ""; got != c.want {
				t.Fatalf("holds = %v, want %v (failure: %q)", got, c.want, failure)
			}
		})
	}
}

func TestConditionFailureNamesOperatorKeyAndValues(t *testing.T) {
	cases := []struct {
		condition string
		keys      map[string][]string
		want      string
	}{
		{`{"StringLike":{"kms:EncryptionContext:aws:s3:arn":"arn:aws:s3:::SRC/*"}}`,
			map[string][]string{"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::SRC"}},
			`condition StringLike kms:EncryptionContext:aws:s3:arn ["arn:aws:s3:::SRC/*"] is false for the request's ["arn:aws:s3:::SRC"]`},
		{`{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}`, nil,
			`condition StringEquals kms:ViaService ["s3.us-east-1.amazonaws.com"] is false: the request has no kms:ViaService`},
		{`{"NumericLessThan":{"s3:max-keys":"10"}}`, nil,
			`condition operator NumericLessThan is not supported by the evaluator`},
	}
	for _, c := range cases {
		var block conditionBlock
		if err := json.Unmarshal([]byte(c.condition), &block); err != nil {
			t.Fatal(err)
		}
		if got, _ := checkCondition(block, newRequestContext(c.keys, nil)); !strings.Contains(got, c.want) {
			t.Errorf("failure %q\nwant it to contain %q", got, c.want)
		}
	}
}
