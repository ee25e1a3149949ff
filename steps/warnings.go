package steps

import (
	"fmt"
	"strings"
)

// warnings are what the user should know before applying, none of them a reason to
// refuse.
func warnings(s Setup, st *State, f Facts) []string {
	var w []string
	if existing := replicationRole(st.Source.Replication); existing != "" && RoleNameOf(existing) != s.RoleName() {
		w = append(w, fmt.Sprintf("the source bucket already replicates with role %s; S3 allows one role per bucket, so s3repl extends that role instead of using %s", existing, s.RoleName()))
	}
	w = append(w, "objects that are already in the source bucket are not replicated by the new rule; use S3 Batch Replication for them")
	bucketKeys := "S3 Bucket Keys reduce this sharply"
	if !st.Source.Encryption.BucketKey || !f.DestBucketKey {
		bucketKeys = "turn on S3 Bucket Keys on both buckets to cut this sharply"
	}
	w = append(w, fmt.Sprintf("KMS requests: every replicated object decrypts in %s and encrypts in %s; at 1,000 PUT/s plan about 2,500 KMS requests/s in each Region (%s)", f.SourceRegion, f.DestRegion, bucketKeys))
	switch {
	case st.Source.Encryption.Algorithm == "" || st.Source.Encryption.Algorithm == "AES256":
		w = append(w, "the source bucket's default encryption is not SSE-KMS: SSE-KMS objects under other keys replicate only if the role may decrypt with those keys (list them in source.kmsKeys)")
	case st.Source.Key == nil:
		w = append(w, fmt.Sprintf("the source bucket's key %s could not be read by the source profile: make sure the role may decrypt with it", st.Source.Encryption.KMSKeyID))
	case st.Source.Key.AccountID != "" && st.Source.Key.AccountID != f.SourceAccount:
		w = append(w, fmt.Sprintf("the source bucket's key %s belongs to account %s: its owner must let the role decrypt with it", st.Source.Key.ARN, st.Source.Key.AccountID))
	}
	if dst := st.Destination; dst.BucketExists {
		if dst.Encryption.Algorithm != "aws:kms" && dst.Encryption.Algorithm != "aws:kms:dsse" {
			w = append(w, fmt.Sprintf("destination bucket %s does not default to SSE-KMS; replicas still use the replica key, but other uploads there will not", f.DestBucket))
		}
		if f.CrossAccount() && !f.OwnerOverride && dst.Ownership != "BucketOwnerEnforced" {
			w = append(w, fmt.Sprintf("ownership override is off and bucket %s does not enforce bucket-owner ownership: replicas will stay owned by account %s", f.DestBucket, f.SourceAccount))
		}
	}
	if f.SourceRegion == f.DestRegion {
		w = append(w, "source and destination are in the same Region ("+f.SourceRegion+"): this is Same-Region Replication")
	}
	if strings.TrimSpace(s.Rule.Prefix) == "" && len(s.Rule.Tags) == 0 {
		w = append(w, "the rule covers the whole source bucket")
	}
	return w
}

// blockers name what will refuse S3's replication requests after the apply: Deny
// statements in place, and a permissions boundary that does not allow them. notes
// name the Deny statements that will unless a condition s3repl cannot check (the
// role's organization or tags) says otherwise. The apply adds what allows but never
// removes a Deny or changes a boundary, so without this the plan would look complete
// while every object fails. Deny statements are the same before and after the apply,
// so the current documents answer.
func blockers(s Setup, st *State, f Facts) (blocking, notes []string) {
	d := &diagnosis{setup: s, st: st, roleARN: f.RoleARN, rolePolicies: st.Role.Policies()}
	if f.OwnerOverride {
		d.rule.Destination.AccessControlTranslation = &struct{ Owner string }{Owner: "Destination"}
	}
	if k := st.Destination.Key; k != nil && sameKey(k.ARN, f.DestKeyARN) {
		d.replicaKey, d.replicaPol = k, st.Destination.KeyPolicy
	}
	denies, uncertain := d.explicitDenies()
	for _, deny := range denies {
		blocking = append(blocking, deny.String()+": every object will end FAILED until that statement changes (s3repl never removes statements it did not write)")
	}
	capped, maybe := d.boundaryDenials()
	if len(capped) > 0 {
		blocking = append(blocking, fmt.Sprintf("the role's permissions boundary %s does not allow what S3 needs, whatever the role's policies say; "+
			"every object will end FAILED until the boundary allows it (s3repl does not change boundaries):\n%s", st.Role.Role.PermissionsBoundary, strings.Join(capped, "\n")))
	}
	if len(maybe) > 0 {
		notes = append(notes, fmt.Sprintf("the role's permissions boundary %s decides on what s3repl cannot see (the role's organization or tags); "+
			"if it does not let these through, every object ends FAILED:\n%s", st.Role.Role.PermissionsBoundary, strings.Join(maybe, "\n")))
	}
	for _, deny := range uncertain {
		notes = append(notes, deny.String()+"; if it does not, every object ends FAILED")
	}
	return blocking, notes
}
