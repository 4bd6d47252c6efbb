"""The official Azure SDKs for Python run unmodified against a running azemu.

conformance/python_test.go starts azemu and runs this script with Debian's
python3-azure (azure-storage-blob 12.15, azure-storage-file-share,
azure-keyvault-keys and azure-identity of early 2023). Endpoints come in
AZEMU_* variables; the CA is trusted through REQUESTS_CA_BUNDLE, never by
turning verification off. Each check prints one line; any failure exits 1.
"""

import os
import socket
import sys
import traceback
import uuid

from azure.core.exceptions import HttpResponseError
from azure.identity import ClientSecretCredential, ManagedIdentityCredential
from azure.keyvault.keys import KeyClient
from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm
from azure.storage.blob import BlobServiceClient
from azure.storage.fileshare import ShareServiceClient

TENANT = "00000000-0000-4000-8000-000000000000"
CLIENT_ID = "00000000-0000-4000-8000-000000000001"
CLIENT_SECRET = "azemu-development-secret"

CONN = os.environ["AZEMU_CONNECTION_STRING"]
VAULT = os.environ["AZEMU_VAULT_URL"]  # https://localhost:PORT
DEV_VAULT = os.environ["AZEMU_DEV_VAULT_URL"]  # https://devvault.vault.localhost:PORT


def resolve_localhost_names():
    """Reach *.localhost on the loopback address, as the Go tests' dialer
    does, for machines whose resolver does not (glibc without
    nss-myhostname); the TLS host name and the Key Vault challenge check are
    unchanged."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def check_blob():
    svc = BlobServiceClient.from_connection_string(CONN)
    name = "py-" + uuid.uuid4().hex[:8]
    container = svc.create_container(name)
    container.upload_blob("hello.txt", b"hello from python")
    assert container.download_blob("hello.txt").readall() == b"hello from python"
    names = [b.name for b in container.list_blobs()]
    assert names == ["hello.txt"], names
    try:
        container.download_blob("missing.txt").readall()
        raise AssertionError("a missing blob was read")
    except HttpResponseError as e:
        assert e.status_code == 404 and e.error_code == "BlobNotFound", (e.status_code, e.error_code)
    container.delete_container()


def check_files():
    svc = ShareServiceClient.from_connection_string(CONN)
    name = "py-" + uuid.uuid4().hex[:8]
    share = svc.create_share(name)
    share.create_directory("dir")
    f = share.get_file_client("dir/a.txt")
    f.upload_file(b"file data from python")
    assert f.download_file().readall() == b"file data from python"
    share.delete_share()


def check_keys(credential, label):
    keys = KeyClient(DEV_VAULT, credential)
    name = "py-" + uuid.uuid4().hex[:8]
    key = keys.create_rsa_key(name, size=2048)
    crypto = CryptographyClient(key, credential)
    secret = os.urandom(32)
    wrapped = crypto.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, secret)
    assert crypto.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped.encrypted_key).key == secret
    assert keys.get_key(name).id == key.id
    print(f"ok   key vault keys ({label})")


def main():
    resolve_localhost_names()
    failed = 0
    checks = [
        ("blob", check_blob),
        ("files", check_files),
        ("key vault keys (ManagedIdentityCredential)", lambda: check_keys(ManagedIdentityCredential(), "ManagedIdentityCredential")),
    ]
    if os.environ.get("AZEMU_SKIP_ADFS"):
        print("skip ClientSecretCredential: " + os.environ["AZEMU_SKIP_ADFS"])
    else:
        # This identity library validates authorities it does not know
        # against the public cloud; an AD FS authority (tenant "adfs") is not
        # validated, so it works offline.
        checks.append(("key vault keys (ClientSecretCredential)", lambda: check_keys(
            ClientSecretCredential("adfs", CLIENT_ID, CLIENT_SECRET, authority=VAULT), "ClientSecretCredential, AD FS authority")))
    for label, fn in checks:
        try:
            fn()
            if not label.startswith("key vault"):
                print(f"ok   {label}")
        except Exception:  # report every check, then fail
            failed += 1
            print(f"FAIL {label}")
            traceback.print_exc(file=sys.stdout)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
