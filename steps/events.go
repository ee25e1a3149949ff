package steps

// ApplyPhase is where one change of an apply is, as ApplyOptions.OnProgress reports
// it: begun, then done or failed.
type ApplyPhase string

const (
	PhaseBegin  ApplyPhase = "begin"
	PhaseDone   ApplyPhase = "done"
	PhaseFailed ApplyPhase = "failed"
)
