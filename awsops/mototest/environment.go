package mototest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
)

// environment is the process environment Main sets up: shared config files and a
// HOME (for the SDK's SSO token cache) in a temporary directory.
type environment struct {
	dir             string
	configFile      string
	credentialsFile string
}

const expiredSSOSession = "s3repl-test-expired"

func configFileText() string {
	return fmt.Sprintf(`[profile %[1]s]
region = %[2]s

[profile %[3]s]
role_arn = %[4]s
source_profile = %[1]s
role_session_name = s3repl-test
region = %[5]s

[profile %[6]s]
sso_session = %[7]s
sso_account_id = %[8]s
sso_role_name = S3ReplTest
region = %[2]s

[sso-session %[7]s]
sso_start_url = https://s3repl-test.awsapps.com/start
sso_region = %[2]s
sso_registration_scopes = sso:account:access

[profile %[9]s]
region = %[2]s

[profile %[10]s]
role_arn = %[4]s
source_profile = no-such-profile
region = %[5]s
`, SourceProfile, SourceRegion, DestProfile, DestRoleARN, DestRegion,
		ExpiredSSOProfile, expiredSSOSession, SourceAccount, NoCredentialsProfile, MissingSourceProfile)
}

func credentialsFileText() string {
	return fmt.Sprintf(`[%s]
aws_access_key_id = AKIAS3REPLTESTSOURCE
aws_secret_access_key = s3repl-test-secret-not-a-real-one
`, SourceProfile)
}

func prepareEnvironment() (*environment, error) {
	dir, err := os.MkdirTemp("", "s3repl-mototest-")
	if err != nil {
		return nil, err
	}
	env := &environment{
		dir:             dir,
		configFile:      filepath.Join(dir, "config"),
		credentialsFile: filepath.Join(dir, "credentials"),
	}
	if err := env.write(); err != nil {
		env.remove()
		return nil, err
	}
	return env, nil
}

func (e *environment) write() error {
	if err := os.WriteFile(e.configFile, []byte(configFileText()), 0o600); err != nil {
		return err
	}
	if err := os.WriteFile(e.credentialsFile, []byte(credentialsFileText()), 0o600); err != nil {
		return err
	}
	if err := isolateFromHost(filepath.Join(e.dir, "home")); err != nil {
		return err
	}
	for name, value := range map[string]string{
		"AWS_CONFIG_FILE":             e.configFile,
		"AWS_SHARED_CREDENTIALS_FILE": e.credentialsFile,
		// Without it, a profile with no credentials waits for the EC2 metadata service.
		"AWS_EC2_METADATA_DISABLED": "true",
	} {
		if err := os.Setenv(name, value); err != nil {
			return err
		}
	}
	return writeExpiredSSOToken()
}

// isolateFromHost drops every AWS_ variable and points HOME at an empty directory,
// so neither the host's credentials nor its SSO cache are seen. Go's own directories,
// which default to places under HOME, are pinned first for tests that run `go`.
func isolateFromHost(home string) error {
	if err := os.MkdirAll(home, 0o700); err != nil {
		return err
	}
	pinGoDirectories()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "AWS_") {
			if err := os.Unsetenv(name); err != nil {
				return err
			}
		}
	}
	return os.Setenv("HOME", home)
}

func pinGoDirectories() {
	if os.Getenv("GOCACHE") == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			_ = os.Setenv("GOCACHE", filepath.Join(dir, "go-build"))
		}
	}
	if os.Getenv("GOENV") == "" {
		if dir, err := os.UserConfigDir(); err == nil {
			_ = os.Setenv("GOENV", filepath.Join(dir, "go", "env"))
		}
	}
	if os.Getenv("GOPATH") == "" {
		if home, err := os.UserHomeDir(); err == nil {
			_ = os.Setenv("GOPATH", filepath.Join(home, "go"))
		}
	}
}

// writeExpiredSSOToken leaves the token `aws sso login` would have cached for
// ExpiredSSOProfile, expired and without a refresh token.
func writeExpiredSSOToken() error {
	path, err := ssocreds.StandardCachedTokenFilepath(expiredSSOSession)
	if err != nil {
		return err
	}
	token, err := json.Marshal(map[string]string{
		"startUrl":    "https://s3repl-test.awsapps.com/start",
		"region":      SourceRegion,
		"accessToken": "s3repl-test-expired-token",
		"expiresAt":   time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
	})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	return os.WriteFile(path, token, 0o600)
}

func (e *environment) remove() {
	_ = os.RemoveAll(e.dir)
}
