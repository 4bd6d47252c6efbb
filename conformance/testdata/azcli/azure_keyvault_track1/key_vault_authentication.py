"""Track-1 KeyVaultAuthentication: holds the CLI's token callback."""


class KeyVaultAuthentication:
    def __init__(self, authorization_callback=None, credentials=None):
        self.authorization_callback = authorization_callback
        self.credentials = credentials
