import Foundation

/// Files under `Tests/Fixtures`, found from this source file's location.
///
/// `legacy-qlippy.db` and `legacy-qlippy.json` are copies of `shared/fixtures/`: a database written by
/// the original Python backend and what its API returned for it. Tests copy the database before opening it.
package enum Fixtures {
    package static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A private copy of the legacy database, safe to migrate and write.
    package static func copyOfLegacyDatabase() throws -> String {
        let target = try makeTemporaryDirectory().appendingPathComponent("qlippy.db")
        try FileManager.default.copyItem(at: directory.appendingPathComponent("legacy-qlippy.db"), to: target)
        return target.path
    }

    package static func legacyExpectations() throws -> [String: Any] {
        let data = try Data(contentsOf: directory.appendingPathComponent("legacy-qlippy.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }
}
