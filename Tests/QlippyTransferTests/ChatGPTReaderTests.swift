import Foundation
import QlippyJSON
import QlippyTestSupport
import Testing

@testable import QlippyTransfer

/// The ChatGPT reader gives what `JSONDecoder` gives for the same bytes, field by field, and
/// leaves to `JSONDecoder` only what it does not read.
@Suite("ChatGPT reader")
struct ChatGPTReaderTests {
    /// Random conversations in which every field may be missing, null, of its kind or of another,
    /// repeated, or spelled with escapes: the reader's entry equals `JSONDecoder`'s for each.
    @Test(arguments: [1, 2, 3, 4] as [UInt64])
    func readsWhatJSONDecoderReads(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var readAlone = 0
        for _ in 0..<400 {
            let json = Data(Generator.conversation(&random).text(&random).utf8)
            let expected = try JSONDecoder().decode(Lossy<ChatGPTConversation>.self, from: json)
            if let read = try? ChatGPTReader.read(json) {
                readAlone += 1
                try Self.expectSame(read, expected, json)
            }
            try Self.expectSame(try ChatGPTReader.entry(from: json), expected, json)
        }
        // Many generated conversations are plain enough for the reader alone (about half).
        #expect(readAlone > 100)
    }

    /// A conversation as the exports write it is read by the reader alone.
    @Test func readsAnExportsConversationAlone() throws {
        let json = Data(
            #"""
            {"title": "Caf\u00e9 \ud83d\ude80", "create_time": 1700000000.25, "update_time": 1.7e9, "conversation_id": "c1",
             "current_node": "n2", "id": "ignored", "moderation_results": [], "safe_urls": [],
             "mapping": {
              "root": {"id": "root", "message": null, "parent": null, "children": ["n1"]},
              "n1": {"id": "n1", "parent": "root", "children": ["n2"], "message": {"id": "n1", "author": {"role": "system", "name": null},
                     "create_time": null, "content": {"content_type": "text", "parts": [""]},
                     "metadata": {"is_visually_hidden_from_conversation": true}}},
              "n2": {"parent": "n1", "message": {"author": {"role": "user"}, "create_time": 1700000001,
                     "content": {"content_type": "multimodal_text", "parts": ["look \"here\"\n", {"content_type": "image_asset_pointer"},
                     {"content_type": "audio_transcription"}, {"asset": 1}, 7]}}}
             }}
            """#.utf8)
        let read = try ChatGPTReader.read(json)
        let conversation = try read.result.get()
        #expect(read.sourceID == "c1")
        #expect(read.title == "Café 🚀")
        #expect(conversation.createTime == 1_700_000_000.25)
        #expect(conversation.updateTime == 1_700_000_000)
        #expect(conversation.mapping["n1"]?.message?.isHidden == true)
        #expect(conversation.mapping["root"] == ChatGPTConversation.Node(parent: nil, message: nil))
        #expect(conversation.mapping["n2"]?.message?.parts == [.text("look \"here\"\n"), .image, .audio, .nothing, .nothing])
        try Self.expectSame(read, try JSONDecoder().decode(Lossy<ChatGPTConversation>.self, from: json), json)
    }

    /// What the reader leaves to `JSONDecoder`.
    @Test(arguments: [
        #"{"id": "c", "mapping": {}, "title": "lone \ud800 surrogate"}"#,
        #"{"id": "c", "mapping": {}, "ti\u0074le": "escaped key"}"#,
        #"{"id": "c", "mapping": {}, "id": "twice"}"#,
        #"{"id": "c", "mapping": {"n": {}, "n": {}}}"#,
        #"{"id": "c", "mapping": {}, "create_time": 1e999}"#,
        #"{"id": "c"}"#,
        #"{"mapping": {}}"#,
        #"{"id": "c", "mapping": {"n": 1}}"#,
        #"[]"#,
    ])
    func leavesTheUnusualToJSONDecoder(json: String) {
        #expect(throws: JSONReader.Unusual.self) { try ChatGPTReader.read(Data(json.utf8)) }
    }

    @Test func aStringWithInvalidUTF8IsLeftToJSONDecoder() {
        let json = Data(#"{"id": "c", "mapping": {}, "title": "a"#.utf8) + Data([0xFF]) + Data(#""}"#.utf8)
        #expect(throws: JSONReader.Unusual.self) { try ChatGPTReader.read(json) }
    }

    private static func expectSame(
        _ read: Lossy<ChatGPTConversation>, _ expected: Lossy<ChatGPTConversation>, _ json: Data
    ) throws {
        let text = String(decoding: json, as: UTF8.self)
        #expect(read.sourceID == expected.sourceID, "\(text)")
        #expect(read.title == expected.title, "\(text)")
        switch (read.result, expected.result) {
        case (.success(let read), .success(let expected)): #expect(read == expected, "\(text)")
        case (.failure(let read), .failure(let expected)):
            // Of several broken nodes, `JSONDecoder` names whichever its dictionary meets first,
            // and what it found there: only that a node was broken is the same from run to run.
            let reason = { (error: any Error) in Importer.reason(error).replacing(/^mapping\.[^:]*:.*$/, with: "a broken node") }
            #expect(reason(read) == reason(expected), "\(text)")
        default: Issue.record("one decoded and the other did not: \(text)")
        }
    }
}

/// Random JSON for a ChatGPT conversation, each field drawn from its own kind, the others, null
/// and absence; some keys repeated or escaped, some strings escaped in every way JSON allows.
private enum Generator {
    indirect enum Value {
        case object([(String, Value)])
        case array([Value])
        case string(String)
        case number(String)
        case bool(Bool)
        case null
        /// Text written as it is (a string with a lone surrogate's escape).
        case verbatim(String)

        func text(_ random: inout SeededRandom) -> String {
            switch self {
            case .object(let members):
                return "{" + members.map { key, value in Self.key(key, &random) + ": " + value.text(&random) }.joined(separator: ", ") + "}"
            case .array(let elements): return "[" + elements.map { $0.text(&random) }.joined(separator: ",") + "]"
            case .string(let text): return Self.quoted(text, &random)
            case .number(let text): return text
            case .bool(let value): return value ? "true" : "false"
            case .null: return "null"
            case .verbatim(let text): return text
            }
        }

        /// A key: now and then with its first letter escaped.
        static func key(_ key: String, _ random: inout SeededRandom) -> String {
            guard let first = key.unicodeScalars.first, Int.random(in: 0..<400, using: &random) == 0 else { return "\"\(key)\"" }
            return "\"\\u" + String(format: "%04x", first.value) + key.unicodeScalars.dropFirst().map(String.init).joined() + "\""
        }

        /// `text` as a JSON string: each scalar as itself, or escaped (`\n`, `\u00e9`, a surrogate pair).
        static func quoted(_ text: String, _ random: inout SeededRandom) -> String {
            var out = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case _ where scalar.value < 0x20 || Int.random(in: 0..<8, using: &random) == 0:
                    for unit in String(scalar).utf16 { out += "\\u" + String(format: "%04x", unit) }
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
    }

    static func conversation(_ random: inout SeededRandom) -> Value {
        var members: [(String, Value)] = []
        let nodes = (0..<Int.random(in: 0...4, using: &random)).map { "n\($0)" }
        maybe(&members, "mapping", .object(nodes.map { ($0, node(nodes, &random)) }), &random, often: true)
        maybe(&members, "conversation_id", .string("conv-\(Int.random(in: 0..<9, using: &random))"), &random)
        maybe(&members, "id", .string("id-\(Int.random(in: 0..<9, using: &random))"), &random)
        maybe(&members, "title", .string(random.nastyString(maxLength: 12)), &random)
        maybe(&members, "create_time", number(&random), &random)
        maybe(&members, "update_time", number(&random), &random)
        maybe(&members, "current_node", .string(nodes.randomElement(using: &random) ?? "none"), &random)
        maybe(
            &members, "default_model_slug", .string(["gpt-4o", "", random.nastyString(maxLength: 8)].randomElement(using: &random)!),
            &random)
        maybe(&members, "moderation_results", .array([.object([("flagged", .bool(false))])]), &random)
        return .object(members.shuffled(using: &random))
    }

    private static func node(_ nodes: [String], _ random: inout SeededRandom) -> Value {
        if Int.random(in: 0..<40, using: &random) == 0 { return other(&random) }
        var members: [(String, Value)] = []
        maybe(&members, "parent", .string(nodes.randomElement(using: &random) ?? "none"), &random)
        maybe(&members, "message", message(&random), &random, often: true)
        maybe(&members, "children", .array(nodes.map(Value.string)), &random)
        return .object(members.shuffled(using: &random))
    }

    private static func message(_ random: inout SeededRandom) -> Value {
        var members: [(String, Value)] = []
        maybe(
            &members, "author", .object(field("role", .string(["user", "assistant", "tool"].randomElement(using: &random)!), &random)),
            &random)
        maybe(&members, "create_time", number(&random), &random)
        var metadata = field("is_visually_hidden_from_conversation", .bool(Bool.random(using: &random)), &random)
        maybe(
            &metadata, "model_slug", .string(["o3", "gpt-4o-mini", random.nastyString(maxLength: 8)].randomElement(using: &random)!),
            &random)
        maybe(&members, "metadata", .object(metadata.shuffled(using: &random)), &random)
        var content: [(String, Value)] = []
        maybe(&content, "content_type", .string(["text", "code", "multimodal_text"].randomElement(using: &random)!), &random)
        maybe(&content, "parts", .array((0..<Int.random(in: 0...3, using: &random)).map { _ in part(&random) }), &random)
        maybe(&content, "text", .string(random.nastyString(maxLength: 20)), &random)
        maybe(&content, "language", .string("swift"), &random)
        maybe(&members, "content", .object(content.shuffled(using: &random)), &random, often: true)
        return .object(members.shuffled(using: &random))
    }

    private static func part(_ random: inout SeededRandom) -> Value {
        switch Int.random(in: 0..<4, using: &random) {
        case 0, 1: .string(random.nastyString(maxLength: 30))
        case 2:
            .object(
                field(
                    "content_type", .string(["image_asset_pointer", "audio_asset_pointer", "file"].randomElement(using: &random)!), &random)
            )
        default: other(&random)
        }
    }

    /// An object whose one field that matters is `key`, beside another.
    private static func field(_ key: String, _ value: Value, _ random: inout SeededRandom) -> [(String, Value)] {
        var members: [(String, Value)] = [("other", .number("1"))]
        maybe(&members, key, value, &random, often: true)
        return members.shuffled(using: &random)
    }

    private static func number(_ random: inout SeededRandom) -> Value {
        .number(["1700000000", "1700000000.125", "-0", "1.5e9", "2E-3", "0", "12345678901234567890"].randomElement(using: &random)!)
    }

    /// A value of some kind, any.
    private static func other(_ random: inout SeededRandom) -> Value {
        switch Int.random(in: 0..<7, using: &random) {
        case 0: .number("42")
        case 1: .string("x")
        case 2: .bool(true)
        case 3: .null
        case 4: .array([.number("1"), .object([])])
        case 5: .object([("k", .array([]))])
        default: .verbatim(#""\ud800""#)
        }
    }

    /// Adds `key` as `value` (most often; `often`: nearly always), or as null or another kind, or
    /// not at all; now and then twice, or with its key escaped.
    private static func maybe(
        _ members: inout [(String, Value)], _ key: String, _ value: Value, _ random: inout SeededRandom, often: Bool = false
    ) {
        switch Int.random(in: 0..<(often ? 120 : 16), using: &random) {
        case 0: return
        case 1: members.append((key, .null))
        case 2, 3: members.append((key, other(&random)))
        case 4 where Int.random(in: 0..<4, using: &random) == 0: members += [(key, value), (key, other(&random))]
        default: members.append((key, value))
        }
    }
}
