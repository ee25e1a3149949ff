package steps

import "testing"

func BenchmarkBuildPlanFresh(b *testing.B) {
	s, st := freshSetup(), freshState()
	for b.Loop() {
		if _, err := BuildPlan(s, st); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBuildPlanExisting(b *testing.B) {
	s, st := existingState()
	for b.Loop() {
		if _, err := BuildPlan(s, st); err != nil {
			b.Fatal(err)
		}
	}
}
