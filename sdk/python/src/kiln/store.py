"""Kiln's content-addressed artifact store, as the TypeScript side keeps it (artifacts/src).

The identity of an artifact is ``sha256:<hex>`` of its bytes. The folder store keeps it at
``<root>/sha256/<hex[0:2]>/<hex[2:4]>/<hex>`` (written to ``<root>/tmp`` first, made read-only and
renamed into place); the S3 store under the same key in its bucket. So a TypeScript node reads what a
Python node wrote, and the other way round, with the same digests. Every read verifies the digest.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import tempfile
import uuid
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any, Mapping, Sequence

from .values import ArtifactRef

READ_CHUNK = 1 << 20
S3_PART_SIZE = 16 * 1024 * 1024


class ArtifactNotFound(Exception):
    """No artifact with this digest in the store."""


class ArtifactIntegrityError(Exception):
    """The stored bytes do not hash to their digest."""


def digest_hex(digest: str) -> str:
    """The hex part of ``sha256:<64 hex>``; raises ValueError for anything else."""
    if not (digest.startswith("sha256:") and len(digest) == 71 and all(c in "0123456789abcdef" for c in digest[7:])):
        raise ValueError(f"{digest!r} is not a sha256:<64 hex> digest")
    return digest[7:]


def key_of(hex_digest: str) -> str:
    """The key (relative path) of an artifact: ``sha256/ab/cd/<hex>``."""
    return f"sha256/{hex_digest[0:2]}/{hex_digest[2:4]}/{hex_digest}"


_KEY_SEGMENT = re.compile(r"^[A-Za-z0-9_%.-]+$")


def check_object_key(key: str) -> str:
    """A named object's key as artifacts/src/named-objects.ts checks it: no empty, ``.`` or ``..`` segment."""
    parts = key.split("/")
    if not parts or any(p in ("", ".", "..") or not _KEY_SEGMENT.match(p) for p in parts):
        raise ValueError(f"invalid object key {key!r}")
    return key


def _hash_file(path: str | os.PathLike[str]) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(READ_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


class ArtifactStore(ABC):
    """Where artifacts live; one per process, shared by every node it runs."""

    @abstractmethod
    def put_bytes(self, data: bytes, media_type: str, meta: Mapping[str, Any] | None = None) -> ArtifactRef: ...

    @abstractmethod
    def put_file(self, path: str | os.PathLike[str], media_type: str, meta: Mapping[str, Any] | None = None) -> ArtifactRef:
        """Stores a file's bytes (the file may be moved into the store: do not use it afterwards)."""

    @abstractmethod
    def get(self, digest: str) -> bytes: ...

    @abstractmethod
    def local_path(self, digest: str) -> str:
        """A local file holding the artifact's verified bytes (read-only)."""

    @abstractmethod
    def has(self, digest: str) -> bool: ...

    @abstractmethod
    def put_object(self, key: str, data: bytes) -> None:
        """Writes a named object (``named/<key>``: attempt logs), replacing it whole."""

    @abstractmethod
    def remove_objects(self, keys: Sequence[str]) -> None:
        """Removes named objects; a missing one is not an error."""

    def put_json(self, value: Any, meta: Mapping[str, Any] | None = None) -> ArtifactRef:
        """Stores a JSON document as the TypeScript nodes do (``JSON.stringify``: compact, UTF-8)."""
        import json

        text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return self.put_bytes(text.encode("utf-8"), "application/json", meta)

    def get_json(self, ref: ArtifactRef | Mapping[str, Any]) -> Any:
        import json

        digest = ref["digest"] if isinstance(ref, Mapping) else ref.digest
        return json.loads(self.get(digest).decode("utf-8"))


class FolderArtifactStore(ArtifactStore):
    """Files under ``<root>/sha256/ab/cd/<hex>``, as ``FolderArtifactStore`` in artifacts/src/folder-store.ts."""

    def __init__(self, root: str | os.PathLike[str], fsync: bool = True) -> None:
        self.root = Path(root).resolve()
        self.fsync = fsync

    def path_of(self, digest: str) -> Path:
        return self._hex_path(digest_hex(digest))

    def _hex_path(self, hex_digest: str) -> Path:
        return self.root / key_of(hex_digest)

    def _ref(self, hex_digest: str, size: int, media_type: str, meta: Mapping[str, Any] | None) -> ArtifactRef:
        return ArtifactRef(uri=self._hex_path(hex_digest).as_uri(), digest=f"sha256:{hex_digest}", size=size, media_type=media_type, meta=dict(meta) if meta is not None else None)

    def _is_stored(self, hex_digest: str, size: int) -> bool:
        try:
            st = self._hex_path(hex_digest).stat()
        except FileNotFoundError:
            return False
        return st.st_size == size and self._hex_path(hex_digest).is_file()

    def _temp_path(self) -> Path:
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        return tmp / f"{uuid.uuid4()}.part"

    def _commit(self, temp: Path, hex_digest: str, size: int) -> None:
        # Write once: an existing file of the right size is kept (reads verify it).
        if self._is_stored(hex_digest, size):
            return
        path = self._hex_path(hex_digest)
        os.chmod(temp, 0o444)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp, path)

    def put_bytes(self, data: bytes, media_type: str, meta: Mapping[str, Any] | None = None) -> ArtifactRef:
        hex_digest = hashlib.sha256(data).hexdigest()
        if not self._is_stored(hex_digest, len(data)):
            temp = self._temp_path()
            try:
                with open(temp, "xb") as f:
                    f.write(data)
                    if self.fsync:
                        f.flush()
                        os.fsync(f.fileno())
                self._commit(temp, hex_digest, len(data))
            finally:
                temp.unlink(missing_ok=True)
        return self._ref(hex_digest, len(data), media_type, meta)

    def put_file(self, path: str | os.PathLike[str], media_type: str, meta: Mapping[str, Any] | None = None) -> ArtifactRef:
        hex_digest, size = _hash_file(path)
        if not self._is_stored(hex_digest, size):
            temp = self._temp_path()
            try:
                try:
                    os.replace(path, temp)
                except OSError:  # another file system: copy
                    shutil.copyfile(path, temp)
                if self.fsync:
                    with open(temp, "rb") as f:
                        os.fsync(f.fileno())
                self._commit(temp, hex_digest, size)
            finally:
                temp.unlink(missing_ok=True)
        return self._ref(hex_digest, size, media_type, meta)

    def get(self, digest: str) -> bytes:
        hex_digest = digest_hex(digest)
        path = self._hex_path(hex_digest)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ArtifactNotFound(f"artifact {digest} is not in the folder store at {self.root}") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != hex_digest:
            raise ArtifactIntegrityError(f"artifact {digest} at {path} holds bytes of sha256:{actual}")
        return data

    def local_path(self, digest: str) -> str:
        hex_digest = digest_hex(digest)
        path = self._hex_path(hex_digest)
        if not path.is_file():
            raise ArtifactNotFound(f"artifact {digest} is not in the folder store at {self.root}")
        actual, _ = _hash_file(path)
        if actual != hex_digest:
            raise ArtifactIntegrityError(f"artifact {digest} at {path} holds bytes of sha256:{actual}")
        return str(path)

    def has(self, digest: str) -> bool:
        return self.path_of(digest).is_file()

    def put_object(self, key: str, data: bytes) -> None:
        path = self.root / "named" / check_object_key(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{path.name}.{uuid.uuid4()}.part")
        try:
            temp.write_bytes(data)
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)

    def remove_objects(self, keys: Sequence[str]) -> None:
        for key in keys:
            (self.root / "named" / check_object_key(key)).unlink(missing_ok=True)


class S3ArtifactStore(ArtifactStore):
    """The same layout in an S3 (or MinIO) bucket, as ``S3ArtifactStore`` in artifacts/src/s3-store.ts."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, region: str | None = None, cache_dir: str | None = None) -> None:
        from urllib.parse import urlparse

        from minio import Minio

        url = urlparse(endpoint)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError(f"S3_ENDPOINT={endpoint}: expected http(s)://host:port")
        port = url.port or (443 if url.scheme == "https" else 80)
        self.endpoint = endpoint
        self.bucket = bucket
        self.client = Minio(f"{url.hostname}:{port}", access_key=access_key, secret_key=secret_key, secure=url.scheme == "https", region=region)
        self.cache_dir = Path(cache_dir or Path(tempfile.gettempdir()) / "kiln-s3-cache" / bucket)
        self._bucket_ready = False

    def _ensure_bucket(self) -> None:
        if self._bucket_ready:
            return
        try:
            if not self.client.bucket_exists(self.bucket):
                try:
                    self.client.make_bucket(self.bucket)
                except Exception as err:  # made by another process meanwhile
                    if getattr(err, "code", None) not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
        except Exception as err:
            raise RuntimeError(f'S3 store at {self.endpoint}: cannot use bucket "{self.bucket}": {err}') from err
        self._bucket_ready = True

    def _where(self, hex_digest: str) -> str:
        return f"s3://{self.bucket}/{key_of(hex_digest)}"

    def _ref(self, hex_digest: str, size: int, media_type: str, meta: Mapping[str, Any] | None) -> ArtifactRef:
        return ArtifactRef(uri=self._where(hex_digest), digest=f"sha256:{hex_digest}", size=size, media_type=media_type, meta=dict(meta) if meta is not None else None)

    def _has_hex(self, hex_digest: str) -> bool:
        from minio.error import S3Error

        try:
            self.client.stat_object(self.bucket, key_of(hex_digest))
            return True
        except S3Error as err:
            if err.code in ("NoSuchKey", "NotFound", "NoSuchObject"):
                return False
            raise

    def put_bytes(self, data: bytes, media_type: str, meta: Mapping[str, Any] | None = None) -> ArtifactRef:
        self._ensure_bucket()
        hex_digest = hashlib.sha256(data).hexdigest()
        if not self._has_hex(hex_digest):
            self.client.put_object(self.bucket, key_of(hex_digest), io.BytesIO(data), len(data), content_type=media_type)
        return self._ref(hex_digest, len(data), media_type, meta)

    def put_file(self, path: str | os.PathLike[str], media_type: str, meta: Mapping[str, Any] | None = None) -> ArtifactRef:
        self._ensure_bucket()
        hex_digest, size = _hash_file(path)
        if not self._has_hex(hex_digest):
            self.client.fput_object(self.bucket, key_of(hex_digest), str(path), content_type=media_type, part_size=S3_PART_SIZE)
        return self._ref(hex_digest, size, media_type, meta)

    def _open(self, digest: str, hex_digest: str) -> Any:
        from minio.error import S3Error

        self._ensure_bucket()
        try:
            return self.client.get_object(self.bucket, key_of(hex_digest))
        except S3Error as err:
            if err.code in ("NoSuchKey", "NotFound", "NoSuchObject"):
                raise ArtifactNotFound(f"artifact {digest} is not in the S3 bucket {self.bucket} at {self.endpoint}") from None
            raise

    def get(self, digest: str) -> bytes:
        hex_digest = digest_hex(digest)
        response = self._open(digest, hex_digest)
        try:
            data = response.read()
        finally:
            response.close()
            response.release_conn()
        actual = hashlib.sha256(data).hexdigest()
        if actual != hex_digest:
            raise ArtifactIntegrityError(f"artifact {digest} at {self._where(hex_digest)} holds bytes of sha256:{actual}")
        return data

    def local_path(self, digest: str) -> str:
        hex_digest = digest_hex(digest)
        path = self.cache_dir / key_of(hex_digest)
        if path.is_file():
            return str(path)  # only verified downloads are renamed into place
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f"{path.name}.{uuid.uuid4()}.part")
        try:
            h = hashlib.sha256()
            response = self._open(digest, hex_digest)
            try:
                with open(temp, "wb") as out:
                    for chunk in response.stream(READ_CHUNK):
                        h.update(chunk)
                        out.write(chunk)
            finally:
                response.close()
                response.release_conn()
            if h.hexdigest() != hex_digest:
                raise ArtifactIntegrityError(f"artifact {digest} at {self._where(hex_digest)} holds bytes of sha256:{h.hexdigest()}")
            os.replace(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        return str(path)

    def has(self, digest: str) -> bool:
        self._ensure_bucket()
        return self._has_hex(digest_hex(digest))

    def put_object(self, key: str, data: bytes) -> None:
        self._ensure_bucket()
        self.client.put_object(self.bucket, f"named/{check_object_key(key)}", io.BytesIO(data), len(data))

    def remove_objects(self, keys: Sequence[str]) -> None:
        self._ensure_bucket()
        for key in keys:
            self.client.remove_object(self.bucket, f"named/{check_object_key(key)}")


def kiln_home(env: Mapping[str, str] = os.environ) -> Path:
    """``KILN_HOME``, default ``.kiln`` in the working directory (as engine/src/local/kiln-home.ts)."""
    return Path(env.get("KILN_HOME") or Path.cwd() / ".kiln").resolve()


def store_from_env(env: Mapping[str, str] = os.environ) -> ArtifactStore:
    """The store the TypeScript processes choose from the same variables (artifacts/src/default-store.ts):
    S3/MinIO when ``S3_ENDPOINT`` is set (``S3_BUCKET``, default ``kiln-artifacts``; ``S3_ACCESS_KEY`` /
    ``S3_SECRET_KEY`` or the AWS variables; ``S3_REGION``), else the folder ``KILN_ARTIFACTS`` or
    ``$KILN_HOME/artifacts``."""
    endpoint = env.get("S3_ENDPOINT")
    if endpoint:
        access = env.get("S3_ACCESS_KEY") or env.get("AWS_ACCESS_KEY_ID")
        secret = env.get("S3_SECRET_KEY") or env.get("AWS_SECRET_ACCESS_KEY")
        if not access or not secret:
            raise ValueError("S3_ENDPOINT is set but S3_ACCESS_KEY/S3_SECRET_KEY (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) are not")
        return S3ArtifactStore(endpoint, access, secret, env.get("S3_BUCKET") or "kiln-artifacts", env.get("S3_REGION") or None, str(kiln_home(env) / "cache" / "s3"))
    return FolderArtifactStore(env.get("KILN_ARTIFACTS") or kiln_home(env) / "artifacts")


__all__ = [
    "ArtifactIntegrityError",
    "ArtifactNotFound",
    "ArtifactStore",
    "FolderArtifactStore",
    "S3ArtifactStore",
    "digest_hex",
    "key_of",
    "store_from_env",
]
