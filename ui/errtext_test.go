package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/simcloud"
)

// What AWS said is shown whole at 80 columns: it comes last in the SDK's message,
// after the operation, status and request id, which used to push it past the cut.
func TestRenderErrorShowsWhatAWSSaidWhole(t *testing.T) {
	cloud := simcloud.New(simcloud.WithRegions("us-east-1"))
	cloud.AddProfile(simcloud.Profile{Name: "prod", AccountID: "111122223333", Region: "us-east-1"})
	acc, err := cloud.Account("prod")
	if err != nil {
		t.Fatal(err)
	}
	_, refused := acc.ListKeys(context.Background(), "ap-east-2")
	op, ok := refused.(*awsops.OpError)
	if !ok {
		t.Fatalf("simulated refusal %v is no OpError", refused)
	}
	// As the SDK wraps a service's answer.
	op.Err = fmt.Errorf("operation error KMS: ListKeys, https response error StatusCode: 400, RequestID: 5f3c2a1e-8b7d-4c6a-9e0f-1a2b3c4d5e6f, api error %w", op.Err)

	view := ansi.Strip(renderError(NewTheme(true), op, 80))
	flat := strings.Join(strings.Fields(view), " ")
	for _, want := range []string{
		"credentials refused: kms:ListKeys",
		"UnrecognizedClientException: The security token included in the request is invalid for ap-east-2",
		"or the Region is not enabled for the account",
	} {
		if !strings.Contains(flat, want) {
			t.Errorf("the error shows no %q:\n%s", want, view)
		}
	}
	if strings.Contains(view, "…") || strings.Contains(view, "RequestID") {
		t.Errorf("the error is cut or shows the SDK's wrapping:\n%s", view)
	}
}
