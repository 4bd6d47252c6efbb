from azure.keyvault.keys._generated.v7_0.models import *  # noqa: F401,F403


class KeyVaultErrorException(Exception):
    """Track-1 error type the CLI's error handler tests for."""
