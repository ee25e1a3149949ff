package steps

import (
	"slices"
	"testing"
)

func TestReplicaStorageClassesInTheConsolesWords(t *testing.T) {
	var values []string
	for _, c := range ReplicaStorageClasses {
		values = append(values, c.Value)
		if !slices.Contains(StorageClasses, c.Value) {
			t.Errorf("%s is offered but a setup file may not name it", c.Value)
		}
	}
	if slices.Contains(values, "REDUCED_REDUNDANCY") {
		t.Error("the retired REDUCED_REDUNDANCY is offered")
	}
	cases := map[string]string{
		"GLACIER":            "S3 Glacier Flexible Retrieval",
		"GLACIER_IR":         "S3 Glacier Instant Retrieval",
		"STANDARD_IA":        "S3 Standard-IA",
		"REDUCED_REDUNDANCY": "Reduced Redundancy Storage",
		"":                   "same as the source object",
		"OUTPOSTS":           "OUTPOSTS",
	}
	for value, want := range cases {
		if got := StorageClassName(value); got != want {
			t.Errorf("StorageClassName(%q) = %q, want %q", value, got, want)
		}
	}
}
