package steps

import (
	"errors"
	"testing"

	"github.com/s3repl/s3repl/awsops"
)

// TestExplainErrorNamesTheCallAndWhatToDo: an AWS failure names the call, the
// resource and the profile, with the advice for its kind; a SideError's own advice
// wins; other errors are their message.
func TestExplainErrorNamesTheCallAndWhatToDo(t *testing.T) {
	denied := &awsops.OpError{Op: "s3:PutBucketPolicy", Profile: "dst", Resource: "my-bucket", Code: "AccessDenied",
		Kind: awsops.KindAccessDenied, Err: errors.New("api error AccessDenied: Access Denied")}
	e := ExplainError(denied)
	if e.Headline != "access denied: s3:PutBucketPolicy on my-bucket (profile dst)" || e.Detail != "api error AccessDenied: Access Denied" || e.Advice == "" {
		t.Fatalf("%+v", e)
	}
	if got := ExplainError(ExplainSide(DestinationSide, denied)); got != e {
		t.Fatalf("wrapped with its side: %+v, want %+v", got, e)
	}
	own := &SideError{Side: "source", Advice: "do this", Err: denied}
	if got := ExplainError(own); got.Advice != "do this" || got.Headline != e.Headline {
		t.Fatalf("%+v", got)
	}
	noProfile := *denied
	noProfile.Profile = ""
	if got := ExplainError(&noProfile).Headline; got != "access denied: s3:PutBucketPolicy on my-bucket (default credentials)" {
		t.Fatal(got)
	}
	if got := ExplainError(errors.New("plain")); got != (ErrorExplanation{Headline: "plain"}) {
		t.Fatalf("%+v", got)
	}
	if ErrorKind(denied) != "access denied" {
		t.Fatal(ErrorKind(denied))
	}
}
