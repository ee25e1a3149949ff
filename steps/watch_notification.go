package steps

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// The event types s3repl's notification asks for: failures always, the Replication
// Time Control threshold events when RTC is on [replication-metrics-events].
const (
	EventFailedReplication         = "s3:Replication:OperationFailedReplication"
	EventMissedThreshold           = "s3:Replication:OperationMissedThreshold"
	EventReplicatedAfterThreshold  = "s3:Replication:OperationReplicatedAfterThreshold"
	eventNamePrefixForReplications = "Replication:"
)

// QueueNotification is one QueueConfiguration of a bucket's notification
// configuration, in the S3 API's JSON shape.
type QueueNotification struct {
	ID       string   `json:"Id"`
	QueueArn string   `json:"QueueArn"`
	Events   []string `json:"Events"`
}

// MergeNotification puts ours into a bucket's notification configuration (S3
// replaces the whole configuration on every put): a queue configuration with our Id
// is replaced where it stands, otherwise ours is appended; every other queue, topic,
// Lambda and EventBridge configuration is kept as it was, member for member. It
// reports whether anything changed. An empty existing document is no configuration.
func MergeNotification(existing string, ours QueueNotification) (string, bool, error) {
	members := map[string]json.RawMessage{}
	if existing != "" {
		if err := json.Unmarshal([]byte(existing), &members); err != nil {
			return "", false, fmt.Errorf("reading the bucket's notification configuration: %w", err)
		}
	}
	if members == nil { // the document was null
		members = map[string]json.RawMessage{}
	}
	var queues []json.RawMessage
	if raw, ok := members["QueueConfigurations"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &queues); err != nil {
			return "", false, fmt.Errorf("reading the bucket's queue notifications: %w", err)
		}
	}
	mine, err := json.Marshal(ours)
	if err != nil {
		return "", false, err
	}
	changed := true
	i := slices.IndexFunc(queues, func(q json.RawMessage) bool { return notificationID(q) == ours.ID })
	if i < 0 {
		queues = append(queues, mine)
	} else {
		if changed = !sameNotification(queues[i], ours); changed {
			queues[i] = mine
		}
	}
	members["QueueConfigurations"], err = json.Marshal(queues)
	if err != nil {
		return "", false, err
	}
	doc, err := indentedJSON(members)
	return doc, changed, err
}

func notificationID(raw json.RawMessage) string {
	var q struct{ Id string }
	_ = json.Unmarshal(raw, &q)
	return q.Id
}

// sameNotification compares as S3 does: the events are a set, and a filter, which
// ours never has, makes it different.
func sameNotification(raw json.RawMessage, ours QueueNotification) bool {
	var q struct {
		Id, QueueArn string
		Events       []string
		Filter       json.RawMessage
	}
	if json.Unmarshal(raw, &q) != nil || q.Filter != nil || q.QueueArn != ours.QueueArn {
		return false
	}
	have, want := slices.Clone(q.Events), slices.Clone(ours.Events)
	slices.Sort(have)
	slices.Sort(want)
	return slices.Equal(have, want)
}

// HasNotification reports whether a notification configuration sends ours: a queue
// configuration with our Id, our queue and at least the failure event.
func HasNotification(config string, ours QueueNotification) bool {
	var c struct{ QueueConfigurations []json.RawMessage }
	if config == "" || json.Unmarshal([]byte(config), &c) != nil {
		return false
	}
	for _, raw := range c.QueueConfigurations {
		var q QueueNotification
		if json.Unmarshal(raw, &q) == nil && q.ID == ours.ID && q.QueueArn == ours.QueueArn && slices.Contains(q.Events, EventFailedReplication) {
			return true
		}
	}
	return false
}

// RemoveNotification takes the queue configuration with our Id out of a bucket's
// notification configuration, keeping everything else as it was; "{}" when nothing
// is left, which S3 takes as no notifications. It reports whether anything changed.
func RemoveNotification(existing, id string) (string, bool, error) {
	members := map[string]json.RawMessage{}
	if existing != "" {
		if err := json.Unmarshal([]byte(existing), &members); err != nil {
			return "", false, fmt.Errorf("reading the bucket's notification configuration: %w", err)
		}
	}
	if members == nil {
		members = map[string]json.RawMessage{}
	}
	var queues []json.RawMessage
	if raw, ok := members["QueueConfigurations"]; ok && string(raw) != "null" {
		if err := json.Unmarshal(raw, &queues); err != nil {
			return "", false, fmt.Errorf("reading the bucket's queue notifications: %w", err)
		}
	}
	kept := slices.DeleteFunc(slices.Clone(queues), func(q json.RawMessage) bool { return notificationID(q) == id })
	changed := len(kept) != len(queues)
	if len(kept) == 0 {
		delete(members, "QueueConfigurations")
	} else {
		raw, err := json.Marshal(kept)
		if err != nil {
			return "", false, err
		}
		members["QueueConfigurations"] = raw
	}
	doc, err := indentedJSON(members)
	return doc, changed, err
}

// indentedJSON writes a notification configuration's members as the document s3repl
// puts back: indented two spaces.
func indentedJSON(members map[string]json.RawMessage) (string, error) {
	out, err := json.Marshal(members)
	if err != nil {
		return "", err
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, out, "", "  "); err != nil {
		return "", err
	}
	return pretty.String(), nil
}
