package evaluator

import (
	"encoding/json"
	"testing"

	iam "github.com/micahhausler/aws-iam-policy/policy"
)

const (
	roleARN    = "arn:aws:iam::111122223333:role/service-role/replication"
	sessionARN = "arn:aws:sts::111122223333:assumed-role/replication/s3-replication"
	rootARN    = "arn:aws:iam::111122223333:root"
)

var (
	role          = Principal{ARN: roleARN}
	roleSession   = Principal{ARN: sessionARN}
	accountRoot   = Principal{ARN: rootARN}
	otherRole     = Principal{ARN: "arn:aws:iam::111122223333:role/other"}
	foreignRole   = Principal{ARN: "arn:aws:iam::444455556666:role/service-role/replication"}
	s3Service     = Principal{Service: "s3.amazonaws.com"}
	s3ServiceAsID = Principal{ARN: "s3.amazonaws.com"}
)

func parsePrincipalElement(t *testing.T, element string) *iam.Principal {
	t.Helper()
	var parsed iam.Principal
	if err := json.Unmarshal([]byte(element), &parsed); err != nil {
		t.Fatal(err)
	}
	return &parsed
}

func TestPrincipalElement(t *testing.T) {
	cases := []struct {
		name      string
		element   string
		principal Principal
		want      principalMatch
	}{
		{"everyone", `"*"`, role, directMatch},
		{"everyone includes services", `"*"`, s3Service, directMatch},
		{"AWS everyone", `{"AWS":"*"}`, role, directMatch},
		{"role ARN", `{"AWS":"` + roleARN + `"}`, role, directMatch},
		{"role ARN in a list", `{"AWS":["arn:aws:iam::111122223333:role/x","` + roleARN + `"]}`, role, directMatch},
		{"role path is compared", `{"AWS":"arn:aws:iam::111122223333:role/replication"}`, role, noMatch},
		{"other role", `{"AWS":"` + roleARN + `"}`, otherRole, noMatch},
		{"same role name in another account", `{"AWS":"` + roleARN + `"}`, foreignRole, noMatch},
		{"session of the role", `{"AWS":"` + roleARN + `"}`, roleSession, directMatch},
		{"session ARN itself", `{"AWS":"` + sessionARN + `"}`, roleSession, directMatch},
		{"session ARN does not name the role", `{"AWS":"` + sessionARN + `"}`, role, noMatch},
		{"account root delegates", `{"AWS":"` + rootARN + `"}`, role, accountMatch},
		{"account id delegates", `{"AWS":"111122223333"}`, roleSession, accountMatch},
		{"account root names the root user", `{"AWS":"111122223333"}`, accountRoot, directMatch},
		{"other account", `{"AWS":"arn:aws:iam::444455556666:root"}`, role, noMatch},
		{"direct beats account", `{"AWS":["111122223333","` + roleARN + `"]}`, role, directMatch},
		{"service", `{"Service":"s3.amazonaws.com"}`, s3Service, directMatch},
		{"service in a list", `{"Service":["batchoperations.s3.amazonaws.com","s3.amazonaws.com"]}`, s3ServiceAsID, directMatch},
		{"other service", `{"Service":"batchoperations.s3.amazonaws.com"}`, s3Service, noMatch},
		{"service is not an AWS principal", `{"AWS":"111122223333"}`, s3Service, noMatch},
		{"role is not a service", `{"Service":"s3.amazonaws.com"}`, role, noMatch},
		{"federated never matches", `{"Federated":"cognito-identity.amazonaws.com"}`, role, noMatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := matchPrincipalElement(parsePrincipalElement(t, c.element), c.principal.normalized())
			if got != c.want {
				t.Fatalf("match = %v, want %v", got, c.want)
			}
		})
	}
}

func TestNotPrincipalExcludes(t *testing.T) {
	cases := []struct {
		name      string
		element   string
		principal Principal
		excluded  bool
	}{
		{"role and its account", `{"AWS":["` + roleARN + `","` + rootARN + `"]}`, role, true},
		{"role without its account", `{"AWS":"` + roleARN + `"}`, role, false},
		{"account alone", `{"AWS":"111122223333"}`, role, false},
		{"account alone exempts the root user", `{"AWS":"111122223333"}`, accountRoot, true},
		{"session needs account, role and session", `{"AWS":["` + rootARN + `","` + roleARN + `","` + sessionARN + `"]}`, roleSession, true},
		{"session without its session ARN", `{"AWS":["` + rootARN + `","` + roleARN + `"]}`, roleSession, false},
		{"other role of the account", `{"AWS":["` + roleARN + `","` + rootARN + `"]}`, otherRole, false},
		{"service", `{"Service":"s3.amazonaws.com"}`, s3Service, true},
		{"other service", `{"Service":"s3.amazonaws.com"}`, Principal{Service: "sns.amazonaws.com"}, false},
		{"everyone", `"*"`, role, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := c.principal.normalized().excludedBy(parsePrincipalElement(t, c.element))
			if got != c.excluded {
				t.Fatalf("excluded = %v, want %v", got, c.excluded)
			}
		})
	}
}

func TestPrincipalNormalized(t *testing.T) {
	cases := []struct {
		in   Principal
		want Principal
	}{
		{role, Principal{AccountID: "111122223333", ARN: roleARN}},
		{roleSession, Principal{AccountID: "111122223333", ARN: sessionARN}},
		{s3ServiceAsID, s3Service},
		{Principal{AccountID: "999999999999", ARN: roleARN}, Principal{AccountID: "999999999999", ARN: roleARN}},
	}
	for _, c := range cases {
		if got := c.in.normalized(); got != c.want {
			t.Errorf("normalized(%+v) = %+v, want %+v", c.in, got, c.want)
		}
	}
}
