package awsops

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestListProfilesFromBothFiles(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	credentials := filepath.Join(dir, "credentials")
	writeFile(t, config, `[default]
region = us-east-1

[profile prod]
role_arn = arn:aws:iam::111111111111:role/admin
source_profile = base
s3 =
  addressing_style = path

[profile  spaced ]
region = eu-west-1

[sso-session corp]
sso_start_url = https://corp.awsapps.com/start

[services local]
s3 =
  endpoint_url = http://localhost:5000

[not-a-profile]
region = us-east-1
`)
	writeFile(t, credentials, `[base]
aws_access_key_id = AKIA
aws_secret_access_key = secret

[prod]
aws_access_key_id = AKIA2
aws_secret_access_key = secret2

[default]
aws_access_key_id = AKIA3
aws_secret_access_key = secret3
`)
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)

	got, err := ListProfiles()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"base", "default", "prod", "spaced"}
	if !slices.Equal(got, want) {
		t.Errorf("ListProfiles() = %q, want %q", got, want)
	}
}

func TestListProfilesWithoutFiles(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "no-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "no-credentials"))
	got, err := ListProfiles()
	if err != nil || len(got) != 0 {
		t.Errorf("ListProfiles() = %q, %v; want none and no error", got, err)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestEnvProfileProblemNamesTheProfilesThatExist(t *testing.T) {
	dir := t.TempDir()
	config, credentials := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(config, []byte("[profile prod]\nregion = us-east-1\n[default]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_CONFIG_FILE", config)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", credentials)

	t.Setenv("AWS_PROFILE", "nosuch")
	want := "AWS_PROFILE=nosuch names no profile of " + config + " or " + credentials + " (the profiles there: default, prod): fix the name or unset AWS_PROFILE"
	if got := EnvProfileProblem(); got != want {
		t.Errorf("problem %q, want %q", got, want)
	}
	for _, fine := range []string{"prod", ""} {
		t.Setenv("AWS_PROFILE", fine)
		if got := EnvProfileProblem(); got != "" {
			t.Errorf("AWS_PROFILE=%q: problem %q", fine, got)
		}
	}
}
