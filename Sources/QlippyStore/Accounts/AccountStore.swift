/// Everything accounts mode needs of a store (`--auth accounts`).
public protocol AccountStore: Accounts, SignInSessions, APIKeyStore, ServerSecrets, ResourceOwners {}
