"""Track-1 KeyVaultClient: the track-2 generated client (API 7.0) with the
track-1 constructor, authenticating through the CLI's token callback."""
import time

from azure.core.credentials import AccessToken
from azure.keyvault.keys._generated.v7_0 import KeyVaultClient as _Generated
from azure.keyvault.keys._shared.challenge_auth_policy import ChallengeAuthPolicy


class _CallbackCredential:
    def __init__(self, auth):
        self._callback = auth.authorization_callback

    def get_token(self, *scopes, **kwargs):
        scope = scopes[0] if scopes else ''
        resource = scope[:-len('/.default')] if scope.endswith('/.default') else scope
        token = self._callback(None, resource, scope)
        return AccessToken(token[1], int(time.time()) + 300)


class KeyVaultClient(_Generated):
    def __init__(self, credentials, api_version=None, **kwargs):
        super().__init__(authentication_policy=ChallengeAuthPolicy(_CallbackCredential(credentials)))

    # The CLI passes its own arguments (identifier, ...) along; keep the
    # operation's own.
    def get_key_versions(self, vault_base_url, key_name, maxresults=None, **kwargs):
        return super().get_key_versions(vault_base_url, key_name, maxresults=maxresults)

    get_key_versions.metadata = _Generated.get_key_versions.metadata

    def get_keys(self, vault_base_url, maxresults=None, **kwargs):
        return super().get_keys(vault_base_url, maxresults=maxresults)

    get_keys.metadata = _Generated.get_keys.metadata
