package awsops

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// classify wraps an SDK error in the OpError every Account method returns.
func classify(op, profile, resource string, err error) *OpError {
	var already *OpError
	if errors.As(err, &already) {
		return already
	}
	e := &OpError{Op: op, Profile: profile, Resource: resource, Code: apiErrorCode(err), Kind: kindOfSDKError(err), Err: err}
	var assume *assumeRoleError
	if errors.As(err, &assume) {
		// The call never went out: credentials for it could not be had.
		e.Op, e.Resource = "sts:AssumeRole", assume.RoleARN
	}
	return e
}

func apiErrorCode(err error) string {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	return ""
}

func hasCode(err error, code string) bool {
	return err != nil && apiErrorCode(err) == code
}

// kindOfSDKError looks first at what went wrong before a request was sent (profile,
// credentials), then at the service's error code, then at the HTTP status.
func kindOfSDKError(err error) Kind {
	switch {
	case err == nil:
		return KindOther
	case isProfileMissing(err):
		return KindProfileNotFound
	case isSSOLoginNeeded(err):
		return KindExpiredSSO
	case missingProfileConfig(err) != "":
		return KindBadProfile
	case expiredCredentialCodes[apiErrorCode(err)]:
		return KindExpiredSession
	case refusedCredentialCodes[apiErrorCode(err)]:
		return KindBadCredentials
	case isCredentialsMissing(err):
		return KindNoCredentials
	case isInvalidDocument(err):
		return KindInvalidRequest
	case isOutcomeUnknown(err):
		return KindOutcomeUnknown
	case isUnreachable(err):
		return KindUnreachable
	}
	if kind, ok := kindOfCode(err); ok {
		return kind
	}
	return kindOfStatus(err)
}

func isUnreachable(err error) bool {
	var unreachable *smithyhttp.RequestSendError
	return errors.As(err, &unreachable)
}

func isInvalidDocument(err error) bool {
	var invalid *invalidDocumentError
	return errors.As(err, &invalid)
}

func isProfileMissing(err error) bool {
	var missing config.SharedConfigProfileNotExistError
	return errors.As(err, &missing)
}

// ssoServices are the smithy service ids of the SSO calls made for a profile's
// credentials: any refusal from them means the user has to log in again.
var ssoServices = map[string]bool{"SSO": true, "SSO OIDC": true}

var ssoLoginMessages = []string{
	"refresh cached SSO token failed",
	"cached SSO token is expired",
	"failed to read cached SSO token file",
	"the SSO session has expired or is invalid",
	"has expired or is otherwise invalid",
	"token has expired",
	"InvalidGrantException",
}

func isSSOLoginNeeded(err error) bool {
	var invalidToken *ssocreds.InvalidTokenError
	if errors.As(err, &invalidToken) {
		return true
	}
	if ssoServices[innermostService(err)] && apiErrorCode(err) != "" {
		return true
	}
	// Another service's answer, such as S3's ExpiredToken "The provided token has
	// expired.", is about the keys it was sent, not about an SSO login.
	return apiErrorCode(err) == "" && containsAny(err.Error(), ssoLoginMessages)
}

// innermostService is the service of the innermost smithy operation in err's chain:
// for a call that failed getting credentials, the credential provider's call.
func innermostService(err error) string {
	service := ""
	for err != nil {
		var op *smithy.OperationError
		if !errors.As(err, &op) {
			break
		}
		service = op.Service()
		err = op.Err
	}
	return service
}

var noCredentialsMessages = []string{
	"no EC2 IMDS role found",
	"access disabled to EC2 IMDS",
	"failed to refresh cached credentials",
	"failed to retrieve credentials",
	"static credentials are empty",
	"no valid credential sources",
}

// refusedCredentialCodes are the services' answers to keys they do not accept: an
// access key id they do not know (or that is deactivated), or a secret that does not
// match it.
var refusedCredentialCodes = map[string]bool{
	"InvalidClientTokenId":        true,
	"InvalidAccessKeyId":          true,
	"SignatureDoesNotMatch":       true,
	"UnrecognizedClientException": true,
	"InvalidToken":                true,
	"IncompleteSignature":         true,
}

// expiredCredentialCodes are the services' answers to temporary credentials whose
// session has ended.
var expiredCredentialCodes = map[string]bool{
	"ExpiredToken":          true,
	"ExpiredTokenException": true,
}

// missingProfileConfig names what the SDK found missing from a profile's
// configuration (the SDK says so only in its message): "sso-session NAME" for a
// profile whose sso_session names no section, or the settings it lists.
func missingProfileConfig(err error) string {
	msg := err.Error()
	if _, session, ok := strings.Cut(msg, "failed to find SSO session section, "); ok {
		if name := strings.Fields(session); len(name) > 0 {
			return "sso-session " + name[0]
		}
	}
	if _, settings, ok := strings.Cut(msg, "is configured to use SSO but is missing required configuration: "); ok {
		return strings.TrimSpace(settings)
	}
	return ""
}

func isCredentialsMissing(err error) bool {
	var empty *credentials.StaticCredentialsEmptyError
	if errors.As(err, &empty) || innermostService(err) == "ec2imds" {
		return true
	}
	var unreachable *smithyhttp.RequestSendError
	if errors.As(err, &unreachable) {
		return false // a network problem, whichever call it hit
	}
	var signing *v4.SigningError
	if errors.As(err, &signing) && apiErrorCode(err) == "" {
		return true
	}
	return apiErrorCode(err) == "" && containsAny(err.Error(), noCredentialsMessages)
}

var codeKinds = map[string]Kind{
	"NoSuchBucket":       KindNotFound,
	"NoSuchKey":          KindNotFound,
	"NoSuchEntity":       KindNotFound,
	"NotFoundException":  KindNotFound,
	"NotFound":           KindNotFound,
	"NoSuchBucketPolicy": KindNotFound,

	"AccessDenied":          KindAccessDenied,
	"AccessDeniedException": KindAccessDenied,
	"UnauthorizedOperation": KindAccessDenied,
	"Forbidden":             KindAccessDenied,
	"AllAccessDisabled":     KindAccessDenied,

	"MalformedPolicy":                    KindInvalidRequest,
	"MalformedPolicyDocument":            KindInvalidRequest,
	"MalformedPolicyDocumentException":   KindInvalidRequest,
	"InvalidRequest":                     KindInvalidRequest,
	"InvalidArgument":                    KindInvalidRequest,
	"InvalidInput":                       KindInvalidRequest,
	"MalformedXML":                       KindInvalidRequest,
	"InvalidBucketName":                  KindInvalidRequest,
	"ValidationException":                KindInvalidRequest,
	"ValidationError":                    KindInvalidRequest,
	"InvalidParameterValue":              KindInvalidRequest,
	"KMSInvalidStateException":           KindInvalidRequest,
	"DisabledException":                  KindInvalidRequest,
	"InvalidAliasNameException":          KindInvalidRequest,
	"InvalidArnException":                KindInvalidRequest,
	"UnsupportedOperationException":      KindInvalidRequest,
	"InvalidKeyUsageException":           KindInvalidRequest,
	"InvalidBucketState":                 KindInvalidRequest,
	"LimitExceeded":                      KindInvalidRequest, // IAM: a quota such as a policy's size
	"LimitExceededException":             KindInvalidRequest, // KMS
	"IllegalLocationConstraintException": KindWrongRegion,
	"PermanentRedirect":                  KindWrongRegion,

	"BucketAlreadyExists":     KindConflict,
	"BucketAlreadyOwnedByYou": KindConflict,
	"EntityAlreadyExists":     KindConflict,
	"DeleteConflict":          KindConflict, // IAM: e.g. deleting a policy's default version
	"AlreadyExistsException":  KindConflict,
	"OperationAborted":        KindConflict,
}

func kindOfCode(err error) (Kind, bool) {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return KindOther, false
	}
	code := apiErr.ErrorCode()
	if code == "AuthorizationHeaderMalformed" {
		if strings.Contains(strings.ToLower(apiErr.ErrorMessage()), "region") {
			return KindWrongRegion, true
		}
		return KindInvalidRequest, true
	}
	if kind, ok := codeKinds[code]; ok {
		return kind, true
	}
	if strings.HasPrefix(code, "NoSuch") || strings.HasSuffix(code, "NotFound") ||
		strings.HasSuffix(code, "NotFoundException") || strings.HasSuffix(code, "NotFoundError") {
		return KindNotFound, true
	}
	return KindOther, false
}

func kindOfStatus(err error) Kind {
	var resp *awshttp.ResponseError
	if !errors.As(err, &resp) {
		return KindOther
	}
	switch resp.HTTPStatusCode() {
	case http.StatusNotFound:
		return KindNotFound
	case http.StatusForbidden:
		return KindAccessDenied
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect:
		return KindWrongRegion
	case http.StatusConflict:
		return KindConflict
	}
	return KindOther
}

func containsAny(s string, parts []string) bool {
	for _, part := range parts {
		if strings.Contains(s, part) {
			return true
		}
	}
	return false
}

// isOutcomeUnknown reports whether a request may have reached AWS although no answer
// came back: a timeout, or a connection closed after the request went out. Errors
// that happen before anything is sent (DNS, dial, refused connection) are not.
func isOutcomeUnknown(err error) bool {
	var timeout *awshttp.ResponseTimeoutError
	if errors.As(err, &timeout) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var send *smithyhttp.RequestSendError
	if !errors.As(err, &send) {
		return false
	}
	var dns *net.DNSError
	var netOp *net.OpError
	switch {
	case errors.As(err, &dns):
		return false
	case errors.As(err, &netOp) && netOp.Op == "dial":
		return false
	case strings.Contains(err.Error(), "connection refused"), strings.Contains(err.Error(), "no such host"):
		return false
	}
	return true
}
