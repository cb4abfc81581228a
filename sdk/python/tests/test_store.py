import hashlib
import os
import stat

import pytest

from kiln.store import ArtifactIntegrityError, ArtifactNotFound, FolderArtifactStore, store_from_env


def test_folder_layout_and_refs(tmp_path):
    store = FolderArtifactStore(tmp_path)
    data = b"hello kiln"
    hex_ = hashlib.sha256(data).hexdigest()
    ref = store.put_bytes(data, "text/plain", {"k": 1})
    path = tmp_path / "sha256" / hex_[:2] / hex_[2:4] / hex_
    assert ref.to_json() == {"uri": path.as_uri(), "digest": f"sha256:{hex_}", "size": len(data), "mediaType": "text/plain", "meta": {"k": 1}}
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o444
    assert store.put_bytes(data, "text/plain").digest == ref.digest  # written once
    assert store.get(ref.digest) == data and store.has(ref.digest)
    assert list((tmp_path / "tmp").iterdir()) == []


def test_reads_verify_the_digest(tmp_path):
    store = FolderArtifactStore(tmp_path)
    ref = store.put_bytes(b"original", "text/plain")
    path = store.path_of(ref.digest)
    os.chmod(path, 0o644)
    path.write_bytes(b"tampered")
    with pytest.raises(ArtifactIntegrityError):
        store.get(ref.digest)
    with pytest.raises(ArtifactNotFound):
        store.get("sha256:" + "0" * 64)
    with pytest.raises(ValueError, match="is not a sha256"):
        store.get("md5:abc")


def test_put_file_moves_the_file_in(tmp_path):
    store = FolderArtifactStore(tmp_path / "store")
    f = tmp_path / "x.bin"
    f.write_bytes(b"\x00" * 3_000_000)
    ref = store.put_file(f, "application/octet-stream")
    assert ref.size == 3_000_000 and not f.exists()
    assert store.local_path(ref.digest) == str(store.path_of(ref.digest))


def test_store_from_env(tmp_path):
    assert isinstance(store_from_env({"KILN_ARTIFACTS": str(tmp_path)}), FolderArtifactStore)
    assert store_from_env({"KILN_HOME": str(tmp_path)}).root == tmp_path / "artifacts"
    with pytest.raises(ValueError, match="S3_ACCESS_KEY"):
        store_from_env({"S3_ENDPOINT": "http://127.0.0.1:9"})


def test_named_objects_stay_in_their_area(tmp_path):
    store = FolderArtifactStore(tmp_path)
    store.put_object("logs/r/n/a1/end.json", b"{}")
    assert (tmp_path / "named/logs/r/n/a1/end.json").read_bytes() == b"{}"
    for bad in ("../x", "logs//x", "logs/./x", "a b"):
        with pytest.raises(ValueError, match="invalid object key"):
            store.put_object(bad, b"")
