"""Starts moto's server with two fixes the tests need.

moto stores a bucket's whole replication configuration but its GetBucketReplication
answers with a fixed Filter and DeleteMarkerReplication and drops SourceSelectionCriteria,
so nothing could be checked against what was stored. Real S3 returns what was put.
This launcher answers GetBucketReplication from what moto stored, in the API's shape.

moto's ListBuckets accepts MaxBuckets but leaves out each bucket's BucketRegion and
never returns a ContinuationToken (the buckets past MaxBuckets are silently dropped).
Real S3, when the request carries any of its parameters, names each bucket's Region
and pages with ContinuationToken (API_ListBuckets). This launcher answers so.

Otherwise moto's server runs unchanged (same arguments as moto_server).
"""

import base64
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

LIST_BUCKETS_PARAMETERS = ("max-buckets", "continuation-token", "prefix", "bucket-region")
# S3 pages at 10,000 buckets when the request names no MaxBuckets (API_ListBuckets).
DEFAULT_MAX_BUCKETS = 10000
OWNER = {"ID": "bcaf1ffd86f41161ca5fb16fd081034f", "DisplayName": "webfile"}  # moto's own


def token_after(name):
    return base64.urlsafe_b64encode(("after:" + name).encode()).decode()


def name_after(token):
    if not token:
        return ""
    return base64.urlsafe_b64decode(token.encode()).decode().removeprefix("after:")


original_all_buckets = S3Response.all_buckets


def paged_all_buckets(self):
    if all(self._get_param(name) is None for name in LIST_BUCKETS_PARAMETERS):
        return original_all_buckets(self)
    self.data["Action"] = "ListAllMyBuckets"
    self._authenticate_and_authorize_s3_action()
    prefix = self._get_param("prefix") or ""
    region = self._get_param("bucket-region")
    max_buckets = int(self._get_param("max-buckets") or DEFAULT_MAX_BUCKETS)
    after = name_after(self._get_param("continuation-token"))
    buckets = sorted(
        (
            bucket
            for bucket in self.backend.buckets.values()
            if bucket.name > after
            and bucket.name.startswith(prefix)
            and (not region or bucket.region_name == region)
        ),
        key=lambda bucket: bucket.name,
    )
    page = buckets[:max_buckets]
    result = {
        "Owner": OWNER,
        "Buckets": [
            {
                "Name": bucket.name,
                "CreationDate": bucket.creation_date_ISO8601,
                "BucketRegion": bucket.region_name,
            }
            for bucket in page
        ],
    }
    if len(buckets) > max_buckets:
        result["ContinuationToken"] = token_after(page[-1].name)
    if prefix:
        result["Prefix"] = prefix
    self.data["Action"] = "ListBuckets"
    return self.serialized(ActionResult(result))


S3Response.all_buckets = paged_all_buckets

if __name__ == "__main__":
    main(sys.argv[1:])
