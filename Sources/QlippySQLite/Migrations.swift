import GRDB
import QlippyModel
import QlippyStore

/// The schema's history, oldest first. Append new migrations at the end; never edit a shipped one.
///
/// The first migration recreates the original Python backend's tables with its exact DDL
/// (`IF NOT EXISTS`, so that adopting a legacy file leaves its tables untouched) and every later
/// one only adds: the file stays readable by the original backend. A file no migration has
/// touched yet takes them all at once, as ``SchemaBaseline``.
enum Migrations {
    /// Every migration, oldest first.
    static let all: [Migration] = [
        Migration("v1-original-tables") { db, _ in
            try db.execute(sql: OriginalSchema.sql)
        },
        // Every lookup the store makes walks one of these. The orderings ride on the index too:
        // SQLite appends the rowid (creation order) to each index entry, which breaks timestamp ties.
        Migration("v2-lookup-indexes") { db, _ in
            try db.execute(
                sql: """
                    CREATE INDEX IF NOT EXISTS conversations_by_user ON conversations (user_id, last_updated);
                    CREATE INDEX IF NOT EXISTS messages_by_conversation ON messages (conversation_id, timestamp);
                    CREATE INDEX IF NOT EXISTS plugins_by_user ON plugins (user_id, created_at);
                    """)
        },
        // Message counts and the newest message (its id and first characters), kept by triggers so
        // that listing conversations never reads their messages: on a large file each newest message
        // is a random page, and a list of thousands would read thousands of them. Triggers live in the
        // file, so rows written by the original backend keep them right too. The newest message is
        // stored by id, not rowid, because VACUUM may renumber the rowids of these tables (they have
        // no INTEGER PRIMARY KEY).
        Migration("v3-conversation-stats") { db, _ in
            let newest = ConversationStatsTriggers.newest
            try db.execute(
                sql: """
                    CREATE TABLE conversation_stats (
                        conversation_id VARCHAR(36) NOT NULL PRIMARY KEY,
                        message_count INTEGER NOT NULL,
                        last_message_id VARCHAR(36),
                        last_message_head TEXT
                    ) WITHOUT ROWID;

                    INSERT INTO conversation_stats (conversation_id, message_count) SELECT id, 0 FROM conversations;
                    UPDATE conversation_stats SET
                        message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversation_stats.conversation_id),
                        (last_message_id, last_message_head) = \(newest("conversation_stats.conversation_id"));

                    CREATE TRIGGER conversation_stats_on_conversation_insert AFTER INSERT ON conversations BEGIN
                        INSERT OR IGNORE INTO conversation_stats (conversation_id, message_count) VALUES (NEW.id, 0);
                    END;

                    CREATE TRIGGER conversation_stats_on_conversation_delete AFTER DELETE ON conversations BEGIN
                        DELETE FROM conversation_stats WHERE conversation_id = OLD.id;
                    END;

                    \(ConversationStatsTriggers.onMessages(shown: newest))
                    """)
        },
        // Search: an FTS5 index with the trigram tokenizer over message contents, so that a
        // case-insensitive substring of three or more characters is found without scanning messages.
        // It reads its text from `messages` (external content: the text is not stored twice) and is
        // kept by triggers in the same transactions as the rows, so it cannot disagree with them after
        // a crash, and rows the original backend writes are indexed too. Unlike `conversation_stats`
        // it is keyed by rowid, as FTS5 requires; a VACUUM that renumbered rowids would need
        // `INSERT INTO message_search(message_search) VALUES('rebuild')` (this server never runs one).
        // Within the baseline the index starts empty: v13's indexer builds it behind the requests.
        Migration("v4-search-index") { db, run in
            try db.execute(
                sql: """
                    CREATE VIRTUAL TABLE message_search USING fts5(
                        content, content='messages', content_rowid='rowid', tokenize='trigram'
                    );
                    \(run == .inBaseline ? "" : "INSERT INTO message_search(message_search) VALUES ('rebuild');")

                    CREATE TRIGGER message_search_on_insert AFTER INSERT ON messages BEGIN
                        INSERT INTO message_search (rowid, content) VALUES (NEW.rowid, NEW.content);
                    END;

                    CREATE TRIGGER message_search_on_delete AFTER DELETE ON messages BEGIN
                        INSERT INTO message_search (message_search, rowid, content) VALUES ('delete', OLD.rowid, OLD.content);
                    END;

                    CREATE TRIGGER message_search_on_update AFTER UPDATE OF content ON messages BEGIN
                        INSERT INTO message_search (message_search, rowid, content) VALUES ('delete', OLD.rowid, OLD.content);
                        INSERT INTO message_search (rowid, content) VALUES (NEW.rowid, NEW.content);
                    END;
                    """)
        },
        // Which conversation each message belongs to, as two integers per row (the rowids of the
        // message and of its conversation), so that search can count a common term's hits per
        // conversation. The index hands out message rowids; finding their conversation in `messages`
        // read one random page of that large table per hit (1.1 s for 970 000 hits on the `large`
        // benchmark file), in this table it reads a few pages of 12 MB (0.2 s). Conversations are
        // named by rowid to keep the rows small and the grouping integer-keyed; the VACUUM caveat of
        // `message_search` applies. A message whose conversation does not exist gets 0, no rowid: it is
        // nobody's, until a conversation with its id appears. When a conversation row goes, its
        // messages are set to 0 too, so that a later conversation reusing that rowid does not inherit them.
        // Only indexed messages need a row (search reads it for index hits): within the baseline the
        // indexer adds the rows of the messages already there, batch by batch, as it indexes them.
        Migration("v5-search-owners") { db, run in
            let owner = { (conversationID: String) in
                "coalesce((SELECT c.rowid FROM conversations c WHERE c.id = \(conversationID)), 0)"
            }
            let reassign = { (conversationID: String, owner: String) in
                """
                UPDATE message_owners SET conversation_rowid = \(owner)
                WHERE message_rowid IN (SELECT m.rowid FROM messages m WHERE m.conversation_id = \(conversationID));
                """
            }
            try db.execute(
                sql: """
                    CREATE TABLE message_owners (
                        message_rowid INTEGER PRIMARY KEY,
                        conversation_rowid INTEGER NOT NULL
                    );
                    \(run == .inBaseline ? "" : """
                    INSERT INTO message_owners (message_rowid, conversation_rowid)
                    \(SearchIndexSQL.owners)
                    ORDER BY m.rowid;
                    """)

                    CREATE TRIGGER message_owners_on_message_insert AFTER INSERT ON messages BEGIN
                        INSERT INTO message_owners (message_rowid, conversation_rowid) VALUES (NEW.rowid, \(owner("NEW.conversation_id")));
                    END;

                    CREATE TRIGGER message_owners_on_message_delete AFTER DELETE ON messages BEGIN
                        DELETE FROM message_owners WHERE message_rowid = OLD.rowid;
                    END;

                    CREATE TRIGGER message_owners_on_message_move AFTER UPDATE OF conversation_id ON messages BEGIN
                        UPDATE message_owners SET conversation_rowid = \(owner("NEW.conversation_id")) WHERE message_rowid = NEW.rowid;
                    END;

                    CREATE TRIGGER message_owners_on_conversation_insert AFTER INSERT ON conversations BEGIN
                        \(reassign("NEW.id", "NEW.rowid"))
                    END;

                    CREATE TRIGGER message_owners_on_conversation_delete AFTER DELETE ON conversations BEGIN
                        \(reassign("OLD.id", "0"))
                    END;

                    CREATE TRIGGER message_owners_on_conversation_rename AFTER UPDATE OF id ON conversations BEGIN
                        \(reassign("OLD.id", "0"))
                        \(reassign("NEW.id", "NEW.rowid"))
                    END;
                    """)
        },
        // FTS5 merges an index's segments as writes add them, by default as soon as 4 of a level
        // exist; with 8, a message insert into a large index costs much less and searches are as
        // fast (bench/README.md has the figures). Beyond 8, writes gain nothing.
        Migration("v6-search-automerge") { db, _ in
            try db.execute(sql: "INSERT INTO message_search (message_search, rank) VALUES ('automerge', 8)")
        },
        // The export reads a user's conversations in creation order, page by page: without this,
        // every page sorted all of the user's conversations again.
        Migration("v7-export-order") { db, _ in
            try db.execute(sql: "CREATE INDEX conversations_by_user_created ON conversations (user_id, coalesce(created_at, ''), id)")
        },
        // Cursor pages of a user's conversations list them as they were when the walk began
        // (``ConversationWalk``): a bump records the time it replaced. Each bump drops its
        // conversation's moves older than ``ConversationWalk/movesKept`` (25 hours), so a
        // conversation keeps at most the moves of its last day of activity.
        Migration("v8-conversation-moves") { db, _ in
            try db.execute(
                sql: """
                    CREATE TABLE conversation_moves (conversation_id TEXT NOT NULL, moved_to TEXT, moved_from TEXT);
                    CREATE INDEX conversation_moves_by_conversation ON conversation_moves (conversation_id, moved_to);
                    CREATE TRIGGER conversation_moves_on_bump AFTER UPDATE OF last_updated ON conversations
                    WHEN NEW.last_updated IS NOT OLD.last_updated BEGIN
                        DELETE FROM conversation_moves
                        WHERE conversation_id = NEW.id AND moved_to < strftime('%Y-%m-%d %H:%M:%f', NEW.last_updated, '-25 hours');
                        INSERT INTO conversation_moves (conversation_id, moved_to, moved_from) VALUES (NEW.id, NEW.last_updated, OLD.last_updated);
                    END;
                    CREATE TRIGGER conversation_moves_on_conversation_delete AFTER DELETE ON conversations BEGIN
                        DELETE FROM conversation_moves WHERE conversation_id = OLD.id;
                    END;
                    """)
        },
        // Retry-safe creates (`Idempotency-Key`): each key's reply, written in the create's own
        // transaction; rows older than a day are dropped by the next keyed create.
        Migration("v9-idempotency-keys") { db, _ in
            try db.execute(
                sql: """
                    CREATE TABLE idempotency_keys (
                        scope TEXT NOT NULL, key TEXT NOT NULL, fingerprint TEXT NOT NULL, status INTEGER NOT NULL, body BLOB NOT NULL,
                        created_at TEXT NOT NULL, PRIMARY KEY (scope, key)
                    ) WITHOUT ROWID;
                    CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);
                    """)
        },
        // The change log behind `GET /api/users/{id}/events`: one row per change to a user's
        // conversations, messages and plugins, written by triggers in the change's own transaction
        // (so every path that writes, imports included, is logged, and nothing uncommitted is).
        // A message deleted with its conversation is not logged: the conversation's event says it.
        Migration("v10-change-log") { db, _ in
            var sql = """
                CREATE TABLE change_log (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, user_id TEXT NOT NULL, kind TEXT NOT NULL, resource_id TEXT NOT NULL,
                    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now'))
                );
                CREATE INDEX change_log_by_user ON change_log (user_id, seq);
                CREATE INDEX change_log_by_age ON change_log (created_at);

                """
            for (table, event, operation, select) in ChangeLogTriggers.all {
                sql += """
                    CREATE TRIGGER change_log_\(table)_\(event) AFTER \(operation) ON \(table) BEGIN
                        INSERT INTO change_log (user_id, kind, resource_id) \(select);
                    END;

                    """
            }
            try db.execute(sql: sql)
        },
        // Only users with a walk window open (``SQLiteStore/beginWalk(ofUser:)``: a walk begun in
        // the last day) have their bumps recorded: recording every bump costs durable message adds
        // about 15 % (bench/README.md), and a client that never pages (the original's) pays
        // nothing for paging. A walk under way across the upgrade keeps its moves: every user
        // with moves from the last 25 hours gets a window, and only older moves (no walk's) go.
        Migration("v11-walk-windows") { db, _ in
            try db.execute(
                sql: """
                    CREATE TABLE walk_windows (user_id TEXT PRIMARY KEY, until TEXT NOT NULL) WITHOUT ROWID;
                    DROP TRIGGER conversation_moves_on_bump;
                    CREATE TRIGGER conversation_moves_on_bump AFTER UPDATE OF last_updated ON conversations
                    WHEN NEW.last_updated IS NOT OLD.last_updated
                        AND EXISTS (SELECT 1 FROM walk_windows w WHERE w.user_id = NEW.user_id AND w.until > NEW.last_updated) BEGIN
                        DELETE FROM conversation_moves
                        WHERE conversation_id = NEW.id AND moved_to < strftime('%Y-%m-%d %H:%M:%f', NEW.last_updated, '-25 hours');
                        INSERT INTO conversation_moves (conversation_id, moved_to, moved_from) VALUES (NEW.id, NEW.last_updated, OLD.last_updated);
                    END;
                    INSERT INTO walk_windows (user_id, until)
                    SELECT DISTINCT c.user_id, strftime('%Y-%m-%d %H:%M:%f', 'now', '+25 hours')
                    FROM conversation_moves m JOIN conversations c ON c.id = m.conversation_id
                    WHERE m.moved_to > strftime('%Y-%m-%d %H:%M:%f', 'now', '-25 hours');
                    DELETE FROM conversation_moves WHERE moved_to IS NULL OR moved_to <= strftime('%Y-%m-%d %H:%M:%f', 'now', '-25 hours');
                    """)
        },
        // Accounts mode (`--auth accounts`): new tables beside the original's, which keep their
        // columns, so the file stays readable by the original backend. A user without an
        // `accounts` row (every user adopted from the original) is a plain user without a password.
        Migration("v12-accounts") { db, _ in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE, password_hash TEXT,
                        role TEXT NOT NULL DEFAULT 'user', disabled INTEGER NOT NULL DEFAULT 0
                    ) WITHOUT ROWID;
                    CREATE TABLE sign_ins (
                        family TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
                        created_at TEXT NOT NULL, revoked_at TEXT
                    ) WITHOUT ROWID;
                    CREATE INDEX sign_ins_by_user ON sign_ins (user_id);
                    CREATE TABLE refresh_tokens (
                        token_hash TEXT PRIMARY KEY, family TEXT NOT NULL REFERENCES sign_ins (family) ON DELETE CASCADE,
                        expires_at TEXT NOT NULL, used_at TEXT
                    ) WITHOUT ROWID;
                    CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE, name TEXT NOT NULL,
                        prefix TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, last_used_at TEXT, expires_at TEXT
                    ) WITHOUT ROWID;
                    CREATE INDEX api_keys_by_user ON api_keys (user_id, created_at);
                    CREATE TABLE server_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                    """)
        },
        // The search index follows behind the writes: a message is indexed by the background
        // indexer (SQLiteStore+SearchIndex.swift) in batches, in rowid order, and `search_progress` keeps the
        // highest rowid the index holds, so that a search reads the index up to it and scans the
        // rows beyond (exact at every moment). Rows at or below the mark are kept current here, in
        // the transaction of their change: an edit or a delete of an indexed message, and an
        // insert that reuses a rowid at or below the mark. Rows above it (new ones, or ones the
        // original backend writes while this server is stopped) wait for the indexer. Within the
        // baseline the index is empty (v4), so the mark starts at 0 and the indexer takes in every row.
        Migration("v13-search-index-behind") { db, run in
            let indexed = { (row: String) in "\(row).rowid <= (SELECT indexed_through FROM search_progress)" }
            try db.execute(
                sql: """
                    CREATE TABLE search_progress (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);
                    INSERT INTO search_progress (id, indexed_through)
                    VALUES (1, \(run == .inBaseline ? "0" : "coalesce((SELECT max(rowid) FROM messages), 0)"));
                    DROP TRIGGER message_search_on_insert;
                    DROP TRIGGER message_search_on_delete;
                    DROP TRIGGER message_search_on_update;

                    CREATE TRIGGER message_search_on_insert AFTER INSERT ON messages WHEN \(indexed("NEW")) BEGIN
                        INSERT INTO message_search (rowid, content) VALUES (NEW.rowid, NEW.content);
                    END;

                    CREATE TRIGGER message_search_on_delete AFTER DELETE ON messages WHEN \(indexed("OLD")) BEGIN
                        INSERT INTO message_search (message_search, rowid, content) VALUES ('delete', OLD.rowid, OLD.content);
                    END;

                    CREATE TRIGGER message_search_on_update AFTER UPDATE OF content ON messages WHEN \(indexed("OLD")) BEGIN
                        INSERT INTO message_search (message_search, rowid, content) VALUES ('delete', OLD.rowid, OLD.content);
                        INSERT INTO message_search (rowid, content) VALUES (NEW.rowid, NEW.content);
                    END;
                    """)
        },
        // Changes no table: it marks that the indexer gives `message_owners` rows to the messages
        // it indexes (``SchemaBaseline`` leaves those of an adopted file to it). A server built
        // before it indexes without them, and search would never find those messages: recorded
        // here, it refuses the file as migrated by a newer server instead.
        Migration("v14-indexer-gives-owners") { _, _ in },
        // Only messages that have details get a row, keyed by conversation first so that a
        // conversation's details are one range of the key: reading a conversation without any
        // costs one index seek. Rows go with their message, whoever deletes it (the original
        // backend too, as the trigger lives in the file). A rowid table, so that `migrate` copies
        // it in rowid batches as it copies the others. The row also keeps its message's user and
        // UTC day (`''` without a timestamp), which the usage totals (v16) group by and which are
        // gone by the time a deleted conversation's messages take their details with them.
        Migration("v15-message-details") { db, _ in
            try db.execute(
                sql: """
                    CREATE TABLE message_details (
                        conversation_id TEXT NOT NULL,
                        message_id TEXT NOT NULL,
                        user_id TEXT NOT NULL,
                        day TEXT NOT NULL,
                        model TEXT,
                        input_tokens INTEGER,
                        output_tokens INTEGER,
                        finish_reason TEXT,
                        metadata TEXT,
                        PRIMARY KEY (conversation_id, message_id)
                    );

                    CREATE TRIGGER message_details_on_message_delete AFTER DELETE ON messages BEGIN
                        DELETE FROM message_details WHERE conversation_id = OLD.conversation_id AND message_id = OLD.id;
                    END;
                    """)
        },
        // A user's usage summed per UTC day and model (`''`: none), kept by triggers on
        // `message_details`, so that a summary reads a few rows per day instead of every message.
        // An edit of a message's details subtracts its old row and adds the new one.
        Migration("v16-usage-totals") { db, _ in
            let key = { (row: String) in "user_id = \(row).user_id AND day = \(row).day AND model = coalesce(\(row).model, '')" }
            let add = { (row: String) in
                """
                INSERT INTO usage_totals (user_id, day, model, messages, input_tokens, output_tokens)
                VALUES (\(row).user_id, \(row).day, coalesce(\(row).model, ''), 1, coalesce(\(row).input_tokens, 0), coalesce(\(row).output_tokens, 0))
                ON CONFLICT (user_id, day, model) DO UPDATE SET messages = messages + 1,
                    input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens;
                """
            }
            let subtract = { (row: String) in
                """
                UPDATE usage_totals SET messages = messages - 1, input_tokens = input_tokens - coalesce(\(row).input_tokens, 0),
                    output_tokens = output_tokens - coalesce(\(row).output_tokens, 0)
                WHERE \(key(row));
                DELETE FROM usage_totals WHERE \(key(row)) AND messages = 0;
                """
            }
            try db.execute(
                sql: """
                    CREATE TABLE usage_totals (
                        user_id TEXT NOT NULL,
                        day TEXT NOT NULL,
                        model TEXT NOT NULL,
                        messages INTEGER NOT NULL,
                        input_tokens INTEGER NOT NULL,
                        output_tokens INTEGER NOT NULL,
                        PRIMARY KEY (user_id, day, model)
                    ) WITHOUT ROWID;

                    INSERT INTO usage_totals (user_id, day, model, messages, input_tokens, output_tokens)
                    SELECT user_id, day, coalesce(model, ''), count(*), coalesce(sum(input_tokens), 0), coalesce(sum(output_tokens), 0)
                    FROM message_details GROUP BY user_id, day, coalesce(model, '');

                    CREATE TRIGGER usage_totals_on_details_insert AFTER INSERT ON message_details BEGIN
                        \(add("NEW"))
                    END;

                    CREATE TRIGGER usage_totals_on_details_update AFTER UPDATE ON message_details BEGIN
                        \(subtract("OLD"))
                        \(add("NEW"))
                    END;

                    CREATE TRIGGER usage_totals_on_details_delete AFTER DELETE ON message_details BEGIN
                        \(subtract("OLD"))
                    END;
                    """)
        },
        // Branches (``ConversationTree``): a parent row only where a message does not hang under the
        // message before it, and a current message only for a conversation that has branched, so the
        // original's rows and every conversation that never branched need none. Both go with their
        // message or conversation, whoever deletes it. A conversation's list preview is its current
        // message's: `conversation_stats` keeps the current message's head when there is one, else
        // the newest's, and the current message's triggers refresh it. The insert and delete
        // triggers come in two, by `WHEN`, so that a conversation that never branched runs v3's
        // statement (one probe of `current_messages` more) and only a branched one pays for choosing
        // between the two messages (a sort of two rows per insert).
        Migration("v17-message-branches") { db, _ in
            typealias Stats = ConversationStatsTriggers
            try db.execute(
                sql: """
                    CREATE TABLE message_parents (
                        conversation_id TEXT NOT NULL,
                        message_id TEXT NOT NULL,
                        parent_id TEXT,
                        PRIMARY KEY (conversation_id, message_id)
                    );

                    CREATE TABLE current_messages (
                        conversation_id TEXT NOT NULL PRIMARY KEY,
                        message_id TEXT NOT NULL
                    );

                    CREATE TRIGGER message_parents_on_message_delete AFTER DELETE ON messages BEGIN
                        DELETE FROM message_parents WHERE conversation_id = OLD.conversation_id AND message_id = OLD.id;
                    END;

                    CREATE TRIGGER current_messages_on_conversation_delete AFTER DELETE ON conversations BEGIN
                        DELETE FROM current_messages WHERE conversation_id = OLD.id;
                    END;

                    DROP TRIGGER conversation_stats_on_message_insert;
                    DROP TRIGGER conversation_stats_on_message_delete;
                    DROP TRIGGER conversation_stats_on_message_update;

                    \(Stats.onInsert("conversation_stats_on_message_insert", when: "NOT " + Stats.branched("NEW"), shown: Stats.newest))
                    \(Stats.onInsert("conversation_stats_on_branched_message_insert", when: Stats.branched("NEW"), shown: Stats.currentOrNewest))
                    \(Stats.onDelete("conversation_stats_on_message_delete", when: "NOT " + Stats.branched("OLD"), shown: Stats.newest))
                    \(Stats.onDelete("conversation_stats_on_branched_message_delete", when: Stats.branched("OLD"), shown: Stats.currentOrNewest))
                    \(Stats.onUpdate(shown: Stats.currentOrNewest))

                    CREATE TRIGGER conversation_stats_on_current_insert AFTER INSERT ON current_messages BEGIN
                        UPDATE conversation_stats SET (last_message_id, last_message_head) = \(Stats.currentOrNewest("NEW.conversation_id"))
                        WHERE conversation_id = NEW.conversation_id;
                    END;

                    CREATE TRIGGER conversation_stats_on_current_update AFTER UPDATE ON current_messages BEGIN
                        UPDATE conversation_stats SET (last_message_id, last_message_head) = \(Stats.currentOrNewest("NEW.conversation_id"))
                        WHERE conversation_id = NEW.conversation_id;
                    END;

                    CREATE TRIGGER conversation_stats_on_current_delete AFTER DELETE ON current_messages BEGIN
                        UPDATE conversation_stats SET (last_message_id, last_message_head) = \(Stats.currentOrNewest("OLD.conversation_id"))
                        WHERE conversation_id = OLD.conversation_id;
                    END;
                    """)
        },
        // Pins, archive, tags and expiry (``ConversationMarks``): a row only for a conversation
        // someone organized or made temporary, so the original's rows need none and its list reads one empty probe per
        // conversation more. The tags are kept twice: as one text on the marks row, which the
        // lists read with the rest, and one row per tag keyed by user and lowercase tag, which a
        // filter by tag and the tag list search. Both go with their conversation, whoever deletes it.
        // The marks keep a rowid, by which `migrate` reads a table in batches.
        Migration("v18-conversation-marks") { db, _ in
            try db.execute(
                sql: """
                    CREATE TABLE conversation_marks (
                        conversation_id TEXT NOT NULL PRIMARY KEY,
                        user_id TEXT NOT NULL,
                        pinned INTEGER NOT NULL DEFAULT 0,
                        archived INTEGER NOT NULL DEFAULT 0,
                        tags TEXT,
                        expires_at TEXT
                    );
                    CREATE INDEX conversation_marks_pinned ON conversation_marks (user_id) WHERE pinned;
                    CREATE INDEX conversation_marks_archived ON conversation_marks (user_id) WHERE archived;
                    CREATE INDEX conversation_marks_expiring ON conversation_marks (expires_at) WHERE expires_at IS NOT NULL;

                    CREATE TABLE conversation_tags (
                        user_id TEXT NOT NULL,
                        tag_key TEXT NOT NULL,
                        conversation_id TEXT NOT NULL,
                        name TEXT NOT NULL,
                        PRIMARY KEY (user_id, tag_key, conversation_id)
                    ) WITHOUT ROWID;
                    CREATE INDEX conversation_tags_by_conversation ON conversation_tags (conversation_id);

                    CREATE TRIGGER conversation_marks_on_conversation_delete AFTER DELETE ON conversations BEGIN
                        DELETE FROM conversation_marks WHERE conversation_id = OLD.id;
                        DELETE FROM conversation_tags WHERE conversation_id = OLD.id;
                    END;
                    """)
        },
        // Share links (``ShareLinks``): one per conversation at most, its snapshot one JSON text,
        // gone with its conversation.
        Migration("v19-share-links") { db, _ in
            try db.execute(
                sql: """
                    CREATE TABLE share_links (
                        id TEXT NOT NULL PRIMARY KEY,
                        conversation_id TEXT NOT NULL UNIQUE,
                        user_id TEXT NOT NULL,
                        snapshot TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        updated_at TEXT NOT NULL
                    );
                    CREATE INDEX share_links_by_user ON share_links (user_id, created_at);
                    CREATE TRIGGER share_links_on_conversation_delete AFTER DELETE ON conversations BEGIN
                        DELETE FROM share_links WHERE conversation_id = OLD.id;
                    END;
                    """)
        },
    ]

    /// The migrations, for GRDB's migrator: each one runs on its own, in its own transaction.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in all {
            migrator.registerMigration(migration.identifier) { db in try migration.apply(db, .onItsOwn) }
        }
        return migrator
    }

    /// The identifiers this binary knows, in order.
    static let identifiers: [String] = migrator.migrations
}

/// One migration of ``Migrations/all``.
struct Migration: Sendable {
    /// How a migration runs.
    enum Run: Sendable {
        /// On a file migrated up to the one before it, in a transaction of its own.
        case onItsOwn
        /// As part of ``SchemaBaseline``, on a file no migration has touched, with every other one
        /// in one transaction. A migration that builds something its successors build behind the
        /// requests (the search index) leaves that to them here.
        case inBaseline
    }

    let identifier: String
    let apply: @Sendable (Database, Run) throws -> Void

    init(_ identifier: String, apply: @escaping @Sendable (Database, Run) throws -> Void) {
        self.identifier = identifier
        self.apply = apply
    }
}

/// `conversation_stats`' triggers on messages (migrations v3 and v17): each keeps the count and sets
/// the shown message's id and head, which `shown` selects for a conversation. `when`: the trigger
/// runs only for the rows it holds for (SQLite's `WHEN`), or for all when empty.
private enum ConversationStatsTriggers {
    static func onMessages(shown: (String) -> String) -> String {
        [
            onInsert("conversation_stats_on_message_insert", when: "", shown: shown),
            onDelete("conversation_stats_on_message_delete", when: "", shown: shown), onUpdate(shown: shown),
        ].joined(separator: "\n")
    }

    static func onInsert(_ name: String, when: String, shown: (String) -> String) -> String {
        """
        CREATE TRIGGER \(name) AFTER INSERT ON messages \(when.isEmpty ? "" : "WHEN \(when) ")BEGIN
            INSERT OR IGNORE INTO conversation_stats (conversation_id, message_count) VALUES (NEW.conversation_id, 0);
            UPDATE conversation_stats SET
                message_count = message_count + 1,
                (last_message_id, last_message_head) = \(shown("NEW.conversation_id"))
            WHERE conversation_id = NEW.conversation_id;
        END;
        """
    }

    static func onDelete(_ name: String, when: String, shown: (String) -> String) -> String {
        """
        CREATE TRIGGER \(name) AFTER DELETE ON messages \(when.isEmpty ? "" : "WHEN \(when) ")BEGIN
            UPDATE conversation_stats SET
                message_count = message_count - 1,
                (last_message_id, last_message_head) = \(shown("OLD.conversation_id"))
            WHERE conversation_id = OLD.conversation_id;
        END;
        """
    }

    static func onUpdate(shown: (String) -> String) -> String {
        """
        CREATE TRIGGER conversation_stats_on_message_update AFTER UPDATE OF conversation_id, timestamp, id, content ON messages BEGIN
            UPDATE conversation_stats SET
                message_count = (SELECT count(*) FROM messages m WHERE m.conversation_id = conversation_stats.conversation_id),
                (last_message_id, last_message_head) = \(shown("conversation_stats.conversation_id"))
            WHERE conversation_id IN (OLD.conversation_id, NEW.conversation_id);
        END;
        """
    }

    /// The newest message of a conversation, by time then rowid (v3).
    static func newest(_ conversation: String) -> String {
        """
        (SELECT m.id, substr(CAST(m.content AS BLOB), 1, \(Queries.storedHeadBytes)) FROM messages m
         WHERE m.conversation_id = \(conversation) ORDER BY m.timestamp DESC, m.rowid DESC LIMIT 1)
        """
    }

    /// The current message of a conversation that has branched, else (none, or one gone) the newest (v17).
    static func currentOrNewest(_ conversation: String) -> String {
        """
        (SELECT id, head FROM (
            SELECT m.id AS id, substr(CAST(m.content AS BLOB), 1, \(Queries.storedHeadBytes)) AS head, 0 AS rank
            FROM current_messages cm JOIN messages m ON m.id = cm.message_id AND m.conversation_id = cm.conversation_id
            WHERE cm.conversation_id = \(conversation)
            UNION ALL
            SELECT * FROM (
                SELECT m.id, substr(CAST(m.content AS BLOB), 1, \(Queries.storedHeadBytes)), 1 FROM messages m
                WHERE m.conversation_id = \(conversation) ORDER BY m.timestamp DESC, m.rowid DESC LIMIT 1)
        ) ORDER BY rank LIMIT 1)
        """
    }

    /// Whether the row's conversation has branched (a current message).
    static func branched(_ row: String) -> String {
        "EXISTS (SELECT 1 FROM current_messages WHERE conversation_id = \(row).conversation_id)"
    }
}

/// The change log's triggers (migration v10): table, event, the operation that fires it, and the
/// `SELECT` of owner, kind and id it logs.
private enum ChangeLogTriggers {
    static let all: [(table: String, event: String, operation: String, select: String)] = [
        ("conversations", "created", "INSERT", owned("conversation.created", "NEW")),
        ("conversations", "updated", "UPDATE OF title, folder", owned("conversation.updated", "NEW")),
        ("conversations", "deleted", "DELETE", owned("conversation.deleted", "OLD")),
        ("messages", "created", "INSERT", ownedByConversation("message.created", "NEW")),
        ("messages", "updated", "UPDATE OF content", ownedByConversation("message.updated", "NEW")),
        ("messages", "deleted", "DELETE", ownedByConversation("message.deleted", "OLD")),
        ("plugins", "created", "INSERT", owned("plugin.created", "NEW")),
        ("plugins", "updated", "UPDATE", owned("plugin.updated", "NEW")),
        ("plugins", "deleted", "DELETE", owned("plugin.deleted", "OLD")),
    ]

    private static func owned(_ kind: String, _ row: String) -> String {
        "SELECT \(row).user_id, '\(kind)', \(row).id"
    }

    /// A message's user is its conversation's; none (nothing logged) once the conversation is gone.
    private static func ownedByConversation(_ kind: String, _ row: String) -> String {
        "SELECT c.user_id, '\(kind)', \(row).id FROM conversations c WHERE c.id = \(row).conversation_id"
    }
}

/// The original Python backend's tables, with SQLAlchemy's exact DDL (whitespace included), so that
/// `sqlite_master` of a new file reads the same as the original's. Public for tools that write
/// files in the original's layout (the benchmark seeder).
public enum OriginalSchema {
    public static let sql = """
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
        """
}
