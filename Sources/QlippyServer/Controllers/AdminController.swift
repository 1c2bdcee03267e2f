import Foundation
import Hummingbird
import QlippyModel
import QlippyStore

/// `POST /api/admin/backup`: a consistent snapshot of the live SQLite database, taken while the
/// server keeps serving, written into the backup folder under a name of its own.
///
/// Registered only in token or accounts mode (admins only there), since it writes files on the server's disk,
/// and only on a store that copies itself (``StoreBackups``, SQLite): PostgreSQL's backups are
/// pg_dump's job (a 5xx for a route that can never work would read as a failure). The client
/// cannot choose the path (it could overwrite any file the server may write); the operator
/// chooses the folder (`--backup-directory`).
struct AdminController {
    let store: any StoreBackups
    let backupDirectory: String
    let posts: IdempotentPosts
    /// Backups' `Idempotency-Key`s are the operator's, not a user's: a scope no user id can be.
    static let idempotencyScope = "admin"
    static let backupPath = "/api/admin/backup"

    init(store: any StoreBackups, settings: ServerSettings, posts: IdempotentPosts) {
        self.store = store
        self.posts = posts
        backupDirectory = settings.backupDirectory ?? settings.database + "-backups"
    }

    func addRoutes(to routes: RouteGroups) {
        routes.admin.post(RouterPath(Self.backupPath), use: createBackup)
    }

    /// `POST /api/admin/backup`: one snapshot, or the answer kept under its `Idempotency-Key`.
    @Sendable func createBackup(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await posts.respond(to: request, scope: Self.idempotencyScope, fingerprint: "backup") { try await backup(context) }
    }

    /// Writes and checks one snapshot; its summary is the answer (201).
    private func backup(_ context: AppRequestContext) async throws -> StoredReply {
        try FileManager.default.createDirectory(atPath: backupDirectory, withIntermediateDirectories: true)
        let createdAt = Timestamp.now()
        let path = URL(fileURLWithPath: backupDirectory).appendingPathComponent(Self.fileName(at: createdAt)).path
        let started = ContinuousClock.now
        let report = try await store.backup(to: path)
        guard report.isSound else {
            context.logger.error("backup copy failed its integrity check", metadata: ["path": "\(path)", "problems": "\(report.problems)"])
            throw APIError.internalError
        }
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        context.logger.notice(
            "backup written", metadata: ["path": "\(path)", "bytes": "\(bytes)", "duration": "\(started.duration(to: .now))"])
        return StoredReply.json(.created) {
            $0.write(backup: BackupSummary(path: path, bytes: bytes, createdAt: createdAt, report: report))
        }
    }

    /// `qlippy-20261126T014512.123456Z.db`: sorts by time, and two backups never share a name.
    static func fileName(at time: Timestamp) -> String {
        let c = time.components
        return String(
            format: "qlippy-%04d%02d%02dT%02d%02d%02d.%06dZ.db", c.year, c.month, c.day, c.hour, c.minute, c.second, c.microsecond)
    }
}

/// What `POST /api/admin/backup` wrote.
struct BackupSummary {
    var path: String
    var bytes: Int
    var createdAt: Timestamp
    var report: IntegrityReport
}
