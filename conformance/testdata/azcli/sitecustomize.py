"""Run-time fixes for Debian's azure-cli 2.45 against azemu (tests only).

1. Names under .localhost resolve to the loopback address (RFC 6761), as
   systemd-resolved and browsers do; glibc without nss-myhostname does not.
2. Debian's python3-azure lacks the track-1 Key Vault SDK (azure.keyvault's
   KeyVaultClient, azure.keyvault.v7_0) that "az keyvault key ..." loads.
   The track-2 package has the same generated operations
   (azure.keyvault.keys._generated, API version 7.0): azure_keyvault_track1/
   exposes them under the track-1 names.
"""
import os
import socket

_getaddrinfo = socket.getaddrinfo


def _loopback_getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.lower().rstrip('.').endswith('.localhost'):
        host = '127.0.0.1'
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _loopback_getaddrinfo


def _track1_keyvault():
    try:
        import azure.keyvault as kv
    except ImportError:
        return
    if hasattr(kv, 'KeyVaultClient') or not hasattr(kv.__path__, 'append'):
        return
    kv.__path__.append(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'azure_keyvault_track1'))

    def attr(name):
        import importlib
        if name in ('KeyVaultClient', 'KeyVaultAuthentication'):
            mod = 'key_vault_client' if name == 'KeyVaultClient' else 'key_vault_authentication'
            return getattr(importlib.import_module('azure.keyvault.' + mod), name)
        raise AttributeError(name)

    kv.__getattr__ = attr


_track1_keyvault()
