package awsops

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"gopkg.in/ini.v1"
)

// ListProfiles names the profiles of the shared config and credentials files
// (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are honoured), sorted, each once.
// A file that does not exist has no profiles.
func ListProfiles() ([]string, error) {
	configNames, err := sectionNames(sharedConfigFile())
	if err != nil {
		return nil, err
	}
	credentialNames, err := sectionNames(sharedCredentialsFile())
	if err != nil {
		return nil, err
	}
	var profiles []string
	for _, section := range configNames {
		if name, ok := configProfileName(section); ok {
			profiles = append(profiles, name)
		}
	}
	profiles = append(profiles, credentialNames...)
	slices.Sort(profiles)
	return slices.Compact(profiles), nil
}

// configProfileName reads a config file section name: "default" or "profile NAME".
// Other sections (sso-session, services) are not profiles.
func configProfileName(section string) (string, bool) {
	if section == "default" {
		return section, true
	}
	fields := strings.Fields(section)
	if len(fields) == 2 && fields[0] == "profile" {
		return fields[1], true
	}
	return "", false
}

func sectionNames(path string) ([]string, error) {
	file, err := ini.LoadSources(ini.LoadOptions{
		Loose:                   true,
		AllowNestedValues:       true, // s3 =\n  addressing_style = path
		SkipUnrecognizableLines: true,
	}, path)
	if err != nil {
		return nil, fmt.Errorf("reading profiles from %s: %w", path, err)
	}
	var names []string
	for _, section := range file.SectionStrings() {
		if name := strings.TrimSpace(section); name != ini.DefaultSection && name != "" {
			names = append(names, name)
		}
	}
	return names, nil
}

func sharedCredentialsFile() string {
	if file := os.Getenv("AWS_SHARED_CREDENTIALS_FILE"); file != "" {
		return file
	}
	return config.DefaultSharedCredentialsFilename()
}

// EnvProfileProblem says what is wrong with AWS_PROFILE when it names a profile that
// is in neither shared file (the SDK would fail on every call that uses it), "" when
// it is unset or names a profile.
func EnvProfileProblem() string {
	name := os.Getenv("AWS_PROFILE")
	if name == "" {
		return ""
	}
	profiles, err := ListProfiles()
	if err != nil || slices.Contains(profiles, name) {
		return ""
	}
	known := "there are none"
	if len(profiles) > 0 {
		known = "the profiles there: " + strings.Join(profiles, ", ")
	}
	return fmt.Sprintf("AWS_PROFILE=%s names no profile of %s or %s (%s): fix the name or unset AWS_PROFILE",
		name, sharedConfigFile(), sharedCredentialsFile(), known)
}
