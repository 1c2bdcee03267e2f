import ArgumentParser
import Foundation
import QlippyModel
import QlippyServer
import QlippyStore

/// `qlippy-server users …`: accounts from the command line, beside a running server as `import`
/// is. The first admin is made this way (`users add NAME --admin --password-stdin`).
struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage accounts (for --auth accounts): add, list, set-password, disable, enable, delete.",
        subcommands: [Add.self, List.self, SetPassword.self, Disable.self, Enable.self, Delete.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "The database: a SQLite file or a postgres:// URL. (env: QLIPPY_DATABASE, default: ./qlippy.db)")
        var database: String?
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an account.")
        @Argument(help: "The username.") var name: String
        @Flag(help: "Make the account an admin.") var admin = false
        @Flag(help: "Read the password from the first line of stdin (without it, the account cannot sign in yet).")
        var passwordStdin = false
        @OptionGroup var options: Options

        func run() async throws {
            try await withAccounts(options) { accounts, store in
                let password = passwordStdin ? try readPassword() : nil
                let account = try await accounts.createAccount(username: name, password: password, role: admin ? .admin : .user)
                print("created \(account.role.rawValue) \(account.user.username) (\(account.user.id))")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the accounts: id, username, role, state.")
        @OptionGroup var options: Options

        func run() async throws {
            try await withAccounts(options) { accounts, store in
                for account in try await accounts.store.accounts() {
                    let state = account.disabled ? "disabled" : account.hasPassword ? "enabled" : "no password"
                    print("\(account.user.id)\t\(account.user.username)\t\(account.role.rawValue)\t\(state)")
                }
            }
        }
    }

    struct SetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set an account's password (from stdin); its sign-ins end.")
        @Argument(help: "The username.") var name: String
        @Flag(help: "Read the password from the first line of stdin.") var passwordStdin = false
        @OptionGroup var options: Options

        func run() async throws {
            try await withAccounts(options) { accounts, store in
                guard passwordStdin else { throw CommandFailure(description: "give --password-stdin and the password on stdin") }
                let password = try readPassword()
                _ = try await accounts.updateAccount(
                    userID: try await store.user(username: name).id, password: password, role: nil, disabled: nil)
                print("password set for \(name)")
            }
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account: its tokens and keys fail at once.")
        @Argument(help: "The username.") var name: String
        @OptionGroup var options: Options

        func run() async throws { try await setDisabled(name, true, options) }
    }

    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable a disabled account.")
        @Argument(help: "The username.") var name: String
        @OptionGroup var options: Options

        func run() async throws { try await setDisabled(name, false, options) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a user with all their conversations, messages, plugins and keys.")
        @Argument(help: "The username.") var name: String
        @OptionGroup var options: Options

        func run() async throws {
            try await withAccounts(options) { accounts, store in
                try await accounts.deleteUser(id: try await store.user(username: name).id)
                print("deleted \(name) and all their data")
            }
        }
    }
}

/// Disables or enables the account `name`.
private func setDisabled(_ name: String, _ disabled: Bool, _ options: Users.Options) async throws {
    try await withAccounts(options) { accounts, store in
        _ = try await accounts.updateAccount(userID: try await store.user(username: name).id, password: nil, role: nil, disabled: disabled)
        print("\(disabled ? "disabled" : "enabled") \(name)")
    }
}

/// Runs `body` with the account rules on the command's store, closing it afterwards.
private func withAccounts(_ options: Users.Options, _ body: (AccountService, any ChatStore) async throws -> Void) async throws {
    try await oneLineErrors {
        let store = try await openCommandStore(options.database)
        do {
            try await body(AccountService(store: store), store)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}

/// The first line of stdin, without its line end; never echoed or logged.
private func readPassword() throws -> String {
    guard let line = readLine(strippingNewline: true), !line.isEmpty else {
        throw CommandFailure(description: "no password on stdin")
    }
    return line
}
