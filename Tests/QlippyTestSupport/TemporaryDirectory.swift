import Foundation

/// A fresh folder for one test, unique per call, inside the test process's own folder.
package func makeTemporaryDirectory() throws -> URL {
    let url = testProcessFolder.appendingPathComponent(UUID().uuidString)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// The folder under the system's temporary directory that holds every test folder of this
/// process, removed with all of them when the process exits: a suite run makes hundreds of
/// databases, which would otherwise pile up in `/tmp` run after run. A process that crashes
/// leaves its folder behind for inspection.
private let testProcessFolder: URL = {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("qlippy-tests-\(UUID().uuidString)")
    atexit { try? FileManager.default.removeItem(at: testProcessFolder) }
    return url
}()
