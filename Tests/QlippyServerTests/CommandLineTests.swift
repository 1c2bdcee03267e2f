import Foundation
import QlippyModel
import QlippyServer
import QlippyTestSupport
import Testing

/// The built `qlippy-server` executable: help, refusals and exit codes.
@Suite("Command line")
struct CommandLineTests {
    static let binary = ServerProcess.binary

    private func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> Command.Outcome {
        try await Command.run(Self.binary.path, arguments, environment: environment)
    }

    @Test func theBinaryWasBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary.path), "swift build puts it at \(Self.binary.path)")
    }

    @Test func helpNamesEveryFlagAndVariable() async throws {
        let help = try await run(["serve", "--help"])
        #expect(help.status == 0)
        let flags = ServerSettings.Key.allCases.filter { !$0.hasNoFlag }.map(\.flag)
        for name in flags + ServerSettings.Key.allCases.map(\.environmentVariable) {
            #expect(help.stdout.contains(name), "\(name) is missing from --help")
        }
    }

    @Test func aBadFlagValueIsOneLineAndExitsNonZero() async throws {
        let outcome = try await run(["--port", "eighty", "--database", makeTemporaryDirectory().appendingPathComponent("x.db").path])
        #expect(outcome.status != 0)
        #expect(
            outcome.stderr == "qlippy-server: error: invalid --port / QLIPPY_PORT value 'eighty': expected an integer from 0 to 65535\n")
    }

    @Test func checkAndBackupSayWhatTheyFound() async throws {
        let file = try Fixtures.copyOfLegacyDatabase()
        let check = try await run(["check", "--database", file])
        #expect(check.status == 0)
        #expect(check.stdout == "integrity: ok\nusers: 3\nconversations: 4\nmessages: 8\nplugins: 3\n")
        let copy = try makeTemporaryDirectory().appendingPathComponent("copy.db").path
        let backup = try await run(["backup", copy, "--database", file])
        #expect(backup.status == 0)
        #expect(backup.stdout.hasSuffix("integrity: ok\nusers: 3\nconversations: 4\nmessages: 8\nplugins: 3\n"))
        let again = try await run(["backup", copy, "--database", file])
        #expect(again.status == 1)
        #expect(again.stderr == "qlippy-server: error: \(copy) exists; choose a new path\n")
        let postgres = try await run(["check", "--database", "postgres://qlippy@db/qlippy"])
        #expect(postgres.status == 1)
        #expect(
            postgres.stderr == "qlippy-server: error: this command works on a SQLite file; for PostgreSQL use pg_dump and its own checks\n")
    }

    @Test func listeningBeyondLoopbackWithoutATokenIsRefused() async throws {
        let outcome = try await run([
            "--host", "0.0.0.0", "--port", "0", "--database", makeTemporaryDirectory().appendingPathComponent("x.db").path,
        ])
        #expect(outcome.status == 1)
        #expect(
            outcome.stderr == "qlippy-server: error: invalid --host / QLIPPY_HOST value '0.0.0.0': expected a loopback address "
                + "(127.0.0.1, ::1, localhost), unless an API token is set with QLIPPY_API_TOKEN or --api-token-file FILE, or --auth is accounts\n"
        )
    }

    @Test func aBadEnvironmentValueIsOneLineAndExitsNonZero() async throws {
        let outcome = try await run(
            [],
            environment: ["QLIPPY_LOG_LEVEL": "chatty", "QLIPPY_DATABASE": makeTemporaryDirectory().appendingPathComponent("x.db").path])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.hasPrefix("qlippy-server: error: invalid --log-level / QLIPPY_LOG_LEVEL value 'chatty'"))
        #expect(outcome.stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test func theFlagWinsOverTheVariable() async throws {
        // The variable is bad, the flag good: the flag's value is used, so the error is the database's.
        let folder = try makeTemporaryDirectory()
        let outcome = try await run(["--port", "eighty"], environment: ["QLIPPY_PORT": "5001", "QLIPPY_DATABASE": folder.path])
        #expect(outcome.stderr.contains("--port"))
        let flagWins = try await run(["--database", folder.path], environment: ["QLIPPY_DATABASE": "/nonexistent/other.db"])
        #expect(flagWins.stderr == "qlippy-server: error: cannot open database \(folder.path): it is a directory\n")
    }

    @Test func aFileThatIsNotADatabaseIsRefused() async throws {
        let path = try makeTemporaryDirectory().appendingPathComponent("notes.txt").path
        try Data("not a database at all, just text that is long enough to have a header".utf8).write(to: URL(fileURLWithPath: path))
        let outcome = try await run(["--database", path, "--port", "0"])
        #expect(outcome.status != 0)
        #expect(
            outcome.stderr == "qlippy-server: error: \(path) is not a SQLite database; refusing to open it (the file was not modified)\n")
    }

    /// Nothing listens on port 1: the server gives up within its deadline, in one line without the password.
    @Test func anUnreachablePostgreSQLIsOneLineAndExitsNonZero() async throws {
        let outcome = try await run(["--database", "postgres://qlippy:hunter2@127.0.0.1:1/qlippy?sslmode=disable", "--port", "0"])
        #expect(outcome.status != 0)
        #expect(
            outcome.stderr.hasPrefix("qlippy-server: error: cannot use PostgreSQL at postgres://qlippy@127.0.0.1:1/qlippy: "),
            "\(outcome.stderr)")
        #expect(outcome.stderr.filter { $0 == "\n" }.count == 1)
        #expect(!outcome.stderr.contains("hunter2"))
    }

    @Test func aMalformedPostgreSQLURLIsOneLine() async throws {
        let outcome = try await run(["--database", "postgres://qlippy@db/qlippy?sslmode=sometimes", "--port", "0"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr == "qlippy-server: error: invalid PostgreSQL URL: sslmode must be one of disable, prefer, require\n")
    }

    /// `import` of a ChatGPT folder and archive (creating the user), then `export`, whose file
    /// imports into another database.
    @Test(.sqliteOnly) func importAndExportFromTheCommandLine() async throws {
        let folder = try makeTemporaryDirectory()
        let database = folder.appendingPathComponent("qlippy.db").path
        let extracted = folder.appendingPathComponent("chatgpt-export")
        try FileManager.default.createDirectory(at: extracted, withIntermediateDirectories: true)
        try ChatGPTImportTests.export().write(to: extracted.appendingPathComponent("conversations.json"))
        try Data("<html>".utf8).write(to: extracted.appendingPathComponent("chat.html"))

        let first = try await run(["import", "--user", "ada", extracted.path, "--database", database])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("import: created user ada ("))
        #expect(first.stdout.contains("import: 5 conversations and 15 messages imported; 0 conversations already present\n"))
        #expect(first.stdout.contains("import: messages left out: empty 1, hidden 1, reasoning_recap 1, system 1, thoughts 1, tool 1\n"))
        #expect(first.stdout.contains("import: skipped broken-1 \"Broken\": current_node gone is not in the conversation's messages\n"))

        let archive = folder.appendingPathComponent("export.zip")
        try ChatGPTArchiveTests.splitArchive().write(to: archive)
        let again = try await run(["import", "--user", "ada", archive.path, "--database", database])
        #expect(
            again.stdout.contains("import: 0 conversations and 0 messages imported; 5 conversations already present\n"), "\(again.stdout)")
        #expect(!again.stdout.contains("created user"))

        let exported = folder.appendingPathComponent("ada.json")
        let export = try await run(["export", "--user", "ada", "--output", exported.path, "--database", database])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(export.stderr.hasSuffix("export: 5 conversations of ada, \(try Data(contentsOf: exported).count) bytes\n"))
        let other = folder.appendingPathComponent("other.db").path
        let copied = try await run(["import", "--user", "ada", exported.path, "--database", other])
        #expect(copied.stdout.contains("import: format qlippy-export; files read: 1\n"))
        #expect(copied.stdout.contains("import: 5 conversations and 15 messages imported; 0 conversations already present\n"))

        let missing = try await run(["export", "--user", "nobody", "--database", database])
        #expect(missing.status == 1)
        #expect(missing.stderr == "qlippy-server: error: user not found\n")
    }
}
