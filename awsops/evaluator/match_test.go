package evaluator

import "testing"

func TestWildcardMatch(t *testing.T) {
	cases := []struct {
		pattern, s string
		want       bool
	}{
		{"*", "", true},
		{"*", "anything", true},
		{"s3:Get*", "s3:GetObject", true},
		{"s3:Get*", "s3:PutObject", false},
		{"s3:*Object*", "s3:GetObjectVersionForReplication", true},
		{"s3:Replicate????", "s3:ReplicateTags", true},
		{"s3:Replicate????", "s3:ReplicateObject", false},
		{"arn:aws:s3:::SRC/*", "arn:aws:s3:::SRC/key", true},
		{"arn:aws:s3:::SRC/*", "arn:aws:s3:::SRC", false},
		{"arn:aws:s3:::SRC/*", "arn:aws:s3:::src/key", false}, // case-sensitive
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"*.amazonaws.com", "s3.amazonaws.com", true},
		{"日?", "日本", true}, // '?' is one character, not one byte
		{"", "", true},
		{"", "x", false},
	}
	for _, c := range cases {
		if got := wildcardMatch(c.pattern, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v, want %v", c.pattern, c.s, got, c.want)
		}
	}
}

func TestWildcardMatchFoldIgnoresCase(t *testing.T) {
	if !wildcardMatchFold("S3:replicate*", "s3:ReplicateObject") {
		t.Fatal("actions must match case-insensitively")
	}
}

func TestARNMatch(t *testing.T) {
	cases := []struct {
		pattern, arn string
		want         bool
	}{
		{"*", "arn:aws:s3:::b", true},
		{"arn:aws:s3:::DST/*", "arn:aws:s3:::DST/a/b:c", true}, // '*' spans '/' and ':' in the resource part
		{"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:eu-west-1:111122223333:key/k", true},
		{"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:eu-west-1:444455556666:key/k", false},
		{"arn:aws:iam::*:role/service-role/*", "arn:aws:iam::111122223333:role/service-role/r", true},
		{"arn:aws:iam::*:role/*", "arn:aws:iam::111122223333:user/u", false},
		// a component wildcard stays inside its component
		{"arn:aws:kms:*:111122223333:key/*", "arn:aws:kms:us-east-1:999:111122223333:key/k", false},
		{"arn:aws:*", "arn:aws:s3:::x", true}, // not a six-component pattern: matched whole
	}
	for _, c := range cases {
		if got := arnMatch(c.pattern, c.arn); got != c.want {
			t.Errorf("arnMatch(%q, %q) = %v, want %v", c.pattern, c.arn, got, c.want)
		}
	}
}

func TestIPMatch(t *testing.T) {
	cases := []struct {
		block, addr string
		want        bool
	}{
		{"203.0.113.0/24", "203.0.113.7", true},
		{"203.0.113.0/24", "198.51.100.7", false},
		{"203.0.113.7", "203.0.113.7", true},
		{"2001:DB8:1234:5678::/64", "2001:db8:1234:5678::1", true},
		{"203.0.113.0/24", "not-an-ip", false},
	}
	for _, c := range cases {
		if got := ipMatch(c.block, c.addr); got != c.want {
			t.Errorf("ipMatch(%q, %q) = %v, want %v", c.block, c.addr, got, c.want)
		}
	}
}
