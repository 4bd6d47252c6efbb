"""Track-1 key_vault_id: the CLI's vendored copy, loaded without its package."""
import importlib.util
import os

import azure.cli.command_modules.keyvault.vendored_sdks as _vendored

_spec = importlib.util.spec_from_file_location(
    __name__ + '._vendored', os.path.join(_vendored.__path__[0], 'azure_keyvault_t1', 'key_vault_id.py'))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
globals().update({k: v for k, v in vars(_mod).items() if not k.startswith('__')})
