package awsops

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestRegionLabel(t *testing.T) {
	cases := map[string]string{
		"eu-west-1":      "eu-west-1 Europe (Ireland)",
		"us-gov-west-1":  "us-gov-west-1 AWS GovCloud (US-West)",
		"cn-northwest-1": "cn-northwest-1 China (Ningxia)",
		"eusc-de-east-1": "eusc-de-east-1 AWS European Sovereign Cloud (Germany)",
		"xx-nowhere-9":   "xx-nowhere-9",
	}
	for code, want := range cases {
		if got := RegionLabel(code); got != want {
			t.Errorf("RegionLabel(%q) = %q, want %q", code, got, want)
		}
	}
	for _, code := range CommercialRegions {
		if RegionName(code) == "" {
			t.Errorf("commercial Region %s has no name", code)
		}
	}
}

// The names and the commercial list are those of the AWS SDK's partition metadata, in
// the module cache of the SDK version s3repl builds with.
func TestRegionNamesMatchTheSDKsPartitions(t *testing.T) {
	dir, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go-v2").Output()
	if err != nil {
		t.Skipf("cannot find the SDK's module directory: %v", err)
	}
	raw, err := os.ReadFile(filepath.Join(strings.TrimSpace(string(dir)), "internal", "endpoints", "awsrulesfn", "partitions.json"))
	if err != nil {
		t.Skipf("the SDK's partition metadata: %v", err)
	}
	var meta struct {
		Partitions []struct {
			ID      string
			Regions map[string]struct{ Description string }
		}
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		t.Fatal(err)
	}
	sdk := map[string]string{}
	var commercial []string
	for _, p := range meta.Partitions {
		if !slices.Contains([]string{"aws", "aws-us-gov", "aws-cn", "aws-eusc"}, p.ID) {
			continue
		}
		for code, r := range p.Regions {
			if strings.HasSuffix(code, "-global") {
				continue
			}
			sdk[code] = r.Description
			if p.ID == "aws" {
				commercial = append(commercial, code)
			}
		}
	}
	ours := maps.Clone(regionNames)
	ours["sa-east-1"] = strings.Replace(ours["sa-east-1"], "São", "Sao", 1)
	if !maps.Equal(ours, sdk) {
		t.Errorf("Region names differ from the SDK's:\n ours %v\n  sdk %v", ours, sdk)
	}
	slices.Sort(commercial)
	if !slices.Equal(commercial, CommercialRegions) {
		t.Errorf("CommercialRegions %v, the SDK's aws partition %v", CommercialRegions, commercial)
	}
}
