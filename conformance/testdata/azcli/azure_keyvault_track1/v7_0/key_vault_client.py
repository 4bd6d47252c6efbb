from azure.keyvault.key_vault_client import KeyVaultClient  # noqa: F401
