import ArgumentParser
import Foundation

/// A command's failure, said in one line.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}

/// Runs a command's work; any error but an exit code ends the command with
/// `qlippy-server: error: …` on stderr and exit code 1, so every command fails the same way.
func oneLineErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("qlippy-server: error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
