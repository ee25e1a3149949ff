package simcloud

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"

	"github.com/s3repl/s3repl/awsops"
)

// fault is an AWS error response: the error code and message AWS sends, and the
// Kind awsops gives that code.
type fault struct {
	code    string
	kind    awsops.Kind
	message string
}

func (f *fault) Error() string { return f.code + ": " + f.message }

func newFault(code string, kind awsops.Kind, format string, args ...any) error {
	return &fault{code: code, kind: kind, message: fmt.Sprintf(format, args...)}
}

func notFound(code, format string, args ...any) error {
	return newFault(code, awsops.KindNotFound, format, args...)
}

func invalid(code, format string, args ...any) error {
	return newFault(code, awsops.KindInvalidRequest, format, args...)
}

func conflict(code, format string, args ...any) error {
	return newFault(code, awsops.KindConflict, format, args...)
}

func accessDenied(code, format string, args ...any) error {
	return newFault(code, awsops.KindAccessDenied, format, args...)
}

// opError is what an Account method returns for err: an *awsops.OpError whose Err is
// a smithy API error, as the SDK-backed Account returns.
func opError(op, profile, resource string, err error) error {
	if err == nil {
		return nil
	}
	var f *fault
	if !errors.As(err, &f) {
		return &awsops.OpError{Op: op, Profile: profile, Resource: resource, Kind: awsops.KindOther, Err: err}
	}
	apiErr := &smithy.GenericAPIError{Code: f.code, Message: f.message, Fault: smithy.FaultClient}
	return &awsops.OpError{Op: op, Profile: profile, Resource: resource, Code: f.code, Kind: f.kind, Err: apiErr}
}

type profileNotFoundError struct{ profile string }

func (e profileNotFoundError) Error() string {
	return fmt.Sprintf("failed to get shared config profile, %s", e.profile)
}

func errProfileNotFound(profile string) error { return profileNotFoundError{profile} }
