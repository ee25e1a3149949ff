"""Starts moto's server with one fix the tests need.

moto stores a bucket's whole replication configuration but its GetBucketReplication
answers with a fixed Filter and DeleteMarkerReplication and drops SourceSelectionCriteria,
so nothing could be checked against what was stored. Real S3 returns what was put.
This launcher answers GetBucketReplication from what moto stored, in the API's shape,
and otherwise runs moto's server unchanged (same arguments as moto_server).
"""

import sys

from moto.core.responses import ActionResult
from moto.s3.exceptions import ReplicationConfigurationNotFoundError
from moto.s3.responses import S3Response
from moto.server import main

INTEGER_FIELDS = {"Priority", "Minutes"}


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def api_shape(node, parent=None):
    """xmltodict output -> the botocore shape the serializer expects."""
    if isinstance(node, list):
        return [api_shape(item, parent) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key.startswith("@"):
            continue
        if parent == "And" and key == "Tag":
            out["Tags"] = [api_shape(tag, "Tag") for tag in as_list(value)]
        elif key in INTEGER_FIELDS and isinstance(value, str):
            out[key] = int(value)
        elif value is None:
            out[key] = ""
        else:
            out[key] = api_shape(value, key)
    return out


def faithful_get_bucket_replication(self):
    self.data["Action"] = "GetBucketReplication"
    replication = self.backend.get_bucket_replication(self.bucket_name)
    if not replication:
        raise ReplicationConfigurationNotFoundError(bucket_name=self.bucket_name)
    rules = [api_shape(rule) for rule in as_list(replication["Rule"])]
    return self.serialized(
        ActionResult({"ReplicationConfiguration": {"Role": replication["Role"], "Rules": rules}})
    )


S3Response.get_bucket_replication = faithful_get_bucket_replication

if __name__ == "__main__":
    main(sys.argv[1:])
