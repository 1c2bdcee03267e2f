import Foundation
import Logging
import QlippyServer
import QlippyStore

/// The database a command works on: its `--database`, else the server's variable, else the
/// server's default, so that a command beside a server finds the server's database.
func commandDatabase(_ flag: String?) -> String {
    flag ?? ProcessInfo.processInfo.environment[ServerSettings.Key.database.environmentVariable] ?? ServerSettings().database
}

/// Logs warnings and worse on stderr: a command's own output is its report.
func bootstrapCommandLogging() {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = .warning
        return handler
    }
}

/// The store a command works on (``commandDatabase(_:)``), with command logging set up.
func openCommandStore(_ flag: String?) async throws -> any ChatStore {
    var settings = ServerSettings()
    settings.database = commandDatabase(flag)
    bootstrapCommandLogging()
    return try await openStore(settings, logger: Logger(label: "qlippy-server"))
}
