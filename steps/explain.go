package steps

import (
	"errors"

	"github.com/s3repl/s3repl/awsops"
)

// SideError is an AWS failure on one side of the setup, with what to do about it.
type SideError struct {
	Side   string // "source" or "destination"
	Advice string
	Err    error
}

func (e *SideError) Error() string {
	msg := e.Side + ": " + e.Err.Error()
	if e.Advice != "" {
		msg += "\n  what to do: " + e.Advice
	}
	return msg
}

func (e *SideError) Unwrap() error { return e.Err }

// explain wraps an AWS error with the side it happened on and advice. Problems and
// errors already explained pass through; nil stays nil.
func explain(side string, err error) error {
	if err == nil {
		return nil
	}
	var side1 *SideError
	var problems Problems
	if errors.As(err, &side1) || errors.As(err, &problems) {
		return err
	}
	return &SideError{Side: side, Advice: awsops.Advice(err), Err: err}
}
