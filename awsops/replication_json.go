package awsops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The SDK's replication types carry the S3 API's member names (Role, Rules, ID,
// ReplicaKmsKeyID, ...), so the JSON shape of the API is the shape of those structs,
// less what is unset.

// replicationToJSON writes c in the S3 API's JSON shape. Optional members that are
// not set are left out; set ones stay even when empty, because a Filter of {} or a
// Prefix of "" mean something.
func replicationToJSON(c *types.ReplicationConfiguration) (string, error) {
	doc, err := json.Marshal(apiShape(reflect.ValueOf(c)))
	if err != nil {
		return "", fmt.Errorf("writing the replication configuration as JSON: %w", err)
	}
	return string(doc), nil
}

func apiShape(v reflect.Value) any {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return apiShape(v.Elem())
	case reflect.Struct:
		members := map[string]any{}
		for i := range v.NumField() {
			field := v.Type().Field(i)
			if field.IsExported() && !isUnset(v.Field(i)) {
				members[field.Name] = apiShape(v.Field(i))
			}
		}
		return members
	case reflect.Slice:
		items := make([]any, v.Len())
		for i := range items {
			items[i] = apiShape(v.Index(i))
		}
		return items
	case reflect.String:
		return v.String()
	}
	return v.Interface()
}

// isUnset reports whether a struct member has no value. Optional scalars are pointers
// in the SDK; plain strings are enums, whose zero value means "not set".
func isUnset(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
		return v.IsNil()
	case reflect.String:
		return v.Len() == 0
	}
	return false
}

// replicationFromJSON reads a configuration in the S3 API's JSON shape. Unknown
// members are errors: a misspelt one would otherwise be dropped without a word.
func replicationFromJSON(doc string) (*types.ReplicationConfiguration, error) {
	var c types.ReplicationConfiguration
	dec := json.NewDecoder(bytes.NewReader([]byte(doc)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, &invalidDocumentError{What: "replication configuration", Err: err}
	}
	return &c, nil
}

// invalidDocumentError is a document s3repl could not turn into an API request.
type invalidDocumentError struct {
	What string
	Err  error
}

func (e *invalidDocumentError) Error() string { return "invalid " + e.What + ": " + e.Err.Error() }

func (e *invalidDocumentError) Unwrap() error { return e.Err }
