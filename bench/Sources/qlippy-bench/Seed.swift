import ArgumentParser
import Foundation
import GRDB
import QlippyModel
import QlippySQLite

/// `qlippy-bench seed`: writes a database in the original backend's layout (as the Python server
/// would have left it: no indexes, no migrations table), deterministic from a seed, plus a manifest
/// of the ids the workloads hit.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a seeded database in the original's layout.")

    enum Size: String, ExpressibleByArgument, CaseIterable {
        case small, large

        /// (heavy user's conversations, light users) — every conversation of the heavy user has 200
        /// messages, every light user 50 conversations of 20 messages.
        var shape: (heavyConversations: Int, lightUsers: Int) {
            switch self {
            case .small: (40, 2)
            case .large: (5_000, 99)
            }
        }
    }

    @Option(help: "small (10 k messages) or large (1.1 M messages)")
    var size: Size = .small

    @Option(help: "Random seed; the same seed writes the same database.")
    var seed: UInt64 = 42

    @Option(help: "Database file to write (replaced if it exists); the manifest goes beside it as FILE.manifest.json.")
    var output: String

    func run() async throws {
        try seedDatabase()
    }

    /// Synchronous on purpose: one long transaction on one connection, nothing to await.
    private func seedDatabase() throws {
        for suffix in ["", "-wal", "-shm", ".manifest.json"] {
            try? FileManager.default.removeItem(atPath: output + suffix)
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            // A throwaway file being built: durability is pointless here, speed is not.
            // The random UUID primary keys scatter inserts over the whole index: keep it in memory.
            try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -1000000")
        }
        let queue = try DatabaseQueue(path: output, configuration: configuration)
        let start = ContinuousClock.now
        var generator = TextGenerator(seed: seed)
        var ids = SplitMix64(seed: seed ^ 0x1D5)
        /// A version-4-shaped lowercase UUID (the server's id check accepts it), written byte by byte:
        /// `String(format:)` here was a third of the seeder's time.
        func newID() -> String {
            let hex = Array("0123456789abcdef".utf8)
            var value = (ids.next(), ids.next())
            var bytes = [UInt8](repeating: UInt8(ascii: "-"), count: 36)
            var position = 0
            for index in 0..<32 {
                if position == 8 || position == 13 || position == 18 || position == 23 { position += 1 }
                let nibble: UInt64
                if index < 16 {
                    nibble = value.0 & 0xF
                    value.0 >>= 4
                } else {
                    nibble = value.1 & 0xF
                    value.1 >>= 4
                }
                bytes[position] = index == 12 ? UInt8(ascii: "4") : index == 16 ? UInt8(ascii: "a") : hex[Int(nibble)]
                position += 1
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        var clock = Timestamp(microsecondsSinceEpoch: 1_700_000_000_000_000)
        func tick(_ micros: Int64) -> String {
            clock.microsecondsSinceEpoch += micros
            return clock.storageText
        }

        var manifest = Manifest(size: size.rawValue, seed: seed)
        var messageCount = 0
        try queue.write { db in
            try db.execute(sql: OriginalSchema.sql)
            let insertUser = try db.makeStatement(sql: "INSERT INTO users (id, username, created_at) VALUES (?, ?, ?)")
            let insertConversation = try db.makeStatement(
                sql: "INSERT INTO conversations (id, title, user_id, folder, last_updated, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            )
            let insertMessage = try db.makeStatement(
                sql: "INSERT INTO messages (id, conversation_id, role, content, timestamp) VALUES (?, ?, ?, ?, ?)"
            )
            let insertPlugin = try db.makeStatement(
                sql: "INSERT INTO plugins (id, user_id, name, description, enabled, created_at) VALUES (?, ?, ?, ?, 1, ?)"
            )
            let folders: [String?] = [nil, nil, "work", "personal", "research"]

            /// The heavy user's messages get the rare term, in `Manifest.rareTermCount` of them spread evenly.
            let rareSpacing = size.shape.heavyConversations * 200 / Manifest.rareTermCount
            var plantsRareTerm = false
            var heavyMessages = 0

            func addUser(_ name: String, conversations: Int, messagesEach: Int) throws -> (String, [String]) {
                let user = newID()
                try insertUser.execute(arguments: [user, name, tick(1_000)])
                for index in 0..<3 {
                    try insertPlugin.execute(arguments: [newID(), user, "plugin \(index)", generator.text(length: 40), tick(10)])
                }
                var conversationIDs: [String] = []
                for _ in 0..<conversations {
                    let conversation = newID()
                    let created = tick(1_000)
                    var last = created
                    var messages: [(String, String, String)] = []
                    for index in 0..<messagesEach {
                        last = tick(Int64(500 + generator.next(5_000)))
                        var content = generator.message(length: generator.messageLength())
                        if plantsRareTerm {
                            if heavyMessages % rareSpacing == 0 { content += " " + Manifest.rareTerm }
                            heavyMessages += 1
                        }
                        messages.append((index % 2 == 0 ? "user" : "assistant", content, last))
                    }
                    try insertConversation.execute(arguments: [
                        conversation, generator.text(length: 10 + generator.next(40)), user, folders[generator.next(folders.count)], last,
                        created,
                    ])
                    for (role, content, timestamp) in messages {
                        try insertMessage.execute(arguments: [newID(), conversation, role, content, timestamp])
                    }
                    messageCount += messagesEach
                    conversationIDs.append(conversation)
                }
                return (user, conversationIDs)
            }

            plantsRareTerm = true
            let (heavy, heavyConversations) = try addUser("heavy", conversations: size.shape.heavyConversations, messagesEach: 200)
            plantsRareTerm = false
            manifest.heavyUser = heavy
            manifest.heavyConversations = heavyConversations
            for index in 0..<size.shape.lightUsers {
                let (light, conversations) = try addUser("light-\(index)", conversations: 50, messagesEach: 20)
                if index == 0 {
                    manifest.lightUser = light
                }
                manifest.lightConversations += conversations.prefix(40)
            }
        }
        try queue.close()
        manifest.messages = messageCount
        manifest.commonTerm = generator.commonWord
        let seconds =
            Double((ContinuousClock.now - start).components.attoseconds) / 1e18 + Double((ContinuousClock.now - start).components.seconds)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: output + ".manifest.json"))
        print(
            "seeded \(output): \(messageCount) messages in \(String(format: "%.1f", seconds)) s (\(Int(Double(messageCount) / seconds)) messages/s)"
        )
    }
}

/// The ids the workloads hit, written beside the database.
struct Manifest: Codable {
    var size: String
    var seed: UInt64
    var messages = 0
    var heavyUser = ""
    var lightUser = ""
    /// Every conversation of the heavy user (200 messages each).
    var heavyConversations: [String] = []
    /// Conversations of light users (20 messages each).
    var lightConversations: [String] = []
    /// Search terms: one in exactly `rareTermCount` of the heavy user's messages, one in most messages.
    var rareTerm = Manifest.rareTerm
    var commonTerm = ""

    static let rareTerm = "qlippyneedle"
    static let rareTermCount = 50
}
