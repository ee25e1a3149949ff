package awsops

import (
	"context"
	"errors"
	"net"
	"net/url"
	"strings"
	"syscall"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// TestLostAnswersAreOutcomeUnknown: a request that went out and got no answer was
// called unreachable ("check the Region's spelling") although the write happened.
func TestLostAnswersAreOutcomeUnknown(t *testing.T) {
	sent := func(err error) error {
		return operation("S3", "PutBucketPolicy", 0, &smithyhttp.RequestSendError{Err: &url.Error{Op: "Put", URL: "https://127.0.0.1:5000/b?policy", Err: err}})
	}
	cases := []struct {
		name string
		err  error
		kind Kind
	}{
		{"connection reset while reading", sent(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}), KindOutcomeUnknown},
		{"connection closed (EOF)", sent(errors.New("EOF")), KindOutcomeUnknown},
		{"response timeout", operation("KMS", "CreateKey", 0, &awshttp.ResponseTimeoutError{TimeoutDur: 1}), KindOutcomeUnknown},
		{"deadline", operation("IAM", "CreateRole", 0, context.DeadlineExceeded), KindOutcomeUnknown},
		{"dial refused", sent(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), KindUnreachable},
		{"unknown host", sent(&net.DNSError{Err: "no such host", Name: "s3.eu-wset-1.amazonaws.com", IsNotFound: true}), KindUnreachable},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op := classify("s3:PutBucketPolicy", "dst", "b", tc.err)
			if op.Kind != tc.kind {
				t.Fatalf("kind %v, want %v", op.Kind, tc.kind)
			}
			advice := Advice(op)
			if tc.kind == KindOutcomeUnknown && (strings.Contains(advice, "spelling") || !strings.Contains(advice, "may or may not have happened")) {
				t.Errorf("advice: %s", advice)
			}
		})
	}
}

func TestALostAnswerToAReadSaysToRunAgain(t *testing.T) {
	lost := operation("S3", "GetBucketPolicy", 0, &smithyhttp.RequestSendError{Err: errors.New("EOF")})
	advice := Advice(classify("s3:GetBucketPolicy", "dst", "b", lost))
	if !strings.Contains(advice, "run the command again") || strings.Contains(advice, "may or may not") {
		t.Errorf("advice: %s", advice)
	}
}
