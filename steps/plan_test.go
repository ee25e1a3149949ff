package steps

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/s3repl/s3repl/awsops"
	"github.com/s3repl/s3repl/awsops/policy"
)

const (
	srcAccount = "111111111111"
	dstAccount = "222222222222"
	srcKeyARN  = "arn:aws:kms:us-east-1:111111111111:key/11111111-1111-1111-1111-111111111111"
	dstKeyARN  = "arn:aws:kms:eu-west-1:222222222222:key/22222222-2222-2222-2222-222222222222"
)

func defaultKeyPolicy(account string) string {
	return `{"Version":"2012-10-17","Id":"key-default-1","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"kms:*","Resource":"*"}]}`
}

func freshSetup() Setup {
	return Setup{
		Source:      SourceSetup{Profile: "prod", Bucket: "my-src"},
		Destination: DestinationSetup{Profile: "backup", Region: "eu-west-1", Bucket: "my-dst", CreateBucket: true, KMSKey: "alias/s3-replica", CreateKey: true},
		Role:        RoleSetup{Name: "s3-replication-my-src"},
		Rule:        RuleSetup{ID: "to-backup"},
	}
}

func freshState() *State {
	return &State{
		Source: SourceState{
			Identity:   awsops.Identity{AccountID: srcAccount, ARN: "arn:aws:iam::111111111111:user/alice"},
			Region:     "us-east-1",
			Encryption: awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: srcKeyARN, BucketKey: true},
			Key:        &awsops.KeyInfo{ARN: srcKeyARN, Region: "us-east-1", AccountID: srcAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"},
			KeyPolicy:  defaultKeyPolicy(srcAccount),
		},
		Destination: DestState{Identity: awsops.Identity{AccountID: dstAccount, ARN: "arn:aws:sts::222222222222:assumed-role/admin/s"}},
		Role:        RoleState{PolicyName: "s3repl-to-backup"},
	}
}

// existingState is a destination with a bucket and key that have statements of their
// own, and a source that already replicates with a rule and role of its own.
func existingState() (Setup, *State) {
	s := freshSetup()
	s.Destination.CreateBucket, s.Destination.CreateKey, s.Destination.KMSKey = false, false, dstKeyARN
	st := freshState()
	st.Source.Versioning = "Enabled"
	st.Source.Replication = `{"Role":"arn:aws:iam::111111111111:role/service-role/legacy-replication","Rules":[{"ID":"legacy","Priority":7,"Filter":{"Prefix":"logs/"},"Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::legacy-archive","StorageClass":"GLACIER"},"DeleteMarkerReplication":{"Status":"Enabled"}}]}`
	st.Role = RoleState{
		Role: &awsops.Role{Name: "legacy-replication", Path: "/service-role/", ARN: "arn:aws:iam::111111111111:role/service-role/legacy-replication",
			TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"sts:AssumeRole"}]}`},
		PolicyName: "s3repl-to-backup",
	}
	st.Destination = DestState{
		Identity: st.Destination.Identity, BucketExists: true, Region: "eu-west-1", Versioning: "Enabled",
		Encryption: awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: dstKeyARN, BucketKey: true},
		Policy:     `{"Version":"2012-10-17","Id":"theirs","Statement":[{"Sid":"DenyInsecure","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::my-dst","arn:aws:s3:::my-dst/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`,
		Ownership:  "BucketOwnerEnforced",
		Key:        &awsops.KeyInfo{ARN: dstKeyARN, Region: "eu-west-1", AccountID: dstAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"},
		KeyPolicy:  `{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":"kms:*","Resource":"*"},{"Sid":"AllowAuditors","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:role/auditor"},"Action":["kms:DescribeKey","kms:GetKeyPolicy"],"Resource":"*"}]}`,
	}
	return s, st
}

func mustPlan(t *testing.T, s Setup, st *State) *Plan {
	t.Helper()
	plan, err := BuildPlan(s, st)
	if err != nil {
		t.Fatalf("BuildPlan: %v", err)
	}
	return plan
}

func planGolden(t *testing.T, plan *Plan) {
	t.Helper()
	out, err := json.MarshalIndent(plan, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.RequireEqual(t, out)
}

func changeByID(t *testing.T, plan *Plan, id string) Change {
	t.Helper()
	for _, c := range plan.Changes {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("plan has no change %q; it has %v", id, changeIDs(plan))
	return Change{}
}

func changeIDs(plan *Plan) []string {
	var ids []string
	for _, c := range plan.Changes {
		ids = append(ids, c.ID+"="+string(c.Action))
	}
	return ids
}

func TestPlanFreshCrossAccountCrossRegion(t *testing.T) {
	plan := mustPlan(t, freshSetup(), freshState())
	want := []string{"role-create=create", "dst-key-create=create", "dst-key-alias=create", "dst-bucket-create=create",
		"dst-encryption=create", "dst-versioning=create", "src-versioning=update", "role-policy=create",
		"dst-bucket-policy=create", "src-replication=create"}
	if got := changeIDs(plan); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("changes:\n got %v\nwant %v", got, want)
	}
	rolePolicy := changeByID(t, plan, "role-policy").After
	for _, needle := range []string{"kms:ViaService", "s3.us-east-1.amazonaws.com", "s3.eu-west-1.amazonaws.com",
		`"arn:aws:s3:::my-src/*"`, `"arn:aws:s3:::my-src"`, `"arn:aws:s3:::my-dst"`, "s3:ObjectOwnerOverrideToBucketOwner", srcKeyARN} {
		if !strings.Contains(rolePolicy, needle) {
			t.Errorf("role policy lacks %s:\n%s", needle, rolePolicy)
		}
	}
	planGolden(t, plan)
}

func TestPlanKeepsForeignStatementsAndRules(t *testing.T) {
	s, st := existingState()
	plan := mustPlan(t, s, st)
	bucketPolicy := changeByID(t, plan, "dst-bucket-policy")
	keyPolicy := changeByID(t, plan, "dst-key-policy")
	replication := changeByID(t, plan, "src-replication")
	mustKeep(t, st.Destination.Policy, bucketPolicy.After, "DenyInsecure")
	mustKeep(t, st.Destination.KeyPolicy, keyPolicy.After, "Enable IAM User Permissions", "AllowAuditors")
	var cfg struct {
		Role  string
		Rules []map[string]any
	}
	if err := json.Unmarshal([]byte(replication.After), &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Role != st.Role.Role.ARN || len(cfg.Rules) != 2 || cfg.Rules[0]["ID"] != "legacy" || cfg.Rules[1]["Priority"] != float64(8) {
		t.Fatalf("the existing role and rule must be kept and ours get priority 8:\n%s", replication.After)
	}
	legacyBefore, _ := json.Marshal(mustRules(t, st.Source.Replication)[0])
	legacyAfter, _ := json.Marshal(cfg.Rules[0])
	if same, _ := policy.Equivalent(legacyBefore, legacyAfter); !same {
		t.Fatalf("legacy rule changed:\n%s\n%s", legacyBefore, legacyAfter)
	}
	if strings.Contains(changeByID(t, plan, "role-policy").After, "service-role/legacy") {
		t.Fatal("role policy must not name the role")
	}
	if c := changeByID(t, plan, "role-trust"); c.Pending() {
		t.Fatalf("a trust policy that already lets S3 assume the role needs no change:\n%s", c.After)
	}
	planGolden(t, plan)
}

func mustRules(t *testing.T, doc string) []map[string]any {
	var cfg struct{ Rules []map[string]any }
	if err := json.Unmarshal([]byte(doc), &cfg); err != nil {
		t.Fatal(err)
	}
	return cfg.Rules
}

// mustKeep checks that every statement of before with the given Sids is in after,
// meaning the same.
func mustKeep(t *testing.T, before, after string, sids ...string) {
	t.Helper()
	b, err := policy.Parse(before)
	if err != nil {
		t.Fatal(err)
	}
	a, err := policy.Parse(after)
	if err != nil {
		t.Fatal(err)
	}
	for _, sid := range sids {
		was, _ := b.Statement(sid)
		now, ok := a.Statement(sid)
		if !ok {
			t.Fatalf("statement %q was dropped:\n%s", sid, after)
		}
		if same, _ := policy.Equivalent(was, now); !same {
			t.Fatalf("statement %q changed:\n%s\n%s", sid, was, now)
		}
	}
	if len(a.Statements()) <= len(b.Statements()) {
		t.Fatalf("expected our statements to be added:\n%s", after)
	}
}

func TestPlanSameAccount(t *testing.T) {
	s, st := existingState()
	st.Destination.Identity.AccountID = srcAccount
	st.Destination.Key.AccountID = srcAccount
	st.Destination.Key.ARN = strings.ReplaceAll(dstKeyARN, dstAccount, srcAccount)
	st.Destination.KeyPolicy = defaultKeyPolicy(srcAccount)
	s.Destination.KMSKey = st.Destination.Key.ARN
	plan := mustPlan(t, s, st)
	for _, c := range plan.Changes {
		if c.ID == "dst-bucket-policy" {
			t.Fatal("same account needs no bucket policy")
		}
	}
	if c := changeByID(t, plan, "dst-key-policy"); c.Pending() {
		t.Fatalf("a key policy that delegates to the account needs no statement:\n%s", c.After)
	}
	planGolden(t, plan)
}

func TestPlanSameRegionPrefixScoped(t *testing.T) {
	s := freshSetup()
	s.Destination.Region = "us-east-1"
	s.Rule.Prefix = "invoices/"
	s.Rule.DeleteMarkers = true
	s.Rule.ReplicationTime = true
	s.Rule.StorageClass = "STANDARD_IA"
	plan := mustPlan(t, s, freshState())
	rolePolicy := changeByID(t, plan, "role-policy").After
	if !strings.Contains(rolePolicy, `"arn:aws:s3:::my-src/invoices/*"`) || strings.Contains(rolePolicy, `"arn:aws:s3:::my-src/*"`) {
		t.Fatalf("role policy must be scoped to the prefix:\n%s", rolePolicy)
	}
	if strings.Contains(rolePolicy, "eu-west-1") {
		t.Fatalf("same Region: no other Region expected:\n%s", rolePolicy)
	}
	planGolden(t, plan)
}

func TestPlanTagFilter(t *testing.T) {
	s := freshSetup()
	s.Rule.Tags = map[string]string{"replicate": "yes", "team": "billing"}
	s.Rule.Prefix = "docs/"
	plan := mustPlan(t, s, freshState())
	rule := mustRules(t, changeByID(t, plan, "src-replication").After)[0]
	filter, _ := json.Marshal(rule["Filter"])
	if string(filter) != `{"And":{"Prefix":"docs/","Tags":[{"Key":"replicate","Value":"yes"},{"Key":"team","Value":"billing"}]}}` {
		t.Fatalf("filter: %s", filter)
	}
}

func TestPlanOwnerOverrideOff(t *testing.T) {
	s := freshSetup()
	off := false
	s.Rule.OwnerOverride = &off
	plan := mustPlan(t, s, freshState())
	for _, id := range []string{"role-policy", "dst-bucket-policy", "src-replication"} {
		if after := changeByID(t, plan, id).After; strings.Contains(after, "OwnerOverride") || strings.Contains(after, "AccessControlTranslation") {
			t.Errorf("%s mentions ownership override although it is off:\n%s", id, after)
		}
	}
}

func TestPlanSourceKeyWithoutDelegationGetsStatement(t *testing.T) {
	st := freshState()
	st.Source.KeyPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:role/admin"},"Action":"kms:*","Resource":"*"}]}`
	plan := mustPlan(t, freshSetup(), st)
	c := changeByID(t, plan, "src-key-policy")
	mustKeep(t, st.Source.KeyPolicy, c.After, "KeyAdmins")
}

func TestPlanRefusals(t *testing.T) {
	cases := map[string]struct {
		edit func(*Setup, *State)
		want string
	}{
		"aws managed key": {func(s *Setup, st *State) { st.Destination.Key.Manager = "AWS" }, "AWS managed key"},
		"key in other region": {func(s *Setup, st *State) {
			st.Destination.Key.Region = "eu-central-1"
		}, "is in eu-central-1 but the destination bucket is in eu-west-1"},
		"multi-Region key": {func(s *Setup, st *State) {
			st.Destination.Key.Region, st.Destination.Key.MultiRegion = "us-west-2", true
		}, "use its replica in eu-west-1"},
		"disabled key":         {func(s *Setup, st *State) { st.Destination.Key.State = "Disabled" }, "is Disabled"},
		"pending deletion key": {func(s *Setup, st *State) { st.Destination.Key.State = "PendingDeletion" }, "cancel its deletion"},
		"asymmetric key": {func(s *Setup, st *State) {
			st.Destination.Key.Spec, st.Destination.Key.Usage = "RSA_2048", "SIGN_VERIFY"
		}, "symmetric encryption key"},
		"key of another account": {func(s *Setup, st *State) { st.Destination.Key.AccountID = "333333333333" }, "belongs to account 333333333333"},
		"role arn of another account": {func(s *Setup, st *State) {
			s.Role = RoleSetup{ARN: "arn:aws:iam::999999999999:role/x"}
		}, "must be in the source account"},
		"object lock mismatch": {func(s *Setup, st *State) { st.Source.ObjectLock = true }, "Object Lock"},
		"tags with delete markers": {func(s *Setup, st *State) {
			s.Rule.Tags, s.Rule.DeleteMarkers = map[string]string{"a": "b"}, true
		}, "delete-marker replication is not allowed with a tag filter"},
		"invalid bucket": {func(s *Setup, st *State) { s.Destination.Bucket = "My_Bucket" }, "lowercase letters"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			s, st := existingState()
			tc.edit(&s, st)
			_, err := BuildPlan(s, st)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want refusal containing %q, got %v", tc.want, err)
			}
		})
	}
}

// v1Replication is a configuration in the V1 schema, as older tools wrote it: rules
// with a Prefix and no Filter, Priority or DeleteMarkerReplication.
const v1Replication = `{"Role":"arn:aws:iam::111111111111:role/service-role/legacy-replication","Rules":[` +
	`{"ID":"logs","Prefix":"logs/","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::legacy-archive","StorageClass":"GLACIER"}},` +
	`{"ID":"paused","Prefix":"tmp/","Status":"Disabled","SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},` +
	`"Destination":{"Bucket":"arn:aws:s3:::legacy-archive","EncryptionConfiguration":{"ReplicaKmsKeyID":"arn:aws:kms:us-east-1:111111111111:key/old"}}}]}`

// TestPlanUpgradesV1Configuration: S3 refuses a V2 rule beside V1 rules, so the plan
// rewrites the V1 rules as V2 with the same meaning, says so, and keeps every other
// member of each rule; the configuration's role stays.
func TestPlanUpgradesV1Configuration(t *testing.T) {
	s, st := existingState()
	st.Source.Replication = v1Replication
	plan := mustPlan(t, s, st)
	c := changeByID(t, plan, "src-replication")
	var after struct {
		Role  string
		Rules []map[string]any
	}
	if err := json.Unmarshal([]byte(c.After), &after); err != nil {
		t.Fatal(err)
	}
	if after.Role != "arn:aws:iam::111111111111:role/service-role/legacy-replication" || len(after.Rules) != 3 {
		t.Fatalf("role %s, %d rules; want the legacy role and 3 rules", after.Role, len(after.Rules))
	}
	want := []string{
		`{"DeleteMarkerReplication":{"Status":"Enabled"},"Destination":{"Bucket":"arn:aws:s3:::legacy-archive","StorageClass":"GLACIER"},"Filter":{"Prefix":"logs/"},"ID":"logs","Priority":1,"Status":"Enabled"}`,
		`{"DeleteMarkerReplication":{"Status":"Enabled"},"Destination":{"Bucket":"arn:aws:s3:::legacy-archive","EncryptionConfiguration":{"ReplicaKmsKeyID":"arn:aws:kms:us-east-1:111111111111:key/old"}},"Filter":{"Prefix":"tmp/"},"ID":"paused","Priority":2,"SourceSelectionCriteria":{"SseKmsEncryptedObjects":{"Status":"Enabled"}},"Status":"Disabled"}`,
	}
	for i, w := range want {
		if got, _ := json.Marshal(after.Rules[i]); string(got) != w {
			t.Errorf("rule %d upgraded to\n%s\nwant\n%s", i+1, got, w)
		}
	}
	if ours := after.Rules[2]; ours["ID"] != s.RuleID() || ours["Priority"] != float64(3) {
		t.Errorf("our rule is %v with priority %v, want %s with 3", ours["ID"], ours["Priority"], s.RuleID())
	}
	if !strings.Contains(strings.Join(plan.Warnings, "\n"), "old V1 schema") || !strings.Contains(strings.Join(plan.Warnings, "\n"), "(logs, paused)") {
		t.Errorf("the plan does not say it rewrites the V1 rules: %q", plan.Warnings)
	}
	if again := mustPlan(t, s, applyToState(t, plan, st)); len(again.Pending()) != 0 {
		t.Fatalf("after the upgrade a second plan has changes: %v", changeIDs(again))
	}
}

// TestV1UpgradeLeavesV2Alone: a configuration already in V2 is not rewritten, and
// priorities given in a V1 rule are kept.
func TestV1UpgradeLeavesV2Alone(t *testing.T) {
	if V1Rules(existingStateReplication()) != nil {
		t.Fatal("a V2 configuration reported V1 rules")
	}
	rules := []json.RawMessage{
		json.RawMessage(`{"ID":"a","Prefix":"a/","Priority":1,"Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::x"}}`),
		json.RawMessage(`{"ID":"b","Prefix":"b/","Status":"Enabled","Destination":{"Bucket":"arn:aws:s3:::x"}}`),
	}
	upgraded, err := upgradeV1(rules)
	if err != nil || !upgraded {
		t.Fatalf("upgraded %v, %v", upgraded, err)
	}
	for i, want := range []float64{1, 2} {
		var rule map[string]any
		if err := json.Unmarshal(rules[i], &rule); err != nil {
			t.Fatal(err)
		}
		if _, top := rule["Prefix"]; top || rule["Priority"] != want || rule["Filter"] == nil {
			t.Errorf("rule %d: %s, want priority %v and the prefix only in Filter", i+1, rules[i], want)
		}
	}
}

func existingStateReplication() string {
	_, st := existingState()
	return st.Source.Replication
}

// TestSecondPlanIsEmpty applies a plan's documents to the state, as AWS would store
// them, and plans again: nothing must be left to do.
func TestSecondPlanIsEmpty(t *testing.T) {
	for name, scenario := range map[string]func() (Setup, *State){
		"fresh":    func() (Setup, *State) { return freshSetup(), freshState() },
		"existing": existingState,
	} {
		t.Run(name, func(t *testing.T) {
			s, st := scenario()
			plan := mustPlan(t, s, st)
			applied := applyToState(t, plan, st)
			again := mustPlan(t, s, applied)
			if pending := again.Pending(); len(pending) > 0 {
				t.Fatalf("second plan is not empty: %v\n%s", changeIDs(again), pending[0].After)
			}
		})
	}
}

// applyToState is what Apply would leave behind, written into a copy of the state.
func applyToState(t *testing.T, plan *Plan, st *State) *State {
	t.Helper()
	out := *st
	f := plan.Facts
	keyARN := "arn:aws:kms:eu-west-1:222222222222:key/33333333-3333-3333-3333-333333333333"
	for _, c := range plan.Pending() {
		after := strings.ReplaceAll(c.After, f.NewKeyARN(), keyARN)
		switch c.ID {
		case "role-create", "role-trust":
			role := awsops.Role{Name: RoleNameOf(f.RoleARN), ARN: f.RoleARN, TrustPolicy: after}
			out.Role.Role = &role
		case "role-policy":
			out.Role.Policy = after
		case "dst-key-create":
			out.Destination.Key = &awsops.KeyInfo{ARN: keyARN, Region: "eu-west-1", AccountID: f.DestAccount, State: "Enabled", Spec: "SYMMETRIC_DEFAULT", Usage: "ENCRYPT_DECRYPT", Manager: "CUSTOMER"}
			out.Destination.KeyPolicy = after
		case "dst-key-policy":
			out.Destination.KeyPolicy = after
		case "src-key-policy":
			out.Source.KeyPolicy = after
		case "dst-bucket-create":
			out.Destination.BucketExists, out.Destination.Region, out.Destination.Ownership = true, f.DestRegion, "BucketOwnerEnforced"
		case "dst-encryption":
			out.Destination.Encryption = awsops.Encryption{Algorithm: "aws:kms", KMSKeyID: keyARN, BucketKey: true}
		case "dst-versioning":
			out.Destination.Versioning = "Enabled"
		case "src-versioning":
			out.Source.Versioning = "Enabled"
		case "dst-bucket-policy":
			out.Destination.Policy = after
		case "src-replication":
			out.Source.Replication = after
		case "dst-key-alias":
		default:
			t.Fatalf("applyToState does not know change %s", c.ID)
		}
	}
	return &out
}

// TestPlanBlockers: a Deny of the role's requests blocks; a Deny of insecure
// transport, in either of its common forms, does not (S3 replicates over TLS); a Deny
// outside the organization is a warning, since the role's organization is unknown.
func TestPlanBlockers(t *testing.T) {
	deny := func(condition string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Guard","Effect":"Deny","Principal":"*","Action":"s3:*",` +
			`"Resource":["arn:aws:s3:::my-dst","arn:aws:s3:::my-dst/*"],"Condition":` + condition + `}]}`
	}
	cases := []struct {
		name, policy      string
		blocks, warnsOnly bool
	}{
		{"insecure transport (Bool)", deny(`{"Bool":{"aws:SecureTransport":"false"}}`), false, false},
		{"insecure transport (BoolIfExists)", deny(`{"BoolIfExists":{"aws:SecureTransport":"false"}}`), false, false},
		{"other accounts", deny(`{"StringNotEquals":{"aws:PrincipalAccount":"222222222222"}}`), true, false},
		{"outside the organization", deny(`{"StringNotEquals":{"aws:PrincipalOrgID":"o-abc123"}}`), false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, st := existingState()
			st.Destination.Policy = tc.policy
			plan := mustPlan(t, s, st)
			warned := strings.Contains(strings.Join(plan.Warnings, "\n"), `statement "Guard"`)
			if blocks := len(plan.Blockers) > 0; blocks != tc.blocks || warned != tc.warnsOnly {
				t.Fatalf("blockers %q, warned %v; want blocking %v, warning %v", plan.Blockers, warned, tc.blocks, tc.warnsOnly)
			}
		})
	}
}

// TestPlanBlockersNameTheRightBucket: keys may hold ':', so the bucket a Deny guards is
// read from the ARN, and the same Sid in both bucket policies is two findings.
func TestPlanBlockersNameTheRightBucket(t *testing.T) {
	s, st := existingState()
	s.Rule.Prefix = "logs:2024/"
	guard := func(bucket string) string {
		return `{"Version":"2012-10-17","Statement":[{"Sid":"Guard","Effect":"Deny","Principal":"*","Action":"s3:*",` +
			`"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],"Condition":{"StringNotEquals":{"aws:PrincipalAccount":"999999999999"}}}]}`
	}
	st.Source.Policy, st.Destination.Policy = guard("my-src"), guard("my-dst")
	plan := mustPlan(t, s, st)
	joined := strings.Join(plan.Blockers, "\n")
	if len(plan.Blockers) != 2 || !strings.Contains(joined, "of my-dst denies") || !strings.Contains(joined, "of my-src denies") {
		t.Fatalf("want one blocker per bucket: %q", plan.Blockers)
	}
}

// TestPlanRegionGuardrailAllowsTheSetupsRegions: the common "only these Regions"
// guardrail on the role blocks nothing when it names both Regions, and blocks when it
// leaves the destination's out (requests carry aws:RequestedRegion).
func TestPlanRegionGuardrailAllowsTheSetupsRegions(t *testing.T) {
	for regions, blocks := range map[string]bool{`["us-east-1","eu-west-1"]`: false, `["us-east-1"]`: true} {
		s, st := existingState()
		st.Role.ManagedRead = true
		st.Role.Managed = []string{`{"Version":"2012-10-17","Statement":[{"Sid":"RegionGuard","Effect":"Deny","NotAction":["iam:*","sts:*"],"Resource":"*",` +
			`"Condition":{"StringNotEquals":{"aws:RequestedRegion":` + regions + `}}}]}`}
		plan := mustPlan(t, s, st)
		if got := len(plan.Blockers) > 0; got != blocks {
			t.Errorf("regions %s: blockers %q, want blocking %v", regions, plan.Blockers, blocks)
		}
	}
}

// TestPlanBoundaryOnWhatCannotBeSeen: a boundary that allows or denies by the role's
// tags or the resource's organization is a warning naming its statement, not a
// blocker.
func TestPlanBoundaryOnWhatCannotBeSeen(t *testing.T) {
	for name, boundary := range map[string]string{
		"perimeter Deny": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},` +
			`{"Sid":"Perimeter","Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"StringNotEquals":{"aws:ResourceOrgID":"o-abc123"}}}]}`,
		"tagged Allow": `{"Version":"2012-10-17","Statement":[{"Sid":"Perimeter","Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":"data"}}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			s, st := existingState()
			st.Role.Role.PermissionsBoundary = "arn:aws:iam::111111111111:policy/boundary"
			st.Role.Boundary = boundary
			plan := mustPlan(t, s, st)
			if len(plan.Blockers) > 0 || !strings.Contains(strings.Join(plan.Warnings, "\n"), `statement "Perimeter" of the permissions boundary`) {
				t.Fatalf("blockers %q\nwarnings %q", plan.Blockers, plan.Warnings)
			}
		})
	}
}

// TestRuleOptionsTurnedOffArePlanned: storage class, RTC, metrics, replica sync and a
// tag filter, once in the rule and then left out of the setup, change the rule.
func TestRuleOptionsTurnedOffArePlanned(t *testing.T) {
	for name, edit := range map[string]func(*RuleSetup){
		"storage class":  func(r *RuleSetup) { r.StorageClass = "GLACIER" },
		"RTC":            func(r *RuleSetup) { r.ReplicationTime = true },
		"metrics":        func(r *RuleSetup) { r.Metrics = true },
		"replica sync":   func(r *RuleSetup) { r.ReplicaModifications = true },
		"tag filter":     func(r *RuleSetup) { r.Tags = map[string]string{"replicate": "yes"} },
		"owner override": func(r *RuleSetup) { on := true; r.OwnerOverride = &on },
	} {
		t.Run(name, func(t *testing.T) {
			s, st := freshSetup(), freshState()
			with := s
			edit(&with.Rule)
			applied := applyToState(t, mustPlan(t, with, st), st)
			if name == "owner override" {
				off := false
				s.Rule.OwnerOverride = &off
			}
			c := changeByID(t, mustPlan(t, s, applied), "src-replication")
			if !c.Pending() {
				t.Fatalf("the rule keeps %s after the setup left it out:\n%s", name, c.Before)
			}
		})
	}
}

// TestRerunEncryptsABucketLeftOnS3sDefault: a run that stopped right after creating
// the destination bucket left it on SSE-S3. The rerun saw the bucket and never
// planned its encryption; now a bucket the setup creates gets the replica key default
// whenever it is not on SSE-KMS.
func TestRerunEncryptsABucketLeftOnS3sDefault(t *testing.T) {
	for algorithm, want := range map[string]bool{"AES256": true, "aws:kms": false} {
		s, st := freshSetup(), freshState()
		st.Destination.BucketExists, st.Destination.Region, st.Destination.Versioning = true, "eu-west-1", "Enabled"
		st.Destination.Ownership = "BucketOwnerEnforced"
		st.Destination.Encryption = awsops.Encryption{Algorithm: algorithm}
		plan := mustPlan(t, s, st)
		got := false
		for _, c := range plan.Pending() {
			got = got || c.ID == "dst-encryption"
		}
		if got != want {
			t.Errorf("bucket on %s: encryption planned %v, want %v (%v)", algorithm, got, want, changeIDs(plan))
		}
	}
}
