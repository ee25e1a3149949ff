package awsops

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/smithy-go"
)

// Advice says in one line what the user can do about err, "" when there is nothing
// more specific to say than the error itself.
func Advice(err error) string {
	var op *OpError
	if !errors.As(err, &op) {
		return ""
	}
	who := profileLabel(op.Profile)
	switch op.Kind {
	case KindExpiredSSO:
		return fmt.Sprintf("run `aws sso login%s` and try again", profileFlag(op.Profile))
	case KindNoCredentials:
		return fmt.Sprintf("give %s valid credentials (`aws configure%s`, or log in) and try again", who, profileFlag(op.Profile))
	case KindProfileNotFound:
		return fmt.Sprintf("add [%s] to %s or fix the name", configSection(missingProfile(err, op.Profile)), sharedConfigFile())
	case KindBadCredentials:
		return refusedCredentialsAdvice(op)
	case KindExpiredSession:
		return fmt.Sprintf("the temporary credentials of %s have expired: renew the session (`aws sso login%s` for an SSO profile, else new credentials from the tool that gave them, such as `aws sts get-session-token`) and try again", who, profileFlag(op.Profile))
	case KindBadProfile:
		return incompleteProfileAdvice(err, op.Profile)
	case KindAccessDenied:
		return fmt.Sprintf("grant %s on %s to the identity of %s", op.Op, op.Resource, who)
	case KindNotFound:
		return fmt.Sprintf("check the name and Region of %s, or let s3repl create it", op.Resource)
	case KindWrongRegion:
		return fmt.Sprintf("%s is in another Region: give its Region, or leave the Region empty to look it up", op.Resource)
	case KindConflict:
		if op.Code == "BucketAlreadyExists" {
			return fmt.Sprintf("the bucket name %s is taken by another account: choose another name", op.Resource)
		}
		return fmt.Sprintf("%s exists already: use it, or choose another name", op.Resource)
	case KindInvalidRequest:
		return fmt.Sprintf("AWS refused the request for %s: %s", op.Op, refusal(err))
	case KindOutcomeUnknown:
		if isRead(op.Op) {
			return fmt.Sprintf("no answer came back for %s on %s (timed out or the connection closed): run the command again", op.Op, op.Resource)
		}
		return fmt.Sprintf("the request for %s on %s was sent but no answer came back (timed out or the connection closed): it may or may not have happened. Run `s3repl plan` to see what is in place, then run the command again: s3repl reads everything again first", op.Op, op.Resource)
	case KindUnreachable:
		return fmt.Sprintf("could not reach %s: check the Region's spelling, the endpoint settings (AWS_ENDPOINT_URL, endpoint_url) and the network", hostOf(err))
	}
	return ""
}

// Detail is what went wrong in the words of AWS, without the SDK's wrapping
// (operation, HTTP status, request id) that would push them out of a short space:
// "Code: message" for a service's answer, else the failure's own message.
func Detail(err error) string {
	var op *OpError
	if errors.As(err, &op) && op.Err != nil {
		err = op.Err
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		if msg := apiErr.ErrorMessage(); msg != "" {
			return apiErr.ErrorCode() + ": " + msg
		}
		return apiErr.ErrorCode()
	}
	if call, ok := err.(*smithy.OperationError); ok && call.Err != nil {
		err = call.Err
	}
	return err.Error()
}

// refusedCredentialsAdvice says which key AWS refused and how to set a working one.
func refusedCredentialsAdvice(op *OpError) string {
	whose, flag := profileLabel(op.Profile), profileFlag(op.Profile)
	if op.Op == "sts:AssumeRole" {
		// The role is assumed with the keys of the profile source_profile names.
		whose, flag = "the source_profile of "+whose, " --profile SOURCE_PROFILE"
	}
	switch op.Code {
	case "SignatureDoesNotMatch", "IncompleteSignature":
		return fmt.Sprintf("the secret access key of %s does not match its access key id: enter the pair again with `aws configure%s` and try again", whose, flag)
	case "UnrecognizedClientException":
		return fmt.Sprintf("AWS does not recognise the access key of %s, or the Region is not enabled for the account: check the Region, or set a working key with `aws configure%s`", whose, flag)
	}
	return fmt.Sprintf("AWS does not recognise the access key of %s (mistyped, deleted or deactivated): set a working one with `aws configure%s` and try again", whose, flag)
}

// incompleteProfileAdvice names the section or settings to add to the config file.
func incompleteProfileAdvice(err error, profile string) string {
	missing, file := missingProfileConfig(err), sharedConfigFile()
	if session, ok := strings.CutPrefix(missing, "sso-session "); ok {
		return fmt.Sprintf("add a section [sso-session %s] to %s with sso_start_url (your AWS access portal URL) and sso_region (its Region), or run `aws configure sso-session`; then `aws sso login --sso-session %s`", session, file, session)
	}
	return fmt.Sprintf("the SSO settings of %s lack %s: add them to its [%s] or [sso-session] section in %s, or run `aws configure sso%s`", profileLabel(profile), missing, configSection(profile), file, profileFlag(profile))
}

// hostOf is the host a request could not reach, or "AWS" when the error names none.
func hostOf(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	return "AWS"
}

func profileFlag(profile string) string {
	if profile == "" {
		return ""
	}
	return " --profile " + profile
}

// missingProfile names the profile that is missing: the one asked for, or a
// source_profile it refers to.
func missingProfile(err error, asked string) string {
	var missing config.SharedConfigProfileNotExistError
	if errors.As(err, &missing) && missing.Profile != "" {
		return missing.Profile
	}
	return asked
}

func configSection(profile string) string {
	if profile == "" || profile == "default" {
		return "default"
	}
	return "profile " + profile
}

func sharedConfigFile() string {
	if file := os.Getenv("AWS_CONFIG_FILE"); file != "" {
		return file
	}
	return config.DefaultSharedConfigFilename()
}

func refusal(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorMessage() != "" {
		return apiErr.ErrorMessage()
	}
	return err.Error()
}

// isRead reports whether an operation, named by its permission, only reads.
func isRead(op string) bool {
	_, action, _ := strings.Cut(op, ":")
	for _, verb := range []string{"Get", "List", "Describe", "Head"} {
		if strings.HasPrefix(action, verb) {
			return true
		}
	}
	return false
}
