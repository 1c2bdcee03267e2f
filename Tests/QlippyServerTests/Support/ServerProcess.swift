import Foundation
import QlippyModel
import QlippyTestSupport
import Synchronization
import Testing

/// The built `qlippy-server` executable, run as an operator would run it.
final class ServerProcess: Sendable {
    static let binary = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent(".build/debug/qlippy-server")

    let process: Process
    let port: Int
    private let log = LogBuffer()

    var output: String { log.text.withLock { $0 } }
    var pid: Int32 { process.processIdentifier }

    /// Starts the server on a free port and waits until it logs that it is listening.
    init(database: String, arguments: [String] = []) async throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["--port", "0", "--database", database] + arguments
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = FileHandle.nullDevice
        let log = self.log
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let chunk = String(decoding: handle.availableData, as: UTF8.self)
            log.text.withLock { $0 += chunk }
        }
        try process.run()
        self.process = process
        var port: Int?
        let deadline = ContinuousClock.now + .seconds(30)
        while port == nil, process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
            port = log.text.withLock { $0.firstMatch(of: #/address=https?://[^ ]*:(\d+)/#).flatMap { Int($0.1) } }
        }
        guard let port else {
            process.terminate()
            throw ServerProcessError.didNotStart(log.text.withLock { $0 })
        }
        self.port = port
    }

    /// Waits until the output satisfies `predicate`, or records an issue after `seconds`.
    @discardableResult
    func waitForOutput(seconds: Double = 20, until predicate: (String) -> Bool) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if predicate(output) { return output }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("timed out waiting; output so far:\n\(output)")
        return output
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}

/// What a server process has written to stderr so far.
final class LogBuffer: Sendable {
    let text = Mutex("")
}

enum ServerProcessError: Error {
    case didNotStart(String)
}
