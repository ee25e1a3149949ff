package steps

// StorageClassChoice is a storage class a replication rule can give its replicas:
// its API value and the name the S3 console gives it [sc-howtoset].
type StorageClassChoice struct {
	Value string // what PutBucketReplication takes as Destination.StorageClass
	Name  string
}

// ReplicaStorageClasses are the classes to offer for replicas, from the most to the
// least readily available, in the console's words [sc-howtoset]. Left out:
// REDUCED_REDUNDANCY, the legacy class for reproducible data that keeps fewer copies
// than S3 Standard [UsingRRS], and the classes of other kinds of bucket or storage
// (EXPRESS_ONEZONE for directory buckets, OUTPOSTS, SNOW, FSX_*), which a general
// purpose destination bucket does not take. A setup file may still name any class
// in StorageClasses.
var ReplicaStorageClasses = []StorageClassChoice{
	{"STANDARD", "S3 Standard"},
	{"INTELLIGENT_TIERING", "S3 Intelligent-Tiering"},
	{"STANDARD_IA", "S3 Standard-IA"},
	{"ONEZONE_IA", "S3 One Zone-IA"},
	{"GLACIER_IR", "S3 Glacier Instant Retrieval"},
	{"GLACIER", "S3 Glacier Flexible Retrieval"},
	{"DEEP_ARCHIVE", "S3 Glacier Deep Archive"},
}

// StorageClassName is the console's name for a storage class value, such as
// "S3 Glacier Flexible Retrieval" for GLACIER; the value itself when it has none
// here, and "same as the source object" for "" (no class in the rule: S3 keeps the
// source object's class).
func StorageClassName(value string) string {
	switch value {
	case "":
		return "same as the source object"
	case "REDUCED_REDUNDANCY":
		return "Reduced Redundancy Storage"
	}
	for _, c := range ReplicaStorageClasses {
		if c.Value == value {
			return c.Name
		}
	}
	return value
}
