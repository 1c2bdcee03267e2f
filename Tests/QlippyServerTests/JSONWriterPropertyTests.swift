import Foundation
import QlippyModel
import QlippyStore
import QlippyTestSupport
import Testing

@testable import QlippyJSON
@testable import QlippyServer

/// The hand-written JSON of the hot responses decodes to exactly what Foundation's `Codable` path gives.
@Suite("JSON writer against Codable")
struct JSONWriterPropertyTests {
    /// The contract's message shape as a `Codable` value: the reference encoding, its fields named
    /// as the wire names them.
    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct WireMessage: Codable, Equatable {
        var id, conversation_id, role, content: String
        var timestamp: String?
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct WireConversation: Codable, Equatable {
        var id, title, user_id: String
        var folder, created_at, last_updated, last_message_preview: String?
        var message_count: Int
        var messages: [WireMessage]?
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    struct WirePlugin: Codable, Equatable {
        var id, user_id, name: String
        var description, created_at: String?
        var enabled: Bool?
    }

    /// RFC 3339 built with `String(format:)`, independently of the writer's digit code.
    static func reference(_ timestamp: Timestamp?) -> String? {
        guard let c = timestamp?.components else { return nil }
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", c.year, c.month, c.day, c.hour, c.minute, c.second, c.microsecond)
    }

    static func roundTrip<Value: Codable>(_ value: Value) throws -> Value {
        try JSONDecoder().decode(Value.self, from: JSONEncoder().encode(value))
    }

    static func written(_ write: (inout JSONWriter) -> Void) -> Data {
        var json = JSONWriter()
        write(&json)
        return Data(json.bytes)
    }

    func randomTimestamp(_ random: inout SeededRandom) -> Timestamp? {
        Int.random(in: 0..<5, using: &random) == 0
            ? nil
            : Timestamp(microsecondsSinceEpoch: Int64.random(in: 0...253_402_300_799_999_999, using: &random))
    }

    func randomMessage(_ random: inout SeededRandom) -> Message {
        Message(
            id: UUID().uuidString.lowercased(), conversationID: UUID().uuidString.lowercased(),
            role: random.nastyString(maxLength: 10), content: random.nastyString(maxLength: 300), timestamp: randomTimestamp(&random)
        )
    }

    func wire(_ message: Message) -> WireMessage {
        WireMessage(
            id: message.id, conversation_id: message.conversationID, role: message.role, content: message.content,
            timestamp: Self.reference(message.timestamp)
        )
    }

    @Test(arguments: 0..<20)
    func conversationsWithMessages(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        for _ in 0..<10 {
            let messages = (0..<Int.random(in: 0...20, using: &random)).map { _ in randomMessage(&random) }
            let conversation = Conversation(
                id: UUID().uuidString.lowercased(), title: random.nastyString(),
                folder: Bool.random(using: &random) ? nil : random.nastyString(),
                userID: UUID().uuidString.lowercased(), createdAt: randomTimestamp(&random), lastUpdated: randomTimestamp(&random),
                messageCount: messages.count
            )
            let data = Self.written { $0.write(ConversationDetail(conversation: conversation, messages: messages)) }
            let expected = try Self.roundTrip(
                WireConversation(
                    id: conversation.id, title: conversation.title, user_id: conversation.userID, folder: conversation.folder,
                    created_at: Self.reference(conversation.createdAt), last_updated: Self.reference(conversation.lastUpdated),
                    last_message_preview: nil, message_count: messages.count, messages: messages.map(wire)
                ))
            #expect(try JSONDecoder().decode(WireConversation.self, from: data) == expected, "seed \(seed)")
            let keys = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any]).keys.sorted()
            #expect(
                keys == ["created_at", "folder", "id", "last_updated", "message_count", "messages", "title", "user_id"],
                "nulls are written, not dropped")
        }
    }

    @Test(arguments: 0..<10)
    func conversationListRows(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let summaries = (0..<30).map { _ in
            let text = random.nastyString(maxLength: 150)
            return ConversationSummary(
                conversation: Conversation(
                    id: UUID().uuidString.lowercased(), title: random.nastyString(), folder: nil, userID: "u",
                    createdAt: randomTimestamp(&random), lastUpdated: randomTimestamp(&random),
                    messageCount: Int.random(in: 0...1_000_000, using: &random)
                ),
                lastMessagePreview: Bool.random(using: &random) ? nil : TextPrefix(of: text, length: 100)
            )
        }
        let data = Self.written { $0.write(array: summaries) { $0.write($1) } }
        let expected = try Self.roundTrip(
            summaries.map { summary in
                WireConversation(
                    id: summary.conversation.id, title: summary.conversation.title, user_id: "u", folder: nil,
                    created_at: Self.reference(summary.conversation.createdAt),
                    last_updated: Self.reference(summary.conversation.lastUpdated),
                    last_message_preview: summary.lastMessagePreview.map { $0.isTruncated ? $0.text + "..." : $0.text } ?? "",
                    message_count: summary.conversation.messageCount, messages: nil
                )
            })
        #expect(try JSONDecoder().decode([WireConversation].self, from: data) == expected, "seed \(seed)")
    }

    /// The eight-bytes-at-a-time test agrees with testing each byte, wherever the byte sits.
    @Test func wordTestAgreesWithBytewiseTest() {
        func bytewise(_ word: UInt64) -> Bool {
            (0..<8).contains { shift in
                let byte = UInt8(truncatingIfNeeded: word >> (8 * UInt64(shift)))
                return byte < 0x20 || byte == 0x22 || byte == 0x5C
            }
        }
        var random = SeededRandom(seed: 11)
        let interesting: [UInt8] = [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7F, 0x80, 0xA2, 0xDC, 0xFF]
        for byte in 0...255 {
            for position in 0..<8 {
                var word = UInt64(0x6161_6161_6161_6161)
                word &= ~(UInt64(0xFF) << (8 * UInt64(position)))
                word |= UInt64(byte) << (8 * UInt64(position))
                #expect(JSONWriter.needsEscape(word) == bytewise(word), "byte \(byte) at \(position)")
            }
        }
        for _ in 0..<200_000 {
            var word: UInt64 = 0
            for _ in 0..<8 {
                let byte =
                    Bool.random(using: &random) ? interesting.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
                word = word << 8 | UInt64(byte)
            }
            guard JSONWriter.needsEscape(word) == bytewise(word) else {
                Issue.record("disagree on \(String(word, radix: 16))")
                return
            }
        }
    }

    @Test(arguments: 0..<10)
    func plugins(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        let plugins = (0..<30).map { _ in
            Plugin(
                id: UUID().uuidString.lowercased(), userID: "u", name: random.nastyString(),
                description: Bool.random(using: &random) ? nil : random.nastyString(),
                enabled: [true, false, nil][Int.random(in: 0..<3, using: &random)], createdAt: randomTimestamp(&random)
            )
        }
        let data = Self.written { $0.write(array: plugins) { $0.write($1) } }
        let expected = try Self.roundTrip(
            plugins.map {
                WirePlugin(
                    id: $0.id, user_id: $0.userID, name: $0.name, description: $0.description, created_at: Self.reference($0.createdAt),
                    enabled: $0.enabled)
            })
        #expect(try JSONDecoder().decode([WirePlugin].self, from: data) == expected, "seed \(seed)")
    }

    @Test func timestampsMatchFoundationsCalendar() throws {
        var random = SeededRandom(seed: 7)
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(identifier: "UTC"))
        for _ in 0..<2_000 {
            let seconds = Int64.random(in: -2_208_988_800...32_503_680_000, using: &random)
            let timestamp = Timestamp(microsecondsSinceEpoch: seconds * 1_000_000 + Int64.random(in: 0..<1_000_000, using: &random))
            let expected = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            let c = timestamp.components
            #expect(
                [c.year, c.month, c.day, c.hour, c.minute, c.second] == [
                    expected.year, expected.month, expected.day, expected.hour, expected.minute, expected.second,
                ])
            #expect(Timestamp(iso8601: try #require(Self.reference(timestamp))) == timestamp, "parse inverts format")
        }
    }
}
