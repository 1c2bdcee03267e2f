import GRDB

/// Every migration at once, for a file no migration has touched: a new file, or one only the
/// original backend has written.
///
/// Run one by one, the migrations would build the search index inside the start-up (v4's
/// `rebuild`: about 8 minutes for a million messages, with no request answered meanwhile). Here
/// they run in one transaction, in the order of ``Migrations/all``, with the index left empty and
/// its mark at 0, so that the background indexer builds it while the server answers, and searches
/// scan what it has not reached. Each migration is recorded as applied, as GRDB's migrator records
/// it: a file that took the baseline and one migrated step by step are migrated alike from then on.
/// The schema is the same either way (`SchemaBaselineTests`).
enum SchemaBaseline {
    /// Applies the baseline when `grdb_migrations` does not exist yet. Looked for by a read first,
    /// so that opening a migrated file (a command beside a running server) takes no write lock;
    /// then again inside the write transaction, so two servers starting on one new file apply it once.
    static func applyIfUntouched(_ pool: DatabasePool) throws {
        guard try !pool.read({ db in try db.tableExists("grdb_migrations") }) else { return }
        try pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                guard try !db.tableExists("grdb_migrations") else { return .commit }
                for migration in Migrations.all { try migration.apply(db, .inBaseline) }
                // As GRDB's migrator does after each migration: a file whose rows break its
                // foreign keys is refused either way.
                try db.checkForeignKeys()
                try db.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for migration in Migrations.all {
                    try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [migration.identifier])
                }
                return .commit
            }
        }
    }
}
