import QlippyModel

/// Users as accounts: passwords, roles, disabling, and deleting a user with everything they own.
public protocol Accounts: Sendable {
    /// The user's account; "not found" (``StoreError/notFound(_:)``) for an unknown id.
    func account(userID: String) async throws -> Account
    /// What a sign-in needs of the user with this exact username; `nil` when there is none.
    func credentials(username: String) async throws -> StoredCredentials?
    /// Every account, oldest user first.
    func accounts() async throws -> [Account]
    /// A new user with an account, in one transaction; ``StoreError/usernameTaken`` when taken.
    func createAccount(username: String, passwordHash: String?, role: Role) async throws -> Account
    /// Applies the changes, creating the account row of a user adopted from the original's file.
    func updateAccount(userID: String, changes: AccountChanges) async throws -> Account
    /// Deletes the user and all they own: conversations, messages, plugins, sign-ins, API keys,
    /// kept replies and change-log rows, in one transaction.
    func deleteUser(id: String) async throws
}
