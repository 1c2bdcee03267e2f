import GRDB

/// The schema's history, oldest first. Append new migrations at the end; never edit a shipped one.
///
/// The first migration recreates the original Python backend's tables with its exact DDL
/// (`IF NOT EXISTS`, so that adopting a legacy file leaves its tables untouched) and every later
/// one only adds: the file stays readable by the original backend.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-original-tables") { db in
            try db.execute(sql: """
                CREATE TABLE IF NOT EXISTS users (
                \tid VARCHAR(36) NOT NULL, 
                \tusername VARCHAR(80) NOT NULL, 
                \tcreated_at DATETIME, 
                \tPRIMARY KEY (id), 
                \tUNIQUE (username)
                );
                CREATE TABLE IF NOT EXISTS conversations (
                \tid VARCHAR(36) NOT NULL, 
                \ttitle VARCHAR(200) NOT NULL, 
                \tuser_id VARCHAR(36) NOT NULL, 
                \tfolder VARCHAR(100), 
                \tlast_updated DATETIME, 
                \tcreated_at DATETIME, 
                \tPRIMARY KEY (id), 
                \tFOREIGN KEY(user_id) REFERENCES users (id)
                );
                CREATE TABLE IF NOT EXISTS plugins (
                \tid VARCHAR(36) NOT NULL, 
                \tuser_id VARCHAR(36) NOT NULL, 
                \tname VARCHAR(100) NOT NULL, 
                \tdescription TEXT, 
                \tenabled BOOLEAN, 
                \tcreated_at DATETIME, 
                \tPRIMARY KEY (id), 
                \tFOREIGN KEY(user_id) REFERENCES users (id)
                );
                CREATE TABLE IF NOT EXISTS messages (
                \tid VARCHAR(36) NOT NULL, 
                \tconversation_id VARCHAR(36) NOT NULL, 
                \trole VARCHAR(20) NOT NULL, 
                \tcontent TEXT NOT NULL, 
                \ttimestamp DATETIME, 
                \tPRIMARY KEY (id), 
                \tFOREIGN KEY(conversation_id) REFERENCES conversations (id)
                );
                """)
        }
        // Every lookup the store makes walks one of these. The orderings ride on the index too:
        // SQLite appends the rowid (creation order) to each index entry, which breaks timestamp ties.
        migrator.registerMigration("v2-lookup-indexes") { db in
            try db.execute(sql: """
                CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations (user_id, last_updated);
                CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, timestamp);
                CREATE INDEX IF NOT EXISTS plugins_by_user ON plugins (user_id, created_at);
                """)
        }
        return migrator
    }

    /// The identifiers this binary knows, in order.
    static let identifiers: [String] = migrator.migrations
}
